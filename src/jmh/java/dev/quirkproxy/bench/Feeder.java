package dev.quirkproxy.bench;

import dev.quirkproxy.codec.FramingDecoder;
import dev.quirkproxy.codec.WirePart;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;

/**
 * Feeds a byte stream to a framer in an {@link EmbeddedChannel} the way the relay receives it:
 * pooled direct buffers of {@link Inputs#READ_SIZE} octets. Every emitted part is counted and
 * released at once.
 */
final class Feeder {

  private final FramingDecoder decoder;
  private final EmbeddedChannel channel;
  private final PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
  long parts;
  long partBytes;

  Feeder(FramingDecoder decoder) {
    this.decoder = decoder;
    this.channel =
        new EmbeddedChannel(
            decoder,
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                WirePart p = (WirePart) msg;
                parts++;
                partBytes += p.content().readableBytes();
                p.release();
              }
            });
  }

  /** Feeds the whole stream; returns the parts emitted (for the blackhole). */
  long feed(byte[] stream) {
    long before = parts;
    for (int i = 0; i < stream.length; i += Inputs.READ_SIZE) {
      int n = Math.min(Inputs.READ_SIZE, stream.length - i);
      ByteBuf buf = alloc.directBuffer(n, n);
      buf.writeBytes(stream, i, n);
      channel.writeInbound(buf);
    }
    return parts - before;
  }

  /** Checks the stream was framed whole: every byte emitted, the framer between frames. */
  void check(byte[] stream, String what) {
    long beforeBytes = partBytes;
    long n = feed(stream);
    if (partBytes - beforeBytes != stream.length || !decoder.atFrameBoundary()) {
      throw new IllegalStateException(what + ": framing lost bytes or ended mid-frame");
    }
    System.out.printf(
        java.util.Locale.ROOT,
        "%n[%s] %d bytes/op, %d parts/op, read size %d%n",
        what,
        stream.length,
        n,
        Inputs.READ_SIZE);
  }

  void close() {
    channel.finishAndReleaseAll();
  }
}
