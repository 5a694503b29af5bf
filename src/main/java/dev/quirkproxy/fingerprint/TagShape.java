package dev.quirkproxy.fingerprint;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
 * @param count how many tags were seen
 * @param example the first tag seen
 */
public record TagShape(
    Kind kind,
    String prefix,
    int width,
    long first,
    long increment,
    long max,
    int count,
    String example) {

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

  /** No tags yet. */
  public static TagShape none() {
    return new TagShape(Kind.NONE, "", 0, 0, 0, 0, 0, "");
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
        + ")";
  }

  /** Infers the shape from tags in the order they were sent. */
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
      s = hex(t);
    }
    if (s == null) {
      s = new TagShape(Kind.RANDOM, "", commonLength(t), 0, 0, 0, t.size(), t.get(0));
    }
    return s;
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
          s.example());
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
        kind, prefix, width, first, usualStep(steps, n), max, counters.size(), example);
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
