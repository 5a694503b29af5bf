package dev.quirkproxy.relay;

import dev.quirkproxy.session.Limits;
import java.time.Duration;

/**
 * Everything one listener needs, fixed at start.
 *
 * @param listen where clients connect
 * @param upstream the server every session is relayed to
 * @param limits per-session bounds
 * @param connectTimeout how long to wait for the upstream's TCP connection
 * @param hideCompress remove COMPRESS from the client's view of CAPABILITY (on by default)
 */
public record ProxyConfig(
    Endpoint listen,
    Endpoint upstream,
    Limits limits,
    Duration connectTimeout,
    boolean hideCompress) {

  public ProxyConfig {
    if (listen.protocol() != upstream.protocol()) {
      throw new IllegalArgumentException(
          "listening for "
              + listen.protocol()
              + " in front of a "
              + upstream.protocol()
              + " upstream needs protocol translation, which is not available yet");
    }
  }

  /** A config with default limits and timeouts. */
  public static ProxyConfig of(Endpoint listen, Endpoint upstream) {
    return new ProxyConfig(listen, upstream, Limits.defaults(), Duration.ofSeconds(10), true);
  }
}
