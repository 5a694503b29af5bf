package dev.quirkproxy.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * What every framer shares: one {@code final} template method around the protocol-specific step, so
 * a broken limit is reported once (the stream cannot be framed any more and the session ends; later
 * reads and the close are discarded, not reported again), and a way to throw away buffered bytes
 * after STARTTLS/STLS.
 */
public abstract class FramingDecoder extends ByteToMessageDecoder {

  protected final LineFinder lineFinder = new LineFinder();
  private boolean failed;

  @Override
  protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    try {
      decodeParts(in, out);
    } catch (LimitExceededException e) {
      failed = true;
      in.skipBytes(in.readableBytes());
      throw e;
    }
  }

  /**
   * Emits at most one {@link WirePart} from {@code in}, so the next handler has seen it before the
   * framer looks at the following bytes; emits nothing when more bytes are needed.
   */
  protected abstract void decodeParts(ByteBuf in, List<Object> out);

  /** True between frames: nothing of a frame has been emitted unfinished. */
  public abstract boolean atFrameBoundary();

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
