package dev.quirkproxy.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * A literal announced at the end of a line (RFC 9051 §4.3 {@code literal}, RFC 7888 {@code
 * literal-plus}, RFC 3516 {@code literal8}).
 *
 * @param size the octet count announced
 * @param synchronizing {@code {n}} from a client: the sender waits for a {@code +} continuation
 * @param binary {@code ~{n}} (literal8): may contain NUL
 */
public record Literal(long size, boolean synchronizing, boolean binary) {

  /**
   * Reads the literal announced at the very end of a line, if any. Accepts {@code {n}}, {@code
   * {n+}}, the tolerated {@code {n-}}, and a {@code ~} prefix for literal8.
   *
   * @param line the buffer holding the line
   * @param from index of the line's first byte
   * @param end index just after the last byte before the line ending
   * @return the literal, or null when the line does not end in one
   */
  public static Literal atEndOf(ByteBuf line, int from, int end) {
    int i = end - 1;
    if (i - from < 2 || line.getByte(i) != '}') {
      return null;
    }
    i--;
    boolean sync = true;
    byte mark = line.getByte(i);
    if (mark == '+' || mark == '-') {
      sync = false;
      i--;
    }
    int digitsEnd = i + 1;
    long size = 0;
    long scale = 1;
    boolean overflow = false;
    while (i >= from && isDigit(line.getByte(i))) {
      if (digitsEnd - i > 18) {
        overflow = true;
      } else {
        size += (line.getByte(i) - '0') * scale;
        scale *= 10;
      }
      i--;
    }
    if (i == digitsEnd - 1 || i < from || line.getByte(i) != '{') {
      return null;
    }
    boolean binary = i > from && line.getByte(i - 1) == '~';
    return new Literal(overflow ? Long.MAX_VALUE : size, sync, binary);
  }

  /** The same for a line held as text (one char per octet). */
  public static Literal atEndOf(CharSequence line) {
    ByteBuf buf = Unpooled.wrappedBuffer(line.toString().getBytes(StandardCharsets.ISO_8859_1));
    return atEndOf(buf, 0, buf.writerIndex());
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }
}
