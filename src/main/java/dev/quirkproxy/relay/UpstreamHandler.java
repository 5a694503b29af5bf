package dev.quirkproxy.relay;

import dev.quirkproxy.codec.WirePart;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/** Last handler of the upstream channel: hands every event to the {@link Relay}. */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

  private final Relay relay;

  UpstreamHandler(Relay relay) {
    this.relay = relay;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try (SessionMdc m = SessionMdc.of(relay.session())) {
      relay.serverPart((WirePart) msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    relay.upstreamReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    relay.upstreamWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      try (SessionMdc m = SessionMdc.of(relay.session())) {
        relay.upstreamInputShutdown();
      }
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    try (SessionMdc m = SessionMdc.of(relay.session())) {
      relay.upstreamClosed();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    try (SessionMdc m = SessionMdc.of(relay.session())) {
      relay.failed(cause, false);
    }
  }
}
