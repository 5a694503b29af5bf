package dev.quirkproxy.config;

import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.translate.Pop3Translation;

/**
 * Which protocol pairs a listener may join, and the POP3-over-IMAP settings of a {@code translate:}
 * block (POP3 clients served from an IMAP upstream).
 */
public final class Translation {

  /** What a listener whose config is otherwise fine is refused for; null when it may run. */
  static String refusal(Protocol listen, Protocol upstream, TranslateSpec translate) {
    if (listen == Protocol.POP3 && upstream == Protocol.IMAP) {
      try {
        of(translate);
        return null;
      } catch (IllegalArgumentException e) {
        return "translate: " + e.getMessage();
      }
    }
    if (listen == Protocol.IMAP && upstream == Protocol.POP3) {
      return "an IMAP listener cannot be served from a POP3 upstream";
    }
    if (translate != null) {
      return "translate: applies only to a pop3 listener in front of an imap upstream";
    }
    return null;
  }

  /**
   * The translation a POP3 listener in front of an IMAP upstream runs with: the block's settings
   * over the defaults (INBOX, not marked seen, ascending UIDs).
   *
   * @throws IllegalArgumentException when a setting is not valid
   */
  public static Pop3Translation of(TranslateSpec translate) {
    Pop3Translation d = Pop3Translation.defaults();
    if (translate == null) {
      return d;
    }
    return new Pop3Translation(
        translate.pop3Mailbox == null ? d.mailbox() : translate.pop3Mailbox,
        translate.pop3MarkSeen == null ? d.markSeen() : translate.pop3MarkSeen,
        translate.pop3Order == null ? d.order() : Pop3Translation.Order.parse(translate.pop3Order));
  }

  private Translation() {}
}
