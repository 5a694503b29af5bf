package dev.quirkproxy.codec;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Finds the end of a line in a cumulation buffer without rescanning bytes already looked at, so a
 * line trickling in one byte at a time costs O(n), not O(n²).
 */
public final class LineFinder {

  private int scanned;

  /**
   * @return the length of the first complete line (LF included) in {@code in}, or -1 if no LF has
   *     arrived yet
   * @throws LimitExceededException when the line is, or would become, longer than {@code max}
   */
  public int find(ByteBuf in, int max, String what) {
    int start = in.readerIndex();
    int from = start + scanned;
    int lf = in.forEachByte(from, in.writerIndex() - from, ByteProcessor.FIND_LF);
    if (lf < 0) {
      scanned = in.readableBytes();
      if (scanned > max) {
        throw new LimitExceededException(what, scanned, max);
      }
      return -1;
    }
    scanned = 0;
    int length = lf - start + 1;
    if (length > max) {
      throw new LimitExceededException(what, length, max);
    }
    return length;
  }

  /** Forgets any partial scan (after the buffer was consumed elsewhere). */
  public void reset() {
    scanned = 0;
  }
}
