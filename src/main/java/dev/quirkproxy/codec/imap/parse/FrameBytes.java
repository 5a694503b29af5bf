package dev.quirkproxy.codec.imap.parse;

import dev.quirkproxy.codec.WirePart;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of one whole IMAP frame (a command or a response: its lines with their line endings and
 * the octets of its literals) held as the segments they arrived in, never copied. Positions are
 * offsets from the frame's first byte. Literal boundaries follow from the {@code {n}}
 * announcements, so segments may be cut anywhere.
 *
 * <p>The segments are shared, not owned: they must stay unchanged (and a {@link WirePart}'s buffer
 * retained) while this frame or anything parsed from it is in use.
 */
public final class FrameBytes {

  private final ByteBuffer[] segments;
  private final long[] starts;
  private final long length;
  private int current;

  private FrameBytes(List<ByteBuffer> parts) {
    List<ByteBuffer> kept = new ArrayList<>();
    for (ByteBuffer b : parts) {
      if (b.hasRemaining()) {
        kept.add(b.slice());
      }
    }
    segments = kept.toArray(new ByteBuffer[0]);
    starts = new long[segments.length + 1];
    for (int i = 0; i < segments.length; i++) {
      starts[i + 1] = starts[i] + segments[i].remaining();
    }
    length = starts[segments.length];
  }

  /** A frame held in one array. */
  public static FrameBytes of(byte[] whole) {
    return new FrameBytes(List.of(ByteBuffer.wrap(whole)));
  }

  /**
   * A frame held in one array and cut at the given offsets (e.g. where the framer saw literals
   * start and end); the cuts only decide the segments, they are not needed for parsing.
   */
  public static FrameBytes of(byte[] whole, int... cuts) {
    List<ByteBuffer> parts = new ArrayList<>();
    int from = 0;
    for (int cut : cuts) {
      if (cut < from || cut > whole.length) {
        throw new IllegalArgumentException("cut " + cut + " outside " + from + ".." + whole.length);
      }
      parts.add(ByteBuffer.wrap(whole, from, cut - from));
      from = cut;
    }
    parts.add(ByteBuffer.wrap(whole, from, whole.length - from));
    return new FrameBytes(parts);
  }

  /** A frame as its segments (lines with their endings, literal octets), each from its position. */
  public static FrameBytes of(List<ByteBuffer> segments) {
    return new FrameBytes(segments);
  }

  /**
   * A frame as the framer emitted it. The parts' buffers are viewed, not copied (a composite buffer
   * of several components is the exception: netty merges it into one array).
   */
  public static FrameBytes ofParts(List<WirePart> parts) {
    List<ByteBuffer> views = new ArrayList<>(parts.size());
    for (WirePart p : parts) {
      views.add(p.content().nioBuffer());
    }
    return new FrameBytes(views);
  }

  /** The number of octets in the frame. */
  public long length() {
    return length;
  }

  /** The octet at {@code pos}. */
  public byte at(long pos) {
    if (pos < starts[current] || pos >= starts[current + 1]) {
      current = segmentOf(pos);
    }
    return segments[current].get((int) (pos - starts[current]));
  }

  private int segmentOf(long pos) {
    if (pos < 0 || pos >= length) {
      throw new IndexOutOfBoundsException("position " + pos + " outside a frame of " + length);
    }
    int lo = 0;
    int hi = segments.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= pos) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  /** Views of the octets {@code from .. from+count}, sharing this frame's memory. */
  List<ByteBuffer> slice(long from, long count) {
    List<ByteBuffer> out = new ArrayList<>();
    if (count == 0) {
      return out;
    }
    long end = from + count;
    for (int i = segmentOf(from); i < segments.length && starts[i] < end; i++) {
      int a = (int) (Math.max(from, starts[i]) - starts[i]);
      int b = (int) (Math.min(end, starts[i + 1]) - starts[i]);
      ByteBuffer view = segments[i].duplicate();
      view.limit(b).position(a);
      out.add(view.slice());
    }
    return out;
  }

  /** The octets {@code from .. to} as text, one char per octet (ISO-8859-1). */
  String latin1(long from, long to) {
    StringBuilder sb = new StringBuilder((int) (to - from));
    for (long p = from; p < to; p++) {
      sb.append((char) (at(p) & 0xff));
    }
    return sb.toString();
  }

  /** A copy of the whole frame. */
  public byte[] toByteArray() {
    if (length > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("a frame of " + length + " octets does not fit an array");
    }
    byte[] out = new byte[(int) length];
    int at = 0;
    for (ByteBuffer s : segments) {
      int n = s.remaining();
      s.duplicate().get(out, at, n);
      at += n;
    }
    return out;
  }

  /** A frame from text, one octet per char (ISO-8859-1). */
  static FrameBytes ofLatin1(String text) {
    return of(text.getBytes(StandardCharsets.ISO_8859_1));
  }
}
