package dev.quirkproxy.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * A client version condition: {@code 115.2} (exactly, or any 115.2.x), or comparisons joined by
 * spaces or commas: {@code >= 91}, {@code >= 17 < 18.2}. Versions compare number by number.
 */
final class VersionRange {

  private record Bound(String op, int[] version) {}

  private final List<Bound> bounds;
  private final String text;

  private VersionRange(List<Bound> bounds, String text) {
    this.bounds = bounds;
    this.text = text;
  }

  /** Reads a condition; throws {@link IllegalArgumentException} saying what is wrong. */
  static VersionRange parse(String text) {
    List<Bound> bounds = new ArrayList<>();
    String rest = text.replace(",", " ").trim();
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("an empty version condition");
    }
    while (!rest.isEmpty()) {
      String op = "=";
      for (String o : new String[] {">=", "<=", "!=", ">", "<", "="}) {
        if (rest.startsWith(o)) {
          op = o;
          rest = rest.substring(o.length()).trim();
          break;
        }
      }
      int end = 0;
      while (end < rest.length()
          && (Character.isDigit(rest.charAt(end)) || rest.charAt(end) == '.')) {
        end++;
      }
      if (end == 0) {
        throw new IllegalArgumentException(
            "'" + text + "' is not a version condition (e.g. 115.2, >= 91, >= 17 < 18.2)");
      }
      bounds.add(new Bound(op, numbers(rest.substring(0, end))));
      rest = rest.substring(end).trim();
    }
    return new VersionRange(bounds, text);
  }

  /** True when {@code version} (e.g. {@code 128.3.1}) meets every comparison. */
  boolean contains(String version) {
    if (version == null) {
      return false;
    }
    int[] v;
    try {
      v = numbers(version.replaceAll("[^0-9.].*$", ""));
    } catch (IllegalArgumentException e) {
      return false;
    }
    for (Bound b : bounds) {
      int c = compare(v, b.version(), b.op().equals("=") || b.op().equals("!="));
      boolean ok =
          switch (b.op()) {
            case ">=" -> c >= 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            case "<" -> c < 0;
            case "!=" -> c != 0;
            default -> c == 0;
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Number by number; with {@code prefix}, {@code 115.2.1} equals {@code 115.2}. */
  private static int compare(int[] a, int[] b, boolean prefix) {
    int n = prefix ? b.length : Math.max(a.length, b.length);
    for (int i = 0; i < n; i++) {
      int x = i < a.length ? a[i] : 0;
      int y = i < b.length ? b[i] : 0;
      if (x != y) {
        return Integer.compare(x, y);
      }
    }
    return 0;
  }

  private static int[] numbers(String v) {
    if (v.isEmpty() || v.startsWith(".") || v.endsWith(".") || v.contains("..")) {
      throw new IllegalArgumentException("'" + v + "' is not a version");
    }
    String[] parts = v.split("\\.");
    int[] out = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      if (parts[i].length() > 9) {
        throw new IllegalArgumentException("'" + v + "' is not a version");
      }
      out[i] = Integer.parseInt(parts[i]);
    }
    return out;
  }

  @Override
  public String toString() {
    return text;
  }
}
