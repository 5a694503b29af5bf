package dev.quirkproxy.translate;

import java.util.Locale;

/**
 * A POP3 command line (RFC 1939 §3): a keyword and arguments separated by spaces.
 *
 * @param name the keyword, upper-case
 * @param rest everything after the keyword and its space (USER's name, PASS's password, which may
 *     hold spaces)
 * @param args the arguments split on spaces
 */
record Pop3Command(String name, String rest, String[] args) {

  static Pop3Command parse(String line) {
    String text = line;
    while (text.endsWith("\r") || text.endsWith("\n")) {
      text = text.substring(0, text.length() - 1);
    }
    int sp = text.indexOf(' ');
    String name = (sp < 0 ? text : text.substring(0, sp)).strip().toUpperCase(Locale.ROOT);
    String rest = sp < 0 ? "" : text.substring(sp + 1);
    String trimmed = rest.strip();
    String[] args = trimmed.isEmpty() ? new String[0] : trimmed.split(" +");
    return new Pop3Command(name, rest, args);
  }

  /** A non-negative decimal argument (at most 9 digits), or -1. */
  static long number(String arg) {
    if (arg.isEmpty() || arg.length() > 9) {
      return -1;
    }
    for (int i = 0; i < arg.length(); i++) {
      if (arg.charAt(i) < '0' || arg.charAt(i) > '9') {
        return -1;
      }
    }
    return Long.parseLong(arg);
  }
}
