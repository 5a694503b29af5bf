package dev.quirkproxy.session;

import dev.quirkproxy.codec.Literal;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.codec.imap.parse.FrameBytes;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Copies the parts of one IMAP frame that the tracker wants to parse. Lines are copied; a literal
 * larger than {@value #MAX_LITERAL} octets is left out and its announcement rewritten to {@code
 * {0}}, so a 50 MB FETCH costs the parse of its lines only. A frame larger than {@value #MAX_FRAME}
 * octets in all is given up.
 */
final class FrameCollector {

  static final int MAX_LITERAL = 8 * 1024;
  static final int MAX_FRAME = 1024 * 1024;

  private ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private boolean active;
  private boolean skipLiteral;
  private boolean gaveUp;

  /** Starts collecting with the frame's first part. */
  void start() {
    if (bytes.size() > MAX_LITERAL * 8) {
      bytes = new ByteArrayOutputStream();
    }
    bytes.reset();
    active = true;
    skipLiteral = false;
    gaveUp = false;
  }

  /** Stops collecting: the frame is of no interest. */
  void stop() {
    active = false;
  }

  boolean active() {
    return active;
  }

  /** Adds a part; returns the whole frame once its last part is in, else null. */
  FrameBytes add(WirePart part) {
    if (!active) {
      return null;
    }
    ByteBuf content = part.content();
    if (part.kind() == WirePart.Kind.LITERAL) {
      if (!skipLiteral && !gaveUp) {
        copy(content, content.readerIndex(), content.readableBytes());
      }
    } else if (part.isLine()) {
      skipLiteral = false;
      Literal literal = part.literal();
      if (literal != null && literal.size() > MAX_LITERAL) {
        skipLiteral = true;
        copyLineWithEmptyLiteral(content);
      } else {
        copy(content, content.readerIndex(), content.readableBytes());
      }
    }
    if (!part.frameEnd()) {
      return null;
    }
    active = false;
    if (gaveUp) {
      return null;
    }
    return FrameBytes.of(bytes.toByteArray());
  }

  /** True when the last frame was too large to keep. */
  boolean gaveUp() {
    return gaveUp;
  }

  private void copyLineWithEmptyLiteral(ByteBuf line) {
    int from = line.readerIndex();
    int brace = line.forEachByteDesc(from, line.readableBytes(), b -> b != '{');
    if (brace < 0) {
      copy(line, from, line.readableBytes());
      return;
    }
    copy(line, from, brace - from);
    byte[] empty = "{0}\r\n".getBytes(StandardCharsets.US_ASCII);
    bytes.write(empty, 0, empty.length);
  }

  private void copy(ByteBuf buf, int from, int length) {
    if (gaveUp || bytes.size() + (long) length > MAX_FRAME) {
      gaveUp = true;
      return;
    }
    byte[] chunk = new byte[length];
    buf.getBytes(from, chunk);
    bytes.write(chunk, 0, length);
  }
}
