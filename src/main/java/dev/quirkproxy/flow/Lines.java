package dev.quirkproxy.flow;

import dev.quirkproxy.codec.WirePart;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/** Builds replacement lines that keep the original's line ending (CRLF, or a lenient bare LF). */
final class Lines {

  private Lines() {}

  static ByteBuf withEndingOf(WirePart original, String text) {
    ByteBuf b = original.content();
    int n = b.readableBytes();
    boolean crlf = n >= 2 && b.getByte(b.readerIndex() + n - 2) == '\r';
    return Unpooled.copiedBuffer(text + (crlf ? "\r\n" : "\n"), StandardCharsets.ISO_8859_1);
  }
}
