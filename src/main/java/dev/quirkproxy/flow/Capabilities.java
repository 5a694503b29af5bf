package dev.quirkproxy.flow;

import dev.quirkproxy.codec.imap.ImapSyntax;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Rewrites IMAP capability lists where they appear: an untagged {@code * CAPABILITY} response (RFC
 * 9051 §7.2.2) and a {@code [CAPABILITY ...]} response code in a greeting or tagged OK (§7.1).
 * Everything else on the line stays as it was.
 */
public final class Capabilities {

  private static final String UNTAGGED = "* CAPABILITY ";
  private static final String CODE = "[CAPABILITY ";
  private static final Set<String> STATUS = Set.of("OK", "NO", "BAD", "PREAUTH", "BYE");

  private Capabilities() {}

  /**
   * @return the line with its capability list passed through {@code edit}, or null when the line
   *     holds no capability list or {@code edit} changed nothing
   */
  public static String rewrite(String line, UnaryOperator<List<String>> edit) {
    int start;
    int end;
    if (line.regionMatches(true, 0, UNTAGGED, 0, UNTAGGED.length())) {
      start = UNTAGGED.length();
      end = line.length();
    } else {
      // Only the code right after a status: "[CAPABILITY " elsewhere (a FETCH'd subject, the
      // free text) is not a capability list.
      int code = codeStart(line);
      if (code < 0 || !line.regionMatches(true, code, CODE, 0, CODE.length())) {
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

  /**
   * Where a status response's {@code resp-text-code} would start ({@code tag SP status SP}), or -1.
   */
  private static int codeStart(String line) {
    ImapSyntax.ResponseStart r = ImapSyntax.responseStart(line);
    if (r.status() == null || !STATUS.contains(r.status())) {
      return -1;
    }
    return r.tag().length() + 1 + r.status().length() + 1;
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
