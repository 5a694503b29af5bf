package dev.quirkproxy.replay;

import dev.quirkproxy.session.Protocol;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A client command reduced to what matching compares: the words after the tag (RFC 9051 §9
 * top-level arguments: an atom, a quoted string, a parenthesised or bracketed group, or a literal),
 * normalised as asked. The tag is never part of it.
 */
final class CommandKey {

  static final String MASK = "[REDACTED]";
  private static final Pattern LITERAL_MARK = Pattern.compile("~?\\{\\d+[+-]?\\}$");
  private static final Pattern SEQUENCE_SET =
      Pattern.compile("(?:\\$|(?:\\d+|\\*)(?::(?:\\d+|\\*))?(?:,(?:\\d+|\\*)(?::(?:\\d+|\\*))?)*)");
  private static final char HOLE = '\u0001';

  private final List<String> words;
  private final String name;
  private final boolean redacted;

  private CommandKey(List<String> words, String name, boolean redacted) {
    this.words = words;
    this.name = name;
    this.redacted = redacted;
  }

  static CommandKey of(Protocol protocol, ClientCommand command, Set<Normalize> normalize) {
    List<String> words =
        protocol == Protocol.IMAP ? imapWords(command, normalize) : pop3Words(command);
    int verbs = words.size() > 1 && words.get(0).equalsIgnoreCase("UID") ? 2 : 1;
    verbs = Math.min(verbs, words.size());
    String name = String.join(" ", words.subList(0, verbs)).toUpperCase(Locale.ROOT);
    if (normalize.contains(Normalize.CASE)) {
      for (int i = 0; i < verbs; i++) {
        words.set(i, words.get(i).toUpperCase(Locale.ROOT));
      }
    }
    if (normalize.contains(Normalize.MAILBOXES) && protocol == Protocol.IMAP) {
      for (int at : mailboxArguments(name, words.subList(verbs, words.size()))) {
        words.set(verbs + at, "<mailbox>");
      }
    }
    if (normalize.contains(Normalize.UIDS)) {
      for (int i = verbs; i < words.size(); i++) {
        if (SEQUENCE_SET.matcher(words.get(i)).matches()) {
          words.set(i, "<set>");
        }
      }
    }
    return new CommandKey(List.copyOf(words), name, command.redacted());
  }

  /** The command name, upper case ({@code UID FETCH}, {@code RETR}); "" for an empty line. */
  String name() {
    return name;
  }

  /**
   * True when the live command {@code live} matches this recorded one: the same words, except that
   * a recorded word the recorder masked matches any word.
   */
  boolean matches(CommandKey live) {
    if (words.size() != live.words.size()) {
      return false;
    }
    for (int i = 0; i < words.size(); i++) {
      String mine = words.get(i);
      if (!mine.equals(live.words.get(i)) && !(redacted && mine.contains(MASK))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return String.join(" ", words);
  }

  private static List<String> pop3Words(ClientCommand command) {
    List<String> words = new ArrayList<>();
    for (String w : command.lines().get(0).split(" ", -1)) {
      if (!w.isEmpty()) {
        words.add(w);
      }
    }
    return words;
  }

  /** The words after the tag; each literal becomes one word holding its content (or a hole). */
  private static List<String> imapWords(ClientCommand command, Set<Normalize> normalize) {
    StringBuilder flat = new StringBuilder();
    List<String> lines = command.lines();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (i < command.literals().size()) {
        line = LITERAL_MARK.matcher(line).replaceFirst("");
        flat.append(line).append(HOLE).append(i).append(HOLE);
      } else {
        flat.append(line);
      }
    }
    String tag = command.tag();
    String rest = flat.length() > tag.length() ? flat.substring(tag.length() + 1) : "";
    List<String> words = new ArrayList<>();
    for (String w : split(rest)) {
      words.add(fillHoles(w, command.literals(), normalize.contains(Normalize.LITERALS)));
    }
    return words;
  }

  private static String fillHoles(String word, List<byte[]> literals, boolean ignore) {
    if (word.indexOf(HOLE) < 0) {
      return word;
    }
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < word.length()) {
      char c = word.charAt(i);
      int close = c == HOLE ? word.indexOf(HOLE, i + 1) : -1;
      if (close < 0) {
        out.append(c);
        i++;
        continue;
      }
      int n = Integer.parseInt(word.substring(i + 1, close));
      out.append("{literal")
          .append(ignore ? "" : ":" + new String(literals.get(n), StandardCharsets.ISO_8859_1))
          .append('}');
      i = close + 1;
    }
    return out.toString();
  }

  /** Splits at spaces outside quoted strings, parentheses and brackets. */
  static List<String> split(String text) {
    List<String> words = new ArrayList<>();
    int depth = 0;
    boolean quoted = false;
    int start = -1;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (start < 0) {
        if (c == ' ') {
          continue;
        }
        start = i;
      }
      if (quoted) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          quoted = false;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == '(' || c == '[') {
        depth++;
      } else if ((c == ')' || c == ']') && depth > 0) {
        depth--;
      } else if (c == ' ' && depth == 0) {
        words.add(text.substring(start, i));
        start = -1;
      }
    }
    if (start >= 0) {
      words.add(text.substring(start));
    }
    return words;
  }

  /** Which arguments of a command are mailbox names (RFC 9051 §6.3, RFC 3502, RFC 6851 …). */
  private static int[] mailboxArguments(String name, List<String> args) {
    String verb = name.startsWith("UID ") ? name.substring(4) : name;
    return switch (verb) {
      case "SELECT",
          "EXAMINE",
          "CREATE",
          "DELETE",
          "SUBSCRIBE",
          "UNSUBSCRIBE",
          "STATUS",
          "APPEND",
          "GETQUOTAROOT",
          "MYRIGHTS",
          "GETACL",
          "SETACL",
          "DELETEACL",
          "LISTRIGHTS" ->
          args.isEmpty() ? new int[0] : new int[] {0};
      case "RENAME" -> within(args, 0, 1);
      case "COPY", "MOVE" -> within(args, 1);
      case "LIST", "LSUB", "XLIST" ->
          !args.isEmpty() && args.get(0).startsWith("(") ? within(args, 1, 2) : within(args, 0, 1);
      default -> new int[0];
    };
  }

  private static int[] within(List<String> args, int... positions) {
    return java.util.Arrays.stream(positions).filter(p -> p < args.size()).toArray();
  }
}
