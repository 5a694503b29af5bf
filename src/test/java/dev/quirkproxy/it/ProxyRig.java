package dev.quirkproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.capture.CaptureReader;
import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.capture.CaptureStore;
import dev.quirkproxy.relay.Endpoint;
import dev.quirkproxy.relay.ProxyConfig;
import dev.quirkproxy.relay.ProxyServer;
import dev.quirkproxy.session.Protocol;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The proxy under test, in-process, in front of Dovecot, with a {@link TcpTap} between the proxy
 * and Dovecot: client → proxy → tap → Dovecot. The tap shows exactly what the proxy sent upstream
 * and what Dovecot answered, so a test can demand that the proxy passed both directions on
 * unchanged ({@link #assertTransparent}), without any normalising.
 */
final class ProxyRig implements AutoCloseable {

  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(20);

  private final TcpTap upstreamTap;
  private final ProxyServer proxy;
  private final Endpoint bound;
  private final CaptureStore captures;
  private boolean closed;

  private ProxyRig(TcpTap upstreamTap, ProxyServer proxy, Endpoint bound, CaptureStore captures) {
    this.upstreamTap = upstreamTap;
    this.proxy = proxy;
    this.bound = bound;
    this.captures = captures;
  }

  static ProxyRig start(Protocol protocol, int dovecotPort)
      throws IOException, InterruptedException {
    return start(protocol, dovecotPort, null);
  }

  /** The same, recording every session into {@code captureDir} (when not null). */
  static ProxyRig start(Protocol protocol, int dovecotPort, Path captureDir)
      throws IOException, InterruptedException {
    TcpTap tap = new TcpTap(dovecotPort);
    ProxyServer proxy =
        new ProxyServer(
            ProxyConfig.of(
                new Endpoint(protocol, false, "127.0.0.1", 0),
                new Endpoint(protocol, false, "127.0.0.1", tap.port())));
    CaptureStore store =
        captureDir == null ? null : new CaptureStore(CaptureSettings.in(captureDir));
    if (store != null) {
      proxy.recordTo(store, "rig");
    }
    try {
      return new ProxyRig(tap, proxy, proxy.start(), store);
    } catch (InterruptedException | RuntimeException e) {
      proxy.shutdown(Duration.ofSeconds(2));
      tap.close();
      if (store != null) {
        store.close();
      }
      throw e;
    }
  }

  /**
   * After {@link #close}: the client family each recorded session was identified as (from the
   * capture footers), in file order.
   */
  List<String> identifiedFamilies() throws IOException {
    List<String> out = new ArrayList<>();
    Path dir = captures.settings().directory();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
        CaptureReader.Capture c = CaptureReader.read(f);
        assertThat(c.footer()).as("footer of %s", f).isNotNull();
        out.add(c.footer().path("fingerprint").path("family").asText("(none)"));
      }
    }
    return out;
  }

  /** Where clients connect. */
  int port() {
    return bound.port();
  }

  ProxyServer proxy() {
    return proxy;
  }

  /** What the proxy exchanged with Dovecot, one conversation per client connection. */
  TcpTap upstreamTap() {
    return upstreamTap;
  }

  /**
   * Fails unless, for every client connection (in the order they were opened), Dovecot was sent
   * exactly what the client sent and the client was sent exactly what Dovecot sent. Waits for all
   * upstream connections to end first.
   */
  void assertTransparent(String what, List<byte[]> clientSent, List<byte[]> clientReceived)
      throws InterruptedException {
    List<TcpTap.Conversation> upstream = upstreamTap.awaitAllClosed(CLOSE_TIMEOUT);
    assertThat(upstream)
        .as("%s: upstream connections opened by the proxy", what)
        .hasSize(clientSent.size());
    for (int i = 0; i < upstream.size(); i++) {
      Transcripts.assertIdentical(
          what + ", connection " + i + ": what Dovecot received vs what the client sent",
          clientSent.get(i),
          upstream.get(i).fromClient());
      Transcripts.assertIdentical(
          what + ", connection " + i + ": what the client received vs what Dovecot sent",
          upstream.get(i).fromServer(),
          clientReceived.get(i));
    }
  }

  /** The same for connections recorded by a tap in front of the proxy. */
  void assertTransparent(String what, List<TcpTap.Conversation> front) throws InterruptedException {
    assertTransparent(
        what,
        front.stream().map(TcpTap.Conversation::fromClient).toList(),
        front.stream().map(TcpTap.Conversation::fromServer).toList());
  }

  /** Waits until the proxy has no open session (every client and upstream channel closed). */
  void awaitNoSessions() throws InterruptedException {
    long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
    while (proxy.openSessions() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(proxy.openSessions()).as("sessions still open in the proxy").isZero();
  }

  @Override
  public void close() throws IOException, InterruptedException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      proxy.shutdown(Duration.ofSeconds(2));
    } finally {
      upstreamTap.close();
      if (captures != null) {
        captures.close();
      }
    }
  }
}
