package dev.quirkproxy.replay;

import dev.quirkproxy.session.Protocol;
import java.time.Duration;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * What {@code replay client} needs: the live server, the credentials to log in with instead of the
 * redacted ones, what the diff ignores, and how long to wait for an answer.
 *
 * @param host the live server's host
 * @param port its port
 * @param implicitTls true for {@code imaps://} or {@code pop3s://}
 * @param user the user name for LOGIN / AUTHENTICATE PLAIN (POP3: USER / AUTH PLAIN), or null to
 *     keep the recorded one
 * @param password the password, or null to send the recorded (possibly redacted) one
 * @param ignore what the semantic diff leaves out
 * @param timeout the longest wait for any answer
 * @param protocol what the live server speaks (a capture of the other protocol is refused)
 * @param startTls true for {@code ?tls=starttls}: STARTTLS (IMAP) or STLS (POP3) right after the
 *     greeting
 * @param tlsContext what TLS trusts (implicit or STARTTLS), or null for the system default
 * @param insecure no host-name verification (give a {@code tlsContext} that trusts everything too)
 */
public record ReplayClientConfig(
    String host,
    int port,
    boolean implicitTls,
    String user,
    String password,
    Set<SemanticDiffIgnore> ignore,
    Duration timeout,
    Protocol protocol,
    boolean startTls,
    SSLContext tlsContext,
    boolean insecure) {

  public ReplayClientConfig {
    ignore = Set.copyOf(ignore);
    if (implicitTls && startTls) {
      throw new IllegalArgumentException("implicit TLS and STARTTLS exclude each other");
    }
  }

  /** Plain or implicit TLS verified against the system trust store. */
  public ReplayClientConfig(
      String host,
      int port,
      boolean implicitTls,
      String user,
      String password,
      Set<SemanticDiffIgnore> ignore,
      Duration timeout,
      Protocol protocol) {
    this(host, port, implicitTls, user, password, ignore, timeout, protocol, false, null, false);
  }

  /** True when the connection is (or becomes) TLS. */
  public boolean tls() {
    return implicitTls || startTls;
  }

  /** The server as a URL, for messages. */
  public String where() {
    String scheme = protocol == Protocol.POP3 ? "pop3" : "imap";
    String h = host.contains(":") ? "[" + host + "]" : host;
    return scheme
        + (implicitTls ? "s" : "")
        + "://"
        + h
        + ":"
        + port
        + (startTls ? "?tls=starttls" : "");
  }

  /** An IMAP server. */
  public ReplayClientConfig(
      String host,
      int port,
      boolean implicitTls,
      String user,
      String password,
      Set<SemanticDiffIgnore> ignore,
      Duration timeout) {
    this(host, port, implicitTls, user, password, ignore, timeout, Protocol.IMAP);
  }
}
