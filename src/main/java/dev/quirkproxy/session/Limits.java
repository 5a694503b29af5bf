package dev.quirkproxy.session;

import java.time.Duration;

/**
 * Every length, size and time the proxy bounds per session, with defaults an experienced operator
 * expects: Dovecot's 64 KiB command line, a lower literal cap before login (a stranger should not
 * be able to make the proxy stream gigabytes), and RFC 9051 §5.4's 30-minute autologout floor.
 *
 * @param maxLineLength longest client line, line ending included
 * @param maxServerLineLength longest server line (a SEARCH answer for a big mailbox is long)
 * @param maxLiteralSize largest client literal after authentication (APPEND of a big message)
 * @param maxLiteralSizeBeforeAuth largest client literal before authentication
 * @param maxServerLiteralSize largest literal the server may announce
 * @param idleTimeout no traffic for this long after login closes the session
 * @param loginTimeout no traffic for this long before login closes the session
 */
public record Limits(
    int maxLineLength,
    int maxServerLineLength,
    long maxLiteralSize,
    long maxLiteralSizeBeforeAuth,
    long maxServerLiteralSize,
    Duration idleTimeout,
    Duration loginTimeout) {

  public static final int DEFAULT_MAX_LINE = 64 * 1024;
  public static final int DEFAULT_MAX_SERVER_LINE = 16 * 1024 * 1024;
  public static final long DEFAULT_MAX_LITERAL = 256L * 1024 * 1024;
  public static final long DEFAULT_MAX_LITERAL_BEFORE_AUTH = 64 * 1024;
  public static final long DEFAULT_MAX_SERVER_LITERAL = 16L * 1024 * 1024 * 1024;

  public Limits {
    if (maxLineLength < 64 || maxServerLineLength < 64) {
      throw new IllegalArgumentException("line limits must be at least 64 octets");
    }
    if (maxLiteralSize < 0 || maxLiteralSizeBeforeAuth < 0 || maxServerLiteralSize < 0) {
      throw new IllegalArgumentException("literal limits must not be negative");
    }
    if (idleTimeout.isNegative()
        || idleTimeout.isZero()
        || loginTimeout.isNegative()
        || loginTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
  }

  /** The defaults described above. */
  public static Limits defaults() {
    return new Limits(
        DEFAULT_MAX_LINE,
        DEFAULT_MAX_SERVER_LINE,
        DEFAULT_MAX_LITERAL,
        DEFAULT_MAX_LITERAL_BEFORE_AUTH,
        DEFAULT_MAX_SERVER_LITERAL,
        Duration.ofMinutes(30),
        Duration.ofMinutes(3));
  }
}
