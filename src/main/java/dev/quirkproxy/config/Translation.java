package dev.quirkproxy.config;

import dev.quirkproxy.session.Protocol;

/**
 * Which protocol pairs a listener may join. Serving POP3 clients from an IMAP upstream (a {@code
 * translate:} block) is part of the format but not of this build: such a listener is refused here,
 * in one place, until the translating relay is wired in.
 */
final class Translation {

  /** What a listener whose config is otherwise fine is refused for; null when it may run. */
  static String refusal(Protocol listen, Protocol upstream, TranslateSpec translate) {
    if (listen == Protocol.POP3 && upstream == Protocol.IMAP) {
      return "POP3-to-IMAP translation is not available in this build";
    }
    if (listen == Protocol.IMAP && upstream == Protocol.POP3) {
      return "an IMAP listener cannot be served from a POP3 upstream";
    }
    if (translate != null) {
      return "translate: applies only to a pop3 listener in front of an imap upstream";
    }
    return null;
  }

  private Translation() {}
}
