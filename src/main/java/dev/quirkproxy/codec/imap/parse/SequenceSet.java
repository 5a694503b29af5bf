package dev.quirkproxy.codec.imap.parse;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 9051 {@code sequence-set}: numbers and ranges separated by commas, {@code *} for the largest
 * number in use ({@link #STAR}), or {@code $} for the result of the last SEARCH (RFC 5182).
 *
 * @param ranges the ranges as written (a single number is a range of one)
 * @param saved true for {@code $}
 * @param text the set as written
 */
public record SequenceSet(List<Range> ranges, boolean saved, String text) {

  /** Stands for {@code *}. */
  public static final long STAR = Long.MAX_VALUE;

  /** RFC 9051 {@code seq-range} or a single {@code seq-number} ({@code first == last}). */
  public record Range(long first, long last) {
    public boolean contains(long n) {
      return n >= Math.min(first, last) && n <= Math.max(first, last);
    }
  }

  public SequenceSet {
    ranges = List.copyOf(ranges);
  }

  /** Reads a set; throws {@link IllegalArgumentException} saying what is wrong. */
  public static SequenceSet parse(String text) {
    if (text.equals("$")) {
      return new SequenceSet(List.of(), true, text);
    }
    if (text.isEmpty()) {
      throw new IllegalArgumentException("empty sequence set");
    }
    List<Range> ranges = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      int colon = part.indexOf(':');
      if (colon < 0) {
        long n = seqNumber(part, text);
        ranges.add(new Range(n, n));
      } else {
        ranges.add(
            new Range(
                seqNumber(part.substring(0, colon), text),
                seqNumber(part.substring(colon + 1), text)));
      }
    }
    return new SequenceSet(ranges, false, text);
  }

  /** RFC 9051 {@code seq-number}: {@code nz-number / "*"}. */
  private static long seqNumber(String s, String set) {
    if (s.equals("*")) {
      return STAR;
    }
    if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("'" + set + "' is not a sequence set");
    }
    long n = Long.parseLong(s);
    if (n == 0) {
      throw new IllegalArgumentException("'" + set + "' contains 0, sequence numbers start at 1");
    }
    return n;
  }

  /** True when {@code n} is in the set; {@code *} stands for {@code largest}. */
  public boolean contains(long n, long largest) {
    for (Range r : ranges) {
      long a = r.first() == STAR ? largest : r.first();
      long b = r.last() == STAR ? largest : r.last();
      if (new Range(a, b).contains(n)) {
        return true;
      }
    }
    return false;
  }
}
