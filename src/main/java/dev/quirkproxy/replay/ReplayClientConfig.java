package dev.quirkproxy.replay;

import dev.quirkproxy.session.Protocol;
import java.time.Duration;
import java.util.Set;

/**
 * What {@code replay client} needs: the live server, the credentials to log in with instead of the
 * redacted ones, what the diff ignores, and how long to wait for an answer.
 *
 * @param host the live server's host
 * @param port its port
 * @param implicitTls true for {@code imaps://} or {@code pop3s://} (verified against the system
 *     trust store)
 * @param user the user name for LOGIN / AUTHENTICATE PLAIN (POP3: USER / AUTH PLAIN), or null to
 *     keep the recorded one
 * @param password the password, or null to send the recorded (possibly redacted) one
 * @param ignore what the semantic diff leaves out
 * @param timeout the longest wait for any answer
 * @param protocol what the live server speaks (a capture of the other protocol is refused)
 */
public record ReplayClientConfig(
    String host,
    int port,
    boolean implicitTls,
    String user,
    String password,
    Set<SemanticDiffIgnore> ignore,
    Duration timeout,
    Protocol protocol) {

  public ReplayClientConfig {
    ignore = Set.copyOf(ignore);
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
