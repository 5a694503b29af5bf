package dev.quirkproxy.capture;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of an IMAP response line that legitimately differ between two runs against the same
 * mailbox: UIDVALIDITY (RFC 9051 §2.3.1.1) and the UIDVALIDITY inside APPENDUID / COPYUID (RFC
 * 4315), mod-sequences (RFC 7162) and INTERNALDATE. A test script exported from a capture writes
 * them in the target tool's wildcard form instead of the captured value.
 */
final class ScriptVariance {

  /** A piece of a line: fixed text, or a value that may vary. */
  record Segment(String text, boolean varies) {}

  private static final List<Pattern> RULES =
      List.of(
          Pattern.compile("(?i)\\[UIDVALIDITY (\\d+)\\]"),
          Pattern.compile("(?i)\\[HIGHESTMODSEQ (\\d+)\\]"),
          Pattern.compile("(?i)\\[(?:APPENDUID|COPYUID) (\\d+) "),
          Pattern.compile("(?i)(?<![\\[\\w.])UIDVALIDITY (\\d+)"),
          Pattern.compile("(?i)(?<![\\[\\w.])HIGHESTMODSEQ (\\d+)"),
          Pattern.compile("(?i)\\bMODSEQ \\((\\d+)\\)"),
          Pattern.compile("(?i)\\bINTERNALDATE (\"[^\"]*\")"));

  private ScriptVariance() {}

  /** The line cut into fixed and varying segments, left to right. */
  static List<Segment> split(String line) {
    List<int[]> ranges = new ArrayList<>();
    for (Pattern rule : RULES) {
      Matcher m = rule.matcher(line);
      while (m.find()) {
        ranges.add(new int[] {m.start(1), m.end(1)});
      }
    }
    ranges.sort(Comparator.comparingInt(r -> r[0]));
    List<Segment> segments = new ArrayList<>();
    int at = 0;
    for (int[] r : ranges) {
      if (r[0] < at) {
        continue;
      }
      if (r[0] > at) {
        segments.add(new Segment(line.substring(at, r[0]), false));
      }
      segments.add(new Segment(line.substring(r[0], r[1]), true));
      at = r[1];
    }
    if (at < line.length()) {
      segments.add(new Segment(line.substring(at), false));
    }
    return segments;
  }

  /** Where the human-readable text of a status response starts, or -1 if it is none. */
  static int statusTextStart(String line) {
    Matcher m = STATUS.matcher(line);
    if (!m.find()) {
      return -1;
    }
    int end = m.end();
    if (end < line.length() - 1 && line.charAt(end) == ' ' && line.charAt(end + 1) == '[') {
      int close = line.indexOf(']', end);
      return close < 0 ? -1 : close + 1;
    }
    return end;
  }

  /** {@code tag-or-* SP (OK / NO / BAD / BYE / PREAUTH)}, RFC 9051 §7.1. */
  private static final Pattern STATUS = Pattern.compile("^\\S+ (?i:OK|NO|BAD|BYE|PREAUTH)(?=$| )");
}
