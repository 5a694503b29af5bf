package dev.quirkproxy.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class TransportTest {

  @Test
  void onLinuxX8664TheNativeEpollTransportLoadsAndIsUsed() {
    assumeTrue(
        System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
            && System.getProperty("os.arch").matches("amd64|x86_64"));
    assertThat(Epoll.isAvailable())
        .as("epoll unavailable: %s", String.valueOf(Epoll.unavailabilityCause()))
        .isTrue();
    EventLoopGroup group = Transport.newGroup(1);
    try {
      assertThat(Transport.name(group)).isEqualTo("epoll");
      assertThat(Transport.serverChannel(group)).isEqualTo(EpollServerSocketChannel.class);
      assertThat(Transport.socketChannel(group)).isEqualTo(EpollSocketChannel.class);
    } finally {
      group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  @Test
  void aNioGroupGetsNioChannels() {
    EventLoopGroup group =
        new io.netty.channel.MultiThreadIoEventLoopGroup(
            1, io.netty.channel.nio.NioIoHandler.newFactory());
    try {
      assertThat(Transport.name(group)).isEqualTo("nio");
      assertThat(Transport.serverChannel(group)).isEqualTo(NioServerSocketChannel.class);
      assertThat(Transport.socketChannel(group)).isEqualTo(NioSocketChannel.class);
    } finally {
      group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
