package dev.quirkproxy.cli;

import dev.quirkproxy.relay.Endpoint;
import dev.quirkproxy.relay.ProxyConfig;
import dev.quirkproxy.relay.ProxyServer;
import dev.quirkproxy.relay.ProxyTls;
import dev.quirkproxy.replay.Recording;
import dev.quirkproxy.replay.ReplayOptions;
import dev.quirkproxy.replay.ReplayServer;
import dev.quirkproxy.rules.RuleEngine;
import dev.quirkproxy.rules.RuleWatcher;
import dev.quirkproxy.tls.TlsMode;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * What {@code replay server} runs: the replay server on the listen address, or, with rules, the
 * replay server on a free loopback port and a {@link ProxyServer} with a {@link RuleEngine} on the
 * listen address in front of it, so rules apply to what the recorded server sends exactly as they
 * would in {@code proxy}. TLS (implicit or STARTTLS) is on the listen side: the replay server's
 * own, or the rules proxy's (which then answers STARTTLS/STLS as {@code proxy} does); the inner hop
 * is plain.
 */
final class ReplayStack implements AutoCloseable {

  private final ReplayServer replay;
  private final Endpoint replayAt;
  private final ProxyServer front;
  private final Endpoint listening;
  private final RuleWatcher rules;

  private ReplayStack(
      ReplayServer replay,
      Endpoint replayAt,
      ProxyServer front,
      Endpoint listening,
      RuleWatcher rules) {
    this.replay = replay;
    this.replayAt = replayAt;
    this.front = front;
    this.listening = listening;
    this.rules = rules;
  }

  /**
   * Starts the replay server, and the rules proxy in front of it when {@code rules} is not null.
   *
   * @param at where clients connect (its TLS mode: none, implicit or starttls)
   * @param tls the client-side context when {@code at} is implicit TLS or STARTTLS
   * @param rules the watched rules (closed with the stack), or null for none
   */
  static ReplayStack start(
      List<Recording> recordings,
      ReplayOptions options,
      Endpoint at,
      ProxyTls tls,
      RuleWatcher rules)
      throws InterruptedException {
    if (rules == null) {
      ReplayServer replay =
          new ReplayServer(recordings, options, tls.clientSide(), at.tls() == TlsMode.STARTTLS);
      InetSocketAddress bound = bind(replay, at.host(), at.port(), at);
      Endpoint where = at.withPort(bound.getPort());
      return new ReplayStack(replay, where, null, where, null);
    }
    ReplayServer replay = new ReplayServer(recordings, options, null);
    InetSocketAddress bound = bind(replay, "127.0.0.1", 0, at);
    Endpoint inner = new Endpoint(at.protocol(), TlsMode.NONE, "127.0.0.1", bound.getPort());
    ProxyServer front =
        new ProxyServer(
            ProxyConfig.of(at, inner),
            new ProxyTls(tls.clientSide(), null),
            List.of(new RuleEngine(rules)),
            null);
    try {
      return new ReplayStack(replay, inner, front, front.start(), rules);
    } catch (InterruptedException e) {
      replay.close();
      throw e;
    } catch (Exception e) {
      // Netty rethrows the bind's checked exception (e.g. BindException) without declaring it.
      front.shutdown(Duration.ZERO);
      replay.close();
      throw new IllegalStateException("cannot listen on " + at + ": " + e.getMessage(), e);
    }
  }

  private static InetSocketAddress bind(ReplayServer replay, String host, int port, Endpoint at)
      throws InterruptedException {
    try {
      return replay.start(host, port);
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot listen on " + at + ": " + e.getMessage(), e);
    }
  }

  ReplayServer replay() {
    return replay;
  }

  /** Where the replay server itself listens (behind the rules proxy when there are rules). */
  Endpoint replayEndpoint() {
    return replayAt;
  }

  /** Where clients connect. */
  Endpoint listening() {
    return listening;
  }

  /** The rules proxy in front, or null without rules. */
  ProxyServer front() {
    return front;
  }

  RuleWatcher rules() {
    return rules;
  }

  @Override
  public void close() {
    if (front != null) {
      front.shutdown(Duration.ofSeconds(1));
    }
    replay.close();
    if (rules != null) {
      rules.close();
    }
  }
}
