package dev.quirkproxy.flow;

import dev.quirkproxy.codec.Literal;
import dev.quirkproxy.codec.WirePart;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/** Parts and buffers for interceptor tests. */
final class FlowParts {

  private FlowParts() {}

  /** A first line of a frame; it announces the literal at its end, if any. */
  static WirePart first(String bytes) {
    String text = bytes.replaceAll("\r?\n$", "");
    Literal literal = Literal.atEndOf(text);
    return WirePart.line(
        Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1), true, literal == null, literal);
  }

  /** A line in the middle of a frame (after a literal). */
  static WirePart middle(String bytes) {
    String text = bytes.replaceAll("\r?\n$", "");
    Literal literal = Literal.atEndOf(text);
    return WirePart.line(
        Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1), false, literal == null, literal);
  }

  /** Reads and releases. */
  static String drain(ByteBuf b) {
    try {
      return b.toString(StandardCharsets.ISO_8859_1);
    } finally {
      b.release();
    }
  }

  static String text(ByteBuf b) {
    return b.toString(StandardCharsets.ISO_8859_1);
  }
}
