package dev.quirkproxy.replay;

import dev.quirkproxy.codec.imap.ImapFrameDecoder;
import dev.quirkproxy.codec.imap.ImapFramingContext;
import dev.quirkproxy.codec.pop3.Pop3CommandDecoder;
import dev.quirkproxy.session.Protocol;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mock IMAP or POP3 server that plays one {@link Recording} to every client that connects (each
 * connection starts at the beginning of the capture). Plain TCP, or implicit TLS with a server
 * context. It can stand in for the upstream of {@code quirkproxy proxy}.
 */
public final class ReplayServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReplayServer.class);
  private static final int MAX_LINE = 64 * 1024;
  private static final long MAX_LITERAL = 256L * 1024 * 1024;

  private final Recording recording;
  private final ReplayOptions options;
  private final SslContext tls;
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final ChannelGroup open = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final AtomicInteger sessions = new AtomicInteger();
  private final AtomicInteger answered = new AtomicInteger();
  private final AtomicInteger misses = new AtomicInteger();
  private final CompletableFuture<String> failed = new CompletableFuture<>();
  private Channel server;

  /**
   * @param tls a server context for implicit TLS, or null for plain TCP
   */
  public ReplayServer(Recording recording, ReplayOptions options, SslContext tls) {
    this.recording = recording;
    this.options = options;
    this.tls = tls;
  }

  /** Binds {@code host:port} (0 picks a free port); returns the address bound. */
  public InetSocketAddress start(String host, int port) throws InterruptedException {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    sessions.incrementAndGet();
                    open.add(ch);
                    if (tls != null) {
                      ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                    }
                    ch.pipeline()
                        .addLast(
                            "framer",
                            recording.protocol() == Protocol.IMAP
                                ? new ImapFrameDecoder(ImapFrameDecoder.Side.CLIENT, FRAMING)
                                : new Pop3CommandDecoder(() -> MAX_LINE));
                    ch.pipeline().addLast("replay", new ReplaySession(recording, options, counts));
                  }
                });
    try {
      server = b.bind(host, port).sync().channel();
    } catch (RuntimeException | InterruptedException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
    InetSocketAddress bound = (InetSocketAddress) server.localAddress();
    log.info(
        "replaying {} ({} commands) on {}:{}",
        recording.protocol(),
        recording.commands(),
        host,
        bound.getPort());
    return bound;
  }

  /** Completes with what was missed when a miss happened under {@link MissPolicy#FAIL}. */
  public CompletableFuture<String> failed() {
    return failed;
  }

  public int sessions() {
    return sessions.get();
  }

  public int answered() {
    return answered.get();
  }

  public int misses() {
    return misses.get();
  }

  @Override
  public void close() {
    if (server != null) {
      server.close().syncUninterruptibly();
    }
    open.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final ReplaySession.Listener counts =
      new ReplaySession.Listener() {
        @Override
        public void answered() {
          answered.incrementAndGet();
        }

        @Override
        public void missed(String command, MissPolicy policy) {
          misses.incrementAndGet();
          if (policy == MissPolicy.FAIL) {
            failed.complete(command);
          }
        }
      };

  private static final ImapFramingContext FRAMING =
      new ImapFramingContext() {
        @Override
        public int maxLineLength() {
          return MAX_LINE;
        }

        @Override
        public long maxLiteralSize() {
          return MAX_LITERAL;
        }

        @Override
        public boolean literalRefused() {
          return false;
        }
      };
}
