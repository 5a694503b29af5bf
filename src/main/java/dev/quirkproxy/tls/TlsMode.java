package dev.quirkproxy.tls;

import java.util.Locale;

/**
 * How one side of a session is protected: not at all, TLS from the first byte, or STARTTLS/STLS.
 */
public enum TlsMode {
  /** Plain text throughout. */
  NONE,
  /** TLS from the first byte (RFC 8314 implicit TLS: ports 993, 995). */
  IMPLICIT,
  /** Plain greeting, then STARTTLS (IMAP, RFC 9051 §6.2.1) or STLS (POP3, RFC 2595 §4). */
  STARTTLS;

  /** Parses {@code none}, {@code implicit}, {@code starttls} (any case; {@code stls} too). */
  public static TlsMode parse(String text) {
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "none", "plain", "off" -> NONE;
      case "implicit", "tls", "ssl" -> IMPLICIT;
      case "starttls", "stls" -> STARTTLS;
      default ->
          throw new IllegalArgumentException(
              "unknown TLS mode '" + text + "': use none, implicit or starttls");
    };
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
