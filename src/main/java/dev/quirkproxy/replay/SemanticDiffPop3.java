package dev.quirkproxy.replay;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Compares what the upstream answered one POP3 command in a capture with what a live server
 * answered it (RFC 1939): the status ({@code +OK}/{@code -ERR}) always; its text only with {@code
 * --no-ignore text}, except where it is data: STAT's count and size, LIST n's size, UIDL n's
 * unique-id. Multi-line answers: LIST and UIDL scan listings, CAPA and a bare AUTH as a multiset of
 * lines (UIDL's unique-ids masked under {@link SemanticDiffIgnore#UIDL}); RETR and TOP by content,
 * dot-stuffing removed, shown as {@code {N octets, sha256 …}} when long. Differences are one line
 * each: {@code - } only recorded, {@code + } only live, {@code ~ } changed.
 */
final class SemanticDiffPop3 {

  /** Bodies longer than this are shown by size and hash. */
  private static final int SHOWN = 120;

  /** An APOP timestamp in a greeting (RFC 1939 §7): new on every connection. */
  private static final Pattern APOP_STAMP = Pattern.compile("<[^<>@]*@[^<>]*>");

  private final Set<SemanticDiffIgnore> ignore;

  SemanticDiffPop3(Set<SemanticDiffIgnore> ignore) {
    this.ignore =
        ignore.isEmpty() ? EnumSet.noneOf(SemanticDiffIgnore.class) : EnumSet.copyOf(ignore);
  }

  /** True when a {@code +OK} to this command opens a dot-terminated body. */
  static boolean multiLine(String command) {
    String[] w = command.strip().split(" +");
    return switch (w[0].toUpperCase(Locale.ROOT)) {
      case "RETR", "TOP", "CAPA" -> true;
      case "LIST", "UIDL", "AUTH" -> w.length == 1;
      default -> false;
    };
  }

  /**
   * The differences between two answers to one command.
   *
   * @param command the command line as recorded ({@code ""} for the greeting)
   * @param recorded the recorded answer: status line, then the body with its {@code .CRLF}
   * @param live the live answer, likewise
   */
  List<String> diff(String command, byte[] recorded, byte[] live) {
    Answer r = Answer.of(recorded);
    Answer l = Answer.of(live);
    List<String> out = new ArrayList<>();
    if (!r.status().equals(l.status())) {
      out.add("~ status: recorded " + r.statusLine() + ", live " + l.statusLine());
      return out;
    }
    String[] w = command.strip().split(" +");
    String name = w[0].toUpperCase(Locale.ROOT);
    boolean argument = w.length > 1;
    if (!r.ok()) {
      text(r.text(), l.text(), out);
      return out;
    }
    switch (name) {
      case "STAT" -> {
        field("count", word(r.text(), 0), word(l.text(), 0), out);
        field("size", word(r.text(), 1), word(l.text(), 1), out);
      }
      case "LIST" -> {
        if (argument) {
          field("size", word(r.text(), 1), word(l.text(), 1), out);
        } else {
          lines(scan(r.body(), false), scan(l.body(), false), out);
        }
      }
      case "UIDL" -> {
        if (argument) {
          if (!ignore.contains(SemanticDiffIgnore.UIDL)) {
            field("unique-id", word(r.text(), 1), word(l.text(), 1), out);
          }
        } else {
          boolean mask = ignore.contains(SemanticDiffIgnore.UIDL);
          lines(scan(r.body(), mask), scan(l.body(), mask), out);
        }
      }
      case "RETR", "TOP" -> {
        String rb = content(r.body());
        String lb = content(l.body());
        if (!rb.equals(lb)) {
          out.add("~ body: recorded " + shown(rb) + ", live " + shown(lb));
        }
      }
      default -> {
        text(r.text(), l.text(), out);
        if (r.body() != null || l.body() != null) {
          lines(unstuffed(r.body()), unstuffed(l.body()), out);
        }
      }
    }
    if (name.equals("RETR") || name.equals("TOP") || name.equals("LIST") && !argument) {
      text(r.text(), l.text(), out);
    }
    return out;
  }

  /** The status text, compared only with {@code --no-ignore text}; dates masked unless asked. */
  private void text(String recorded, String live, List<String> out) {
    if (ignore.contains(SemanticDiffIgnore.TEXT)) {
      return;
    }
    String r = masked(recorded);
    String l = masked(live);
    if (!r.equals(l)) {
      out.add("~ text: recorded " + r + ", live " + l);
    }
  }

  private String masked(String text) {
    String t = APOP_STAMP.matcher(text).replaceAll("<*>");
    return ignore.contains(SemanticDiffIgnore.DATES)
        ? SemanticDiff.DATE_LIKE.matcher(t).replaceAll("*")
        : t;
  }

  private static void field(String what, String recorded, String live, List<String> out) {
    if (!recorded.equals(live)) {
      out.add("~ " + what + ": recorded " + recorded + ", live " + live);
    }
  }

  /** Lines compared as a multiset: {@code - } only recorded, then {@code + } only live. */
  private static void lines(List<String> recorded, List<String> live, List<String> out) {
    List<String> onlyR = new ArrayList<>(recorded);
    List<String> onlyL = new ArrayList<>();
    for (String s : live) {
      if (!onlyR.remove(s)) {
        onlyL.add(s);
      }
    }
    onlyR.forEach(s -> out.add("- " + s));
    onlyL.forEach(s -> out.add("+ " + s));
  }

  /** A LIST or UIDL scan listing: {@code n value}, spaces normalised, the value masked if asked. */
  private static List<String> scan(List<String> body, boolean maskValue) {
    List<String> out = new ArrayList<>();
    for (String s : unstuffed(body)) {
      String[] w = s.strip().split(" +", 2);
      out.add(w.length < 2 ? w[0] : w[0] + " " + (maskValue ? "*" : w[1]));
    }
    return out;
  }

  private static List<String> unstuffed(List<String> body) {
    List<String> out = new ArrayList<>();
    if (body != null) {
      for (String s : body) {
        out.add(s.startsWith(".") ? s.substring(1) : s);
      }
    }
    return out;
  }

  /** A message (RETR, TOP) as stored: dot-stuffing removed, every line ending CRLF. */
  private static String content(List<String> body) {
    StringBuilder b = new StringBuilder();
    for (String s : unstuffed(body)) {
      b.append(s).append("\r\n");
    }
    return b.toString();
  }

  static String shown(String latin1) {
    if (latin1.length() <= SHOWN
        && latin1.chars().allMatch(c -> c >= 0x20 && c < 0x7f || c == '\r' || c == '\n')) {
      return "\"" + latin1.replace("\r\n", "\\r\\n") + "\"";
    }
    return "{" + latin1.length() + " octets, sha256 " + sha256(latin1) + "}";
  }

  private static String sha256(String latin1) {
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256").digest(latin1.getBytes(StandardCharsets.ISO_8859_1));
      return HexFormat.of().formatHex(h, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  private static String word(String text, int i) {
    String[] w = text.strip().split(" +");
    return i < w.length ? w[i] : "(none)";
  }

  /**
   * One answer.
   *
   * @param status {@code +OK}, {@code -ERR} or what else the line starts with
   * @param text the rest of the status line
   * @param body the body's lines without endings and without the terminating dot, or null
   */
  private record Answer(String status, String text, List<String> body) {

    boolean ok() {
      return status.equals("+OK");
    }

    String statusLine() {
      return text.isEmpty() ? status : status + " " + text;
    }

    static Answer of(byte[] bytes) {
      String all = new String(bytes, StandardCharsets.ISO_8859_1);
      List<String> lines = new ArrayList<>(all.lines().toList());
      String first = lines.isEmpty() ? "" : lines.remove(0);
      String[] w = first.split(" ", 2);
      List<String> body = null;
      if (!lines.isEmpty()) {
        body = lines;
        if (body.get(body.size() - 1).equals(".")) {
          body.remove(body.size() - 1);
        }
      }
      return new Answer(w[0], w.length > 1 ? w[1].strip() : "", body);
    }
  }
}
