package dev.quirkproxy.codec.imap.parse;

import java.nio.charset.StandardCharsets;

/**
 * RFC 9051 {@code mailbox}: the name as sent (one char per octet) and decoded: modified UTF-7 (RFC
 * 3501 §5.1.3), or UTF-8 when the name has 8-bit octets (RFC 6855 UTF8=ACCEPT). A name that is
 * neither decodes to itself.
 *
 * @param name the astring's value as sent
 * @param decoded the name for humans
 */
public record Mailbox(String name, String decoded) {

  public static Mailbox of(String name) {
    if (name.chars().anyMatch(c -> c >= 0x80)) {
      return new Mailbox(
          name, new String(name.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
    }
    String d = ModifiedUtf7.decode(name);
    return new Mailbox(name, d == null ? name : d);
  }

  /** {@code INBOX} is case-insensitive (RFC 9051 §5.1). */
  public boolean isInbox() {
    return name.equalsIgnoreCase("INBOX");
  }
}
