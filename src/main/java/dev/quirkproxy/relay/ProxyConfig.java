package dev.quirkproxy.relay;

import dev.quirkproxy.session.Limits;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.translate.Pop3Translation;
import java.time.Duration;

/**
 * Everything one listener needs, fixed at start.
 *
 * @param listen where clients connect
 * @param upstream the server every session is relayed to
 * @param limits per-session bounds
 * @param connectTimeout how long to wait for the upstream's TCP connection
 * @param hideCompress remove COMPRESS from the client's view of CAPABILITY (on by default)
 * @param translation how POP3 clients are served from an IMAP upstream, when {@code listen} is POP3
 *     and {@code upstream} IMAP; null when both speak the same protocol
 */
public record ProxyConfig(
    Endpoint listen,
    Endpoint upstream,
    Limits limits,
    Duration connectTimeout,
    boolean hideCompress,
    Pop3Translation translation) {

  public ProxyConfig {
    boolean pop3OverImap =
        listen.protocol() == Protocol.POP3 && upstream.protocol() == Protocol.IMAP;
    if (listen.protocol() != upstream.protocol() && !pop3OverImap) {
      throw new IllegalArgumentException(
          "listening for "
              + listen.protocol()
              + " in front of a "
              + upstream.protocol()
              + " upstream is not available: only POP3 clients can be served from an IMAP"
              + " upstream");
    }
    if (pop3OverImap && translation == null) {
      translation = Pop3Translation.defaults();
    }
    if (!pop3OverImap) {
      translation = null;
    }
  }

  /** A config without translation options (the defaults apply for POP3 over IMAP). */
  public ProxyConfig(
      Endpoint listen,
      Endpoint upstream,
      Limits limits,
      Duration connectTimeout,
      boolean hideCompress) {
    this(listen, upstream, limits, connectTimeout, hideCompress, null);
  }

  /** A config with default limits and timeouts. */
  public static ProxyConfig of(Endpoint listen, Endpoint upstream) {
    return new ProxyConfig(listen, upstream, Limits.defaults(), Duration.ofSeconds(10), true);
  }

  /** True when POP3 clients are served from an IMAP upstream. */
  public boolean translating() {
    return translation != null;
  }
}
