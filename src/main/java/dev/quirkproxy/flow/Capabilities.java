package dev.quirkproxy.flow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Rewrites IMAP capability lists where they appear: an untagged {@code * CAPABILITY} response (RFC
 * 9051 §7.2.2) and a {@code [CAPABILITY ...]} response code in a greeting or tagged OK (§7.1).
 * Everything else on the line stays as it was.
 */
public final class Capabilities {

  private static final String UNTAGGED = "* CAPABILITY ";
  private static final String CODE = "[CAPABILITY ";

  private Capabilities() {}

  /**
   * @return the line with its capability list passed through {@code edit}, or null when the line
   *     holds no capability list or {@code edit} changed nothing
   */
  public static String rewrite(String line, UnaryOperator<List<String>> edit) {
    String upper =
        line.length() > 64
            ? line.substring(0, 64).toUpperCase(Locale.ROOT)
            : line.toUpperCase(Locale.ROOT);
    int start;
    int end;
    if (upper.startsWith(UNTAGGED)) {
      start = UNTAGGED.length();
      end = line.length();
    } else {
      int code = upper.indexOf(CODE);
      if (code < 0) {
        return null;
      }
      start = code + CODE.length();
      end = line.indexOf(']', start);
      if (end < 0) {
        return null;
      }
    }
    List<String> before =
        new ArrayList<>(Arrays.asList(line.substring(start, end).trim().split(" +")));
    List<String> after = edit.apply(new ArrayList<>(before));
    if (after.equals(before)) {
      return null;
    }
    return line.substring(0, start) + String.join(" ", after) + line.substring(end);
  }

  /** True if {@code capability} names the same capability as {@code name} (case-insensitive). */
  public static boolean is(String capability, String name) {
    return capability.equalsIgnoreCase(name);
  }

  /** True for {@code NAME=...} forms such as {@code AUTH=PLAIN} when {@code prefix} is "AUTH=". */
  public static boolean startsWith(String capability, String prefix) {
    return capability.regionMatches(true, 0, prefix, 0, prefix.length());
  }
}
