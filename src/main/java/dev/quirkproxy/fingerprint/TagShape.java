package dev.quirkproxy.fingerprint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The shape of a connection's command tags (RFC 9051 §2.2.1 leaves the format to the client, so
 * each client library has its own): the kind, the constant prefix, the counter's width and zero
 * padding, its first value and increment.
 *
 * @param kind how the tags are built
 * @param prefix the constant letters before the counter ("" for none; for DOTTED the connection
 *     number after the dot)
 * @param width the counter's width when zero-padded (A0001: 4); 0 when not padded; -n when every
 *     counter had n digits without a leading zero, so padding cannot be told
 * @param first the first counter value seen
 * @param increment the usual step between consecutive tags (0 when unknown)
 * @param max the largest counter value seen
 * @param count how many tags the shape was inferred from (outliers not counted)
 * @param example the first tag of the shape
 * @param outliers how many tags were set aside as not fitting the shape (see {@link #infer})
 * @param outlierExample the first tag set aside ("" for none)
 */
public record TagShape(
    Kind kind,
    String prefix,
    int width,
    long first,
    long increment,
    long max,
    int count,
    String example,
    int outliers,
    String outlierExample) {

  /** How tags are built. */
  public enum Kind {
    /** No tags seen yet. */
    NONE,
    /** Optional letters, then a decimal counter: {@code 1}, {@code A0001}, {@code TAG4}. */
    DECIMAL,
    /** {@code <command#>.<connection#>}: Apple Mail, older iOS Mail. */
    DOTTED,
    /** A hexadecimal counter: {@code 9}, {@code A} (imapflow); {@code 0000000a} (c-client). */
    HEX,
    /** Python imaplib: four random letters A–P, then a decimal counter from 0. */
    IMAPLIB,
    /** No counter: random or varying tags (go-imap v1). */
    RANDOM
  }

  /** How many tags a shape is inferred from at most. */
  static final int MAX_TAGS = 24;

  /**
   * At most one tag in this many may be set aside as an outlier when no shape fits them all
   * (besides tags that are a command's name, which are always set aside).
   */
  static final int OUTLIER_RATIO = 5;

  /**
   * IMAP command names (RFC 9051 and common extensions). A tag equal to one is a fixed word, not a
   * counter: node-imap tags its IDLE and NOOP commands {@code IDLE} and {@code NOOP}.
   */
  private static final Set<String> COMMAND_NAMES =
      Set.of(
          "APPEND",
          "AUTHENTICATE",
          "CAPABILITY",
          "CHECK",
          "CLOSE",
          "COMPRESS",
          "COPY",
          "CREATE",
          "DELETE",
          "DONE",
          "ENABLE",
          "EXAMINE",
          "EXPUNGE",
          "FETCH",
          "GETQUOTAROOT",
          "ID",
          "IDLE",
          "LIST",
          "LOGIN",
          "LOGOUT",
          "LSUB",
          "MOVE",
          "NAMESPACE",
          "NOOP",
          "RENAME",
          "SEARCH",
          "SELECT",
          "STARTTLS",
          "STATUS",
          "STORE",
          "SUBSCRIBE",
          "UID",
          "UNSELECT",
          "UNSUBSCRIBE",
          "XLIST");

  /** No tags yet. */
  public static TagShape none() {
    return new TagShape(Kind.NONE, "", 0, 0, 0, 0, 0, "", 0, "");
  }

  /** Whether a tag is an IMAP command's name (case-insensitive), e.g. node-imap's {@code IDLE}. */
  public static boolean isCommandName(String tag) {
    return COMMAND_NAMES.contains(tag.toUpperCase(Locale.ROOT));
  }

  /** The shape in words, e.g. {@code prefix "A", 4 digits zero-padded, from 1, step 1}. */
  public String describe() {
    if (kind == Kind.NONE) {
      return "no tags";
    }
    String w =
        width > 0
            ? width + " digits zero-padded"
            : width < 0 ? (-width) + " digits (padding unknown)" : "not padded";
    return switch (kind) {
          case DOTTED ->
              "N.M dotted (command.connection), connection " + prefix + ", from " + first;
          case RANDOM -> "random/varying tags (no counter), e.g. " + example;
          case IMAPLIB -> "imaplib style: 4 letters A-P \"" + prefix + "\" + counter from " + first;
          default ->
              (kind == Kind.HEX ? "hex counter" : "decimal counter")
                  + (prefix.isEmpty() ? "" : " after prefix \"" + prefix + "\"")
                  + ", "
                  + w
                  + ", from "
                  + first
                  + (increment != 0 ? ", step " + increment : "");
        }
        + " ("
        + count
        + " tags, e.g. "
        + example
        + (outliers == 0
            ? ""
            : "; "
                + outliers
                + " other tag"
                + (outliers == 1 ? "" : "s")
                + " set aside, e.g. "
                + outlierExample)
        + ")";
  }

  /**
   * Infers the shape from tags in the order they were sent (the first {@value #MAX_TAGS}). When no
   * shape fits every tag, a few outliers are set aside rather than calling the whole connection
   * random: tags that are a command's name (node-imap's {@code IDLE IDLE}), and otherwise at most
   * one tag in {@value #OUTLIER_RATIO} that the shape of the others cannot read. At least two tags
   * must fit. A letter-prefixed counter with an outlier is preferred to reading every tag as hex
   * ({@code A0001} is a hex string too); a bare counter with an outlier is tried after hex, so
   * imapflow's {@code 9}, {@code A} stays a hex counter.
   */
  public static TagShape infer(List<String> tags) {
    if (tags.isEmpty()) {
      return none();
    }
    List<String> t = tags.size() > MAX_TAGS ? tags.subList(0, MAX_TAGS) : tags;
    TagShape s = dotted(t);
    if (s == null) {
      s = decimal(t);
    }
    if (s == null) {
      s = tolerant(t, false);
    }
    if (s == null) {
      s = hex(t);
    }
    if (s == null) {
      s = tolerant(t, true);
    }
    if (s == null) {
      s = new TagShape(Kind.RANDOM, "", commonLength(t), 0, 0, 0, t.size(), t.get(0), 0, "");
    }
    return s;
  }

  /** A shape every tag fits, or null. */
  private static TagShape strict(List<String> t) {
    TagShape s = dotted(t);
    if (s == null) {
      s = decimal(t);
    }
    if (s == null) {
      s = hex(t);
    }
    return s;
  }

  /**
   * A shape that fits all but a few outliers, or null.
   *
   * @param any false: only dotted tags and letter-prefixed counters; true: bare and hex counters
   */
  private static TagShape tolerant(List<String> t, boolean any) {
    List<String> words = new ArrayList<>();
    List<String> rest = new ArrayList<>();
    for (String tag : t) {
      (isCommandName(tag) ? words : rest).add(tag);
    }
    if (!words.isEmpty() && rest.size() >= 2) {
      TagShape s = any ? strict(rest) : dotted(rest);
      if (s == null && !any) {
        s = decimal(rest);
        s = s != null && s.prefix().isEmpty() ? null : s;
      }
      if (s != null) {
        return s.withOutliers(words);
      }
    }
    int allowed = t.size() / OUTLIER_RATIO;
    List<Kind> kinds = any ? List.of(Kind.DECIMAL, Kind.HEX) : List.of(Kind.DOTTED, Kind.DECIMAL);
    for (Kind kind : kinds) {
      List<String> group = largestGroup(rest, kind, any);
      int others = rest.size() - group.size();
      if (group.size() < 2 || others == 0 || others > allowed) {
        continue;
      }
      TagShape s = strict(group);
      if (s != null) {
        List<String> aside = new ArrayList<>();
        for (String tag : t) {
          if (!group.contains(tag)) {
            aside.add(tag);
          }
        }
        return s.withOutliers(aside);
      }
    }
    return null;
  }

  /**
   * The largest set of tags one shape of this kind could read alike: dotted tags with the same
   * connection number, decimal tags with the same letter prefix (an empty one only if {@code
   * bare}), or hex counters.
   */
  private static List<String> largestGroup(List<String> tags, Kind kind, boolean bare) {
    Map<String, List<String>> groups = new LinkedHashMap<>();
    for (String tag : tags) {
      String key = groupKey(tag, kind);
      if (key != null && (bare || kind != Kind.DECIMAL || !key.isEmpty())) {
        groups.computeIfAbsent(key, k -> new ArrayList<>()).add(tag);
      }
    }
    List<String> best = List.of();
    for (List<String> g : groups.values()) {
      if (g.size() > best.size()) {
        best = g;
      }
    }
    return best;
  }

  private static String groupKey(String tag, Kind kind) {
    switch (kind) {
      case DOTTED -> {
        int dot = tag.indexOf('.');
        return dot > 0 && digits(tag.substring(0, dot)) && digits(tag.substring(dot + 1))
            ? tag.substring(dot + 1)
            : null;
      }
      case DECIMAL -> {
        int i = 0;
        while (i < tag.length() && isLetter(tag.charAt(i))) {
          i++;
        }
        return digits(tag.substring(i)) ? tag.substring(0, i) : null;
      }
      default -> {
        for (int i = 0; i < tag.length(); i++) {
          if (Character.digit(tag.charAt(i), 16) < 0) {
            return null;
          }
        }
        return tag.isEmpty() ? null : "";
      }
    }
  }

  private TagShape withOutliers(List<String> aside) {
    return new TagShape(
        kind,
        prefix,
        width,
        first,
        increment,
        max,
        count,
        example,
        aside.size(),
        aside.isEmpty() ? "" : aside.get(0));
  }

  private static TagShape dotted(List<String> tags) {
    List<String> counters = new ArrayList<>();
    String conn = null;
    for (String tag : tags) {
      int dot = tag.indexOf('.');
      if (dot <= 0 || dot == tag.length() - 1) {
        return null;
      }
      String a = tag.substring(0, dot);
      String b = tag.substring(dot + 1);
      if (!digits(a) || !digits(b)) {
        return null;
      }
      conn = conn == null ? b : conn;
      counters.add(a);
    }
    return counted(Kind.DOTTED, conn, counters, 10, tags.get(0));
  }

  private static TagShape decimal(List<String> tags) {
    String prefix = null;
    List<String> counters = new ArrayList<>();
    for (String tag : tags) {
      int i = 0;
      while (i < tag.length() && isLetter(tag.charAt(i))) {
        i++;
      }
      String p = tag.substring(0, i);
      String d = tag.substring(i);
      if (d.isEmpty() || !digits(d) || (prefix != null && !prefix.equals(p))) {
        return null;
      }
      prefix = p;
      counters.add(d);
    }
    TagShape s = counted(Kind.DECIMAL, prefix, counters, 10, tags.get(0));
    if (s != null && prefix.length() == 4 && allAtoP(prefix) && s.first() <= 1) {
      return new TagShape(
          Kind.IMAPLIB,
          prefix,
          s.width(),
          s.first(),
          s.increment(),
          s.max(),
          s.count(),
          s.example(),
          0,
          "");
    }
    return s;
  }

  private static TagShape hex(List<String> tags) {
    boolean letter = false;
    for (String tag : tags) {
      for (int i = 0; i < tag.length(); i++) {
        char c = tag.charAt(i);
        if (Character.digit(c, 16) < 0) {
          return null;
        }
        letter |= c > '9';
      }
    }
    return letter ? counted(Kind.HEX, "", tags, 16, tags.get(0)) : null;
  }

  private static TagShape counted(
      Kind kind, String prefix, List<String> counters, int radix, String example) {
    long first = -1;
    long prev = -1;
    long max = 0;
    int len = -1;
    boolean lengthsVary = false;
    boolean leadingZero = false;
    long[] steps = new long[counters.size()];
    int n = 0;
    for (String d : counters) {
      if (d.length() > 15) {
        return null;
      }
      long v = Long.parseLong(d, radix);
      leadingZero |= d.length() > 1 && d.charAt(0) == '0';
      lengthsVary |= len >= 0 && len != d.length();
      len = Math.max(len, d.length());
      if (first < 0) {
        first = v;
      } else {
        steps[n++] = v - prev;
      }
      prev = v;
      max = Math.max(max, v);
    }
    int width = leadingZero ? len : lengthsVary || len == 1 ? 0 : -len;
    return new TagShape(
        kind, prefix, width, first, usualStep(steps, n), max, counters.size(), example, 0, "");
  }

  /** The most common positive step (pipelined or retried commands may break the pattern). */
  private static long usualStep(long[] steps, int n) {
    long best = 0;
    int bestCount = 0;
    for (int i = 0; i < n; i++) {
      if (steps[i] <= 0) {
        continue;
      }
      int c = 0;
      for (int j = 0; j < n; j++) {
        c += steps[j] == steps[i] ? 1 : 0;
      }
      if (c > bestCount) {
        best = steps[i];
        bestCount = c;
      }
    }
    return best;
  }

  private static int commonLength(List<String> tags) {
    int len = tags.get(0).length();
    for (String t : tags) {
      if (t.length() != len) {
        return 0;
      }
    }
    return len;
  }

  private static boolean digits(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static boolean isLetter(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  }

  private static boolean allAtoP(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < 'A' || s.charAt(i) > 'P') {
        return false;
      }
    }
    return true;
  }

  /** The kind's name as the catalog writes it. */
  static String kindName(Kind k) {
    return k.name().toLowerCase(Locale.ROOT);
  }
}
