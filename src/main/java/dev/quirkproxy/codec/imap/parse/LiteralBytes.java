package dev.quirkproxy.codec.imap.parse;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The octets of a literal as views into the frame it was parsed from: parsing never copies them. A
 * literal that arrived in several chunks is several views. Callers must not modify the views.
 *
 * @param offset the position of the first octet in the frame
 * @param size the number of octets
 * @param chunks views sharing the frame's memory, in order
 */
public record LiteralBytes(long offset, long size, List<ByteBuffer> chunks) {

  public LiteralBytes {
    chunks = List.copyOf(chunks);
  }

  /** Literal octets held in an array (for frames built rather than parsed). */
  public static LiteralBytes of(byte[] data) {
    return new LiteralBytes(-1, data.length, List.of(ByteBuffer.wrap(data)));
  }

  /** A copy of the octets; only for literals that fit an array. */
  public byte[] toByteArray() {
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("a literal of " + size + " octets does not fit an array");
    }
    byte[] out = new byte[(int) size];
    int at = 0;
    for (ByteBuffer c : chunks) {
      int n = c.remaining();
      c.duplicate().get(out, at, n);
      at += n;
    }
    return out;
  }

  /** The octets decoded with an explicit charset (a copy). */
  public String toString(Charset charset) {
    return new String(toByteArray(), charset);
  }

  /** The octets as text, one char per octet (ISO-8859-1). */
  public String latin1() {
    return toString(StandardCharsets.ISO_8859_1);
  }

  void writeTo(ByteArrayOutputStream out) {
    for (ByteBuffer c : chunks) {
      if (c.hasArray()) {
        out.write(c.array(), c.arrayOffset() + c.position(), c.remaining());
      } else {
        byte[] tmp = new byte[Math.min(c.remaining(), 64 * 1024)];
        ByteBuffer d = c.duplicate();
        while (d.hasRemaining()) {
          int n = Math.min(tmp.length, d.remaining());
          d.get(tmp, 0, n);
          out.write(tmp, 0, n);
        }
      }
    }
  }

  @Override
  public String toString() {
    return "LiteralBytes[offset=" + offset + ", size=" + size + ", chunks=" + chunks.size() + "]";
  }
}
