package dev.quirkproxy.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * Opens the upstream connection of a session on the client's own event loop, so both channels of a
 * session are served by one thread and need no locking.
 */
final class UpstreamConnector {

  private final ProxyConfig config;

  UpstreamConnector(ProxyConfig config) {
    this.config = config;
  }

  void connect(SessionRelay relay) {
    Channel client = relay.client();
    Framers.ServerFramer framer = Framers.serverFramer(relay.session());
    ChannelFuture f =
        new Bootstrap()
            .group(client.eventLoop())
            .channel(NioSocketChannel.class)
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline().addLast("framer", framer.handler());
                    ch.pipeline().addLast("relay", new UpstreamHandler(relay));
                  }
                })
            .connect(config.upstream().host(), config.upstream().port());
    f.addListener(
        done -> {
          try (SessionMdc m = SessionMdc.of(relay.session())) {
            if (done.isSuccess()) {
              relay.upstreamConnected(f.channel(), framer.atFrameBoundary());
            } else {
              relay.upstreamUnreachable(done.cause());
            }
          }
        });
  }
}
