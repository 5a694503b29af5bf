package dev.quirkproxy.relay;

import dev.quirkproxy.capture.SessionCapture;
import dev.quirkproxy.codec.WirePart;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;

/** Last handler of the client channel: hands every event to the {@link Relay}. */
final class ClientHandler extends ChannelInboundHandlerAdapter {

  private final Relay relay;
  private final UpstreamConnector connector;

  ClientHandler(Relay relay, UpstreamConnector connector) {
    this.relay = relay;
    this.connector = connector;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    SessionCapture capture = relay.capture();
    if (capture == null) {
      try (SessionMdc m = SessionMdc.of(relay.session())) {
        connector.connect(relay);
      }
      return;
    }
    // Nothing is relayed before the capture is open (or known to have failed).
    capture
        .ready()
        .whenComplete(
            (ok, error) ->
                ctx.channel()
                    .eventLoop()
                    .execute(
                        () -> {
                          try (SessionMdc m = SessionMdc.of(relay.session())) {
                            if (!relay.closing()) {
                              connector.connect(relay);
                            }
                          }
                        }));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try (SessionMdc m = SessionMdc.of(relay.session())) {
      relay.clientPart((WirePart) msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    relay.clientReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    relay.clientWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    try (SessionMdc m = SessionMdc.of(relay.session())) {
      if (evt instanceof IdleStateEvent) {
        relay.checkIdle();
      } else if (evt instanceof SslHandshakeCompletionEvent hs && !hs.isSuccess()) {
        relay.clientTlsFailed(hs.cause());
      } else if (evt instanceof ChannelInputShutdownEvent) {
        relay.clientInputShutdown();
      }
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    try (SessionMdc m = SessionMdc.of(relay.session())) {
      relay.clientClosed();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    try (SessionMdc m = SessionMdc.of(relay.session())) {
      relay.failed(cause, true);
    }
  }
}
