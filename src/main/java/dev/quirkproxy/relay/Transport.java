package dev.quirkproxy.relay;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The socket transport: Linux's native epoll where Netty's native library loads (fewer copies and
 * system calls than Java NIO), else NIO. {@code -Dquirkproxy.transport=nio} forces NIO. The channel
 * classes follow the event loop group, so a group made elsewhere (a test's NIO group) still works.
 */
public final class Transport {

  private Transport() {}

  /**
   * The buffers the relay's sockets read into: Netty's pooled arenas. The default adaptive
   * allocator of Netty 4.2 hands the epoll transport's read buffers out of its fallback path, a new
   * zero-filled direct buffer for each read, which costs a pass over every byte relayed.
   */
  static final ByteBufAllocator ALLOCATOR = PooledByteBufAllocator.DEFAULT;

  /** True when new groups use epoll. */
  public static boolean epollAvailable() {
    return !"nio".equalsIgnoreCase(System.getProperty("quirkproxy.transport", ""))
        && Epoll.isAvailable();
  }

  /** A new event loop group (threads: 0 for Netty's default of 2 per core). */
  public static EventLoopGroup newGroup(int threads) {
    return new MultiThreadIoEventLoopGroup(
        threads, epollAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  }

  /** "epoll" or "nio": what {@code group} runs on. */
  public static String name(EventLoopGroup group) {
    return isEpoll(group) ? "epoll" : "nio";
  }

  static boolean isEpoll(EventLoopGroup group) {
    return group.next() instanceof IoEventLoop loop && loop.isIoType(EpollIoHandler.class);
  }

  static Class<? extends ServerSocketChannel> serverChannel(EventLoopGroup group) {
    return isEpoll(group) ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  static Class<? extends SocketChannel> socketChannel(EventLoopGroup group) {
    return isEpoll(group) ? EpollSocketChannel.class : NioSocketChannel.class;
  }
}
