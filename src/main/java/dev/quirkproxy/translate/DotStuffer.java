package dev.quirkproxy.translate;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Turns message octets into a POP3 multi-line body as they stream by (RFC 1939 §3): a line that
 * starts with "." gets another, a bare LF becomes CRLF, and {@link #end} closes the body with CRLF
 * "." CRLF (adding the line break a message without a final one lacks). Optionally passes only a
 * number of lines (TOP). Holds no message bytes: each chunk in gives one chunk out.
 */
final class DotStuffer {

  private boolean lineStart = true;
  private boolean afterCr;
  private boolean lastLineEmpty;
  private long lineLength;
  private long linesLeft = -1;

  /** From now on, passes {@code lines} more lines and then nothing (TOP's line count). */
  void limitLines(long lines) {
    this.linesLeft = lines;
  }

  /** True once the line limit is reached: further octets are dropped. */
  boolean cut() {
    return linesLeft == 0;
  }

  /** True when everything so far ended with a line break. */
  boolean atLineStart() {
    return lineStart;
  }

  /** True when the last complete line was empty and nothing followed it (a header's end). */
  boolean endsWithBlankLine() {
    return lineStart && lastLineEmpty;
  }

  /** The stuffed form of {@code in}'s readable bytes (not consumed); the caller owns the result. */
  ByteBuf stuff(ByteBuf in, ByteBufAllocator alloc) {
    int from = in.readerIndex();
    int end = in.writerIndex();
    ByteBuf out = alloc.buffer(end - from + 16);
    int run = from;
    for (int i = from; i < end && linesLeft != 0; i++) {
      byte b = in.getByte(i);
      if (lineStart && b == '.') {
        out.writeBytes(in, run, i - run).writeByte('.');
        run = i;
      } else if (b == '\n' && !afterCr) {
        out.writeBytes(in, run, i - run).writeByte('\r');
        run = i;
      }
      afterCr = b == '\r';
      lineStart = b == '\n';
      if (lineStart) {
        lastLineEmpty = lineLength == 0;
        lineLength = 0;
      } else if (b != '\r') {
        lineLength++;
      }
      if (lineStart && linesLeft > 0) {
        linesLeft--;
        if (linesLeft == 0) {
          out.writeBytes(in, run, i + 1 - run);
          return out;
        }
      }
    }
    if (linesLeft != 0) {
      out.writeBytes(in, run, end - run);
    }
    return out;
  }

  /** The end of the body: a line break if the message lacked a final one, then "." CRLF. */
  ByteBuf end() {
    String tail = lineStart ? ".\r\n" : afterCr ? "\n.\r\n" : "\r\n.\r\n";
    lineStart = true;
    afterCr = false;
    return Unpooled.copiedBuffer(tail, StandardCharsets.US_ASCII);
  }
}
