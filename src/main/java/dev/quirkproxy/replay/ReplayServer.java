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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mock IMAP or POP3 server that plays {@link Recording}s to the clients that connect: with one,
 * every connection plays it; with several (all of one protocol), each new connection plays the next
 * one in the given order, round robin. Each connection starts at the beginning of its capture.
 * Plain TCP, implicit TLS with a server context, or plain TCP offering STARTTLS/STLS with one
 * (answered by the replay itself, see {@link ReplaySession}). It can stand in for the upstream of
 * {@code quirkproxy proxy}.
 */
public final class ReplayServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReplayServer.class);
  private static final int MAX_LINE = 64 * 1024;
  private static final long MAX_LITERAL = 256L * 1024 * 1024;

  private final List<Recording> recordings;
  private final Protocol protocol;
  private final ReplayOptions options;
  private final SslContext tls;
  private final boolean startTls;
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final ChannelGroup open = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final AtomicInteger sessions = new AtomicInteger();
  private final List<Counts> counts;
  private final CompletableFuture<String> failed = new CompletableFuture<>();
  private Channel server;

  /**
   * @param tls a server context for implicit TLS, or null for plain TCP
   */
  public ReplayServer(Recording recording, ReplayOptions options, SslContext tls) {
    this(List.of(recording), options, tls);
  }

  /**
   * @param recordings played round robin, one per connection, in this order; all of one protocol
   * @param tls a server context for implicit TLS, or null for plain TCP
   */
  public ReplayServer(List<Recording> recordings, ReplayOptions options, SslContext tls) {
    this(recordings, options, tls, false);
  }

  /**
   * @param recordings played round robin, one per connection, in this order; all of one protocol
   * @param tls a server context, or null for plain TCP
   * @param startTls with {@code tls}: offer STARTTLS/STLS on plain connections instead of implicit
   *     TLS
   */
  public ReplayServer(
      List<Recording> recordings, ReplayOptions options, SslContext tls, boolean startTls) {
    if (startTls && tls == null) {
      throw new IllegalArgumentException("STARTTLS needs a server TLS context");
    }
    if (recordings.isEmpty()) {
      throw new IllegalArgumentException("no capture to replay");
    }
    this.protocol = recordings.get(0).protocol();
    for (Recording r : recordings) {
      if (r.protocol() != protocol) {
        throw new IllegalArgumentException(
            r.file() + " is " + r.protocol() + ", not " + protocol + " like the first capture");
      }
    }
    this.recordings = List.copyOf(recordings);
    this.counts = recordings.stream().map(r -> new Counts()).toList();
    this.options = options;
    this.tls = tls;
    this.startTls = startTls;
  }

  /**
   * What one capture served: connections, commands answered from it, commands it had no answer for.
   */
  public record Played(Path capture, int connections, int answered, int misses) {}

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
                    int n = sessions.getAndIncrement();
                    int which = n % recordings.size();
                    Recording recording = recordings.get(which);
                    Counts c = counts.get(which);
                    c.connections.incrementAndGet();
                    log.info(
                        "connection {} from {} plays {}",
                        n + 1,
                        ch.remoteAddress(),
                        recording.file());
                    open.add(ch);
                    if (tls != null && !startTls) {
                      ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
                    }
                    ch.pipeline()
                        .addLast(
                            "framer",
                            protocol == Protocol.IMAP
                                ? new ImapFrameDecoder(ImapFrameDecoder.Side.CLIENT, FRAMING)
                                : new Pop3CommandDecoder(() -> MAX_LINE));
                    ch.pipeline()
                        .addLast(
                            "replay",
                            new ReplaySession(recording, options, c, startTls ? tls : null));
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
        "replaying {} ({} captures, {} commands) on {}:{}",
        protocol,
        recordings.size(),
        recordings.stream().mapToInt(Recording::commands).sum(),
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
    return counts.stream().mapToInt(c -> c.answered.get()).sum();
  }

  public int misses() {
    return counts.stream().mapToInt(c -> c.misses.get()).sum();
  }

  /** Per capture, in the order given, what it served so far. */
  public List<Played> played() {
    List<Played> out = new ArrayList<>();
    for (int i = 0; i < recordings.size(); i++) {
      Counts c = counts.get(i);
      out.add(
          new Played(
              recordings.get(i).file(), c.connections.get(), c.answered.get(), c.misses.get()));
    }
    return out;
  }

  @Override
  public void close() {
    if (server != null) {
      server.close().syncUninterruptibly();
    }
    open.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** One capture's counters; the listener of every session playing it. */
  private final class Counts implements ReplaySession.Listener {
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger answered = new AtomicInteger();
    final AtomicInteger misses = new AtomicInteger();

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
  }

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
