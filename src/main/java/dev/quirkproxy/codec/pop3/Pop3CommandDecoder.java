package dev.quirkproxy.codec.pop3;

import dev.quirkproxy.codec.FramingDecoder;
import dev.quirkproxy.codec.WirePart;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * Splits a POP3 client stream into lines (RFC 1939 §3): every command, and every SASL response of
 * an AUTH exchange (RFC 5034), is one line and one frame. Pipelined commands (RFC 2449) simply
 * arrive as several lines in one read.
 */
public final class Pop3CommandDecoder extends FramingDecoder {

  private final IntSupplier maxLineLength;

  public Pop3CommandDecoder(IntSupplier maxLineLength) {
    this.maxLineLength = maxLineLength;
  }

  @Override
  protected void decodeParts(ByteBuf in, List<Object> out) {
    int length = lineFinder.find(in, maxLineLength.getAsInt(), "client line");
    if (length > 0) {
      out.add(WirePart.line(in.readRetainedSlice(length), true, true, null));
    }
  }

  @Override
  public boolean atFrameBoundary() {
    return true;
  }
}
