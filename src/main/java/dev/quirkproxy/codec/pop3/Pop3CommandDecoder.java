package dev.quirkproxy.codec.pop3;

import dev.quirkproxy.codec.LimitExceededException;
import dev.quirkproxy.codec.LineFinder;
import dev.quirkproxy.codec.WirePart;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * Splits a POP3 client stream into lines (RFC 1939 §3): every command, and every SASL response of
 * an AUTH exchange (RFC 5034), is one line and one frame. Pipelined commands (RFC 2449) simply
 * arrive as several lines in one read.
 */
public final class Pop3CommandDecoder extends ByteToMessageDecoder {

  private final IntSupplier maxLineLength;
  private final LineFinder lineFinder = new LineFinder();
  private boolean failed;

  public Pop3CommandDecoder(IntSupplier maxLineLength) {
    this.maxLineLength = maxLineLength;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    int length;
    try {
      length = lineFinder.find(in, maxLineLength.getAsInt(), "client line");
    } catch (LimitExceededException e) {
      // Report once, not again on every later read and on close; the session ends.
      failed = true;
      in.skipBytes(in.readableBytes());
      throw e;
    }
    if (length > 0) {
      out.add(WirePart.line(in.readRetainedSlice(length), true, true, null));
    }
  }

  /**
   * Throws away bytes received but not yet framed, and returns how many there were: after
   * STARTTLS/STLS, plain-text bytes pipelined behind the command must never be read as if they had
   * come through TLS (the CVE-2011-0411 class).
   */
  public int discardBuffered() {
    ByteBuf buffered = internalBuffer();
    int n = buffered.readableBytes();
    buffered.skipBytes(n);
    lineFinder.reset();
    return n;
  }
}
