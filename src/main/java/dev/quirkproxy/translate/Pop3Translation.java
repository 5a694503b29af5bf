package dev.quirkproxy.translate;

import java.util.Locale;

/**
 * How POP3 clients are served from an IMAP upstream.
 *
 * @param mailbox the IMAP mailbox that is the POP3 maildrop, as sent in SELECT (INBOX by default)
 * @param markSeen whether RETR marks the message {@code \Seen} (fetches {@code BODY[]} rather than
 *     {@code BODY.PEEK[]}); TOP never does
 * @param order how message numbers follow UIDs
 */
public record Pop3Translation(String mailbox, boolean markSeen, Order order) {

  /** Message numbers 1..n in UID order, oldest first, or newest first. */
  public enum Order {
    UID,
    UID_DESC;

    /** Parses {@code uid} or {@code uid-desc}. */
    public static Order parse(String text) {
      return switch (text.strip().toLowerCase(Locale.ROOT)) {
        case "uid" -> UID;
        case "uid-desc" -> UID_DESC;
        default ->
            throw new IllegalArgumentException(
                "message order '" + text + "' is not one of: uid, uid-desc");
      };
    }
  }

  public Pop3Translation {
    if (mailbox == null || mailbox.isEmpty()) {
      throw new IllegalArgumentException("the POP3 mailbox name is empty");
    }
    for (int i = 0; i < mailbox.length(); i++) {
      char c = mailbox.charAt(i);
      if (c < ' ' || c == 0x7f) {
        throw new IllegalArgumentException("the POP3 mailbox name holds a control character");
      }
    }
  }

  /** INBOX, not marked seen, UID order. */
  public static Pop3Translation defaults() {
    return new Pop3Translation("INBOX", false, Order.UID);
  }
}
