package dev.quirkproxy.rules;

import java.util.Locale;
import java.util.Set;

/**
 * {@code rename-mailbox}: the client sees the upstream's mailbox {@code upstream} as {@code
 * client}, children included ({@code upstream/x} as {@code client/x}). Client commands that name a
 * mailbox have the name changed on the way up; LIST, LSUB, XLIST and STATUS responses on the way
 * down. Names are given as on the wire (modified UTF-7), quoted, atom or literal; a literal gets
 * its new size.
 */
final class MailboxRename {

  /** Commands whose first argument is a mailbox ({@code RENAME}: both). */
  private static final Set<String> FIRST =
      Set.of(
          "SELECT",
          "EXAMINE",
          "CREATE",
          "DELETE",
          "RENAME",
          "SUBSCRIBE",
          "UNSUBSCRIBE",
          "STATUS",
          "APPEND",
          "GETQUOTAROOT",
          "MYRIGHTS",
          "GETACL",
          "SETACL",
          "DELETEACL",
          "LISTRIGHTS");

  /** Commands whose last argument is a mailbox. */
  private static final Set<String> LAST = Set.of("COPY", "MOVE", "UID COPY", "UID MOVE");

  private final String upstream;
  private final String client;

  private MailboxRename(String upstream, String client) {
    this.upstream = upstream;
    this.client = client;
  }

  static RuleAction create(Params p) throws RuleException {
    p.allow("type", "upstream", "client");
    String upstream = p.string("upstream");
    String client = p.string("client");
    if (upstream.isEmpty() || client.isEmpty()) {
      throw p.error("'upstream' and 'client' must be mailbox names, not empty");
    }
    MailboxRename r = new MailboxRename(upstream, client);
    return (f, e) -> {
      if (f.fromClient()) {
        r.command(f, e);
      } else {
        r.response(f, e);
      }
    };
  }

  private void command(Frame f, Effect e) {
    String name = f.commandName();
    if (FIRST.contains(name)) {
      e.replaceFrame(
          rewrite(
              f, name.startsWith("UID ") ? 3 : 2, name.equals("RENAME") ? 2 : 1, client, upstream),
          true);
    } else if (LAST.contains(name)) {
      MailboxTokens t = MailboxTokens.of(f.image());
      e.replaceFrame(t.replace(t.count() - 1, client, upstream), true);
    } else if (name.equals("LIST") || name.equals("LSUB") || name.equals("XLIST")) {
      MailboxTokens t = MailboxTokens.of(f.image());
      // LIST [selection] reference pattern: the pattern is the last argument before RETURN.
      int pattern = t.indexBeforeReturn();
      e.replaceFrame(t.replace(pattern, client, upstream), true);
    }
  }

  private String rewrite(Frame f, int firstArg, int count, String from, String to) {
    MailboxTokens t = MailboxTokens.of(f.image());
    String out = null;
    for (int i = 0; i < count; i++) {
      out = t.replace(firstArg + i, from, to);
      t =
          MailboxTokens.of(
              FrameImage.of(out.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), true));
    }
    return out;
  }

  private void response(Frame f, Effect e) {
    String line = f.firstLine().toUpperCase(Locale.ROOT);
    MailboxTokens t = MailboxTokens.of(f.image());
    if (line.startsWith("* LIST ") || line.startsWith("* LSUB ") || line.startsWith("* XLIST ")) {
      // * LIST (attributes) delimiter name [extended items]
      e.replaceFrame(t.replace(4, upstream, client), true);
    } else if (line.startsWith("* STATUS ")) {
      e.replaceFrame(t.replace(2, upstream, client), true);
    }
  }

  /** {@code name} renamed when it is {@code from} or one of its children. */
  static String renamed(String name, String from, String to) {
    if (name.equals(from) || (from.equalsIgnoreCase("INBOX") && name.equalsIgnoreCase("INBOX"))) {
      return to;
    }
    if (name.length() > from.length()
        && name.startsWith(from)
        && isDelimiter(name.charAt(from.length()))) {
      return to + name.substring(from.length());
    }
    return null;
  }

  /**
   * The hierarchy delimiters servers use ({@code /}, {@code .}): {@code Sent/2024} is a child of
   * {@code Sent}; {@code Sent Items} and {@code Sent-2024} are other mailboxes.
   */
  private static boolean isDelimiter(char c) {
    return c == '/' || c == '.';
  }
}
