package dev.quirkproxy.rules;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;

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
      if (e.frame() == null) {
        return;
      }
      FrameImage edited =
          f.fromClient()
              ? command(e.frame(), f.commandName(), name -> renamed(name, r.client, r.upstream))
              : response(e.frame(), name -> renamed(name, r.upstream, r.client));
      replace(e, edited);
    };
  }

  /** Puts {@code edited} in the effect's place when it differs from the frame there. */
  static void replace(Effect e, FrameImage edited) {
    if (edited != e.frame()) {
      e.replaceFrame(new String(edited.encode(), StandardCharsets.ISO_8859_1), true);
    }
  }

  /**
   * A command ({@code name}: {@link Frame#commandName()}) with every mailbox it names passed
   * through {@code rename} (null: unchanged): the first argument of SELECT, EXAMINE, CREATE,
   * DELETE, SUBSCRIBE, UNSUBSCRIBE, STATUS, APPEND, the ACL and quota commands, both of RENAME, the
   * last of COPY and MOVE, and the pattern of LIST, LSUB and XLIST (not their reference). The same
   * image when nothing changes.
   */
  static FrameImage command(FrameImage image, String name, UnaryOperator<String> rename) {
    if (FIRST.contains(name)) {
      int first = name.startsWith("UID ") ? 3 : 2;
      FrameImage out = MailboxTokens.of(image).rename(first, rename);
      if (name.equals("RENAME")) {
        // Positions are those of the edited frame's tokens: scan it again.
        out = MailboxTokens.of(out).rename(first + 1, rename);
      }
      return out;
    }
    if (LAST.contains(name)) {
      MailboxTokens t = MailboxTokens.of(image);
      return t.rename(t.count() - 1, rename);
    }
    if (name.equals("LIST") || name.equals("LSUB") || name.equals("XLIST")) {
      MailboxTokens t = MailboxTokens.of(image);
      // LIST [selection] reference pattern: the pattern is the last argument before RETURN.
      return t.rename(t.indexBeforeReturn(), rename);
    }
    return image;
  }

  /**
   * The index of the mailbox name among the tokens of a response's first line: 4 in {@code * LIST
   * (attributes) delimiter name} (and LSUB, XLIST), 2 in {@code * STATUS name (…)}, else -1.
   */
  static int responseNameIndex(String firstLine) {
    String line = firstLine.toUpperCase(Locale.ROOT);
    if (line.startsWith("* LIST ") || line.startsWith("* LSUB ") || line.startsWith("* XLIST ")) {
      return 4;
    }
    return line.startsWith("* STATUS ") ? 2 : -1;
  }

  /**
   * A response with the mailbox it names (LIST, LSUB, XLIST, STATUS) passed through {@code rename}
   * (null: unchanged); the same image when nothing changes.
   */
  static FrameImage response(FrameImage image, UnaryOperator<String> rename) {
    int index = responseNameIndex(image.firstLine());
    return index < 0 ? image : MailboxTokens.of(image).rename(index, rename);
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
