package dev.quirkproxy.relay;

import dev.quirkproxy.codec.FramingDecoder;
import dev.quirkproxy.tls.TlsMode;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

/**
 * Opens the upstream connection of a session on the client's own event loop, so both channels of a
 * session are served by one thread and need no locking; sets up the upstream's TLS (implicit, or
 * STARTTLS/STLS done by the proxy itself) before the relay starts.
 */
final class UpstreamConnector {

  private final ProxyConfig config;
  private final SslContext tls;

  UpstreamConnector(ProxyConfig config, SslContext tls) {
    this.config = config;
    this.tls = tls;
  }

  void connect(Relay relay) {
    Channel client = relay.client();
    FramingDecoder framer = Framers.serverFramer(relay.upstreamSession());
    Endpoint up = config.upstream();
    ChannelFuture f =
        new Bootstrap()
            .group(client.eventLoop())
            .channel(Transport.socketChannel(client.eventLoop()))
            .option(ChannelOption.ALLOCATOR, Transport.ALLOCATOR)
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    if (up.tls() == TlsMode.IMPLICIT) {
                      ch.pipeline().addLast("tls", newHandler(ch));
                    }
                    ch.pipeline().addLast("framer", framer);
                    if (up.tls() == TlsMode.STARTTLS) {
                      ch.pipeline()
                          .addLast(
                              "starttls",
                              new UpstreamStartTls(relay, framer, () -> newHandler(ch)));
                    }
                    ch.pipeline().addLast("relay", new UpstreamHandler(relay));
                  }
                })
            .connect(up.host(), up.port());
    f.addListener(
        done -> {
          try (SessionMdc m = SessionMdc.of(relay.session())) {
            if (!done.isSuccess()) {
              relay.upstreamUnreachable(done.cause());
              return;
            }
            Channel ch = f.channel();
            if (relay.closing()) {
              // The session ended while the connection was being made: nobody needs it now.
              ch.close();
              return;
            }
            relay.upstreamAttached(ch);
            switch (up.tls()) {
              case NONE -> relay.upstreamConnected(ch, framer::atFrameBoundary);
              case IMPLICIT -> {
                ch.pipeline()
                    .get(SslHandler.class)
                    .handshakeFuture()
                    .addListener(
                        hs -> {
                          try (SessionMdc m2 = SessionMdc.of(relay.session())) {
                            if (hs.isSuccess()) {
                              relay.upstreamConnected(ch, framer::atFrameBoundary);
                            } else {
                              relay.upstreamTlsFailed(ch, "TLS handshake failed", hs.cause());
                            }
                          }
                        });
                ch.read();
              }
              // The proxy reads the greeting, asks for STARTTLS/STLS, then hands over
              // (UpstreamStartTls).
              case STARTTLS -> ch.read();
              default -> throw new IllegalStateException(up.tls().name());
            }
          }
        });
  }

  /** A TLS handler that sends SNI and checks the certificate against the upstream's host name. */
  private SslHandler newHandler(Channel ch) {
    SslHandler handler =
        tls.newHandler(ch.alloc(), config.upstream().host(), config.upstream().port());
    handler.setHandshakeTimeoutMillis(config.connectTimeout().toMillis());
    return handler;
  }
}
