package dev.quirkproxy.relay;

import dev.quirkproxy.codec.FramingDecoder;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.session.Protocol;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upgrades the upstream connection with STARTTLS (IMAP) or STLS (POP3) before the relay starts:
 * keeps the server's greeting, sends the command, and on success discards anything the server sent
 * after its answer (it did not come through TLS), starts TLS, then passes the greeting on. The
 * greeting loses its {@code [CAPABILITY ...]} code, which described the server before TLS; clients
 * ask again. The client never sees this exchange, and the session tracker never counts it.
 */
final class UpstreamStartTls extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(UpstreamStartTls.class);
  private static final String TAG = "qpTLS";

  private final Relay relay;
  private final FramingDecoder framer;
  private final Supplier<SslHandler> tls;
  private WirePart greeting;

  UpstreamStartTls(Relay relay, FramingDecoder framer, Supplier<SslHandler> tls) {
    this.relay = relay;
    this.framer = framer;
    this.tls = tls;
  }

  private boolean imap() {
    return relay.upstreamSession().protocol() == Protocol.IMAP;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    WirePart part = (WirePart) msg;
    try (SessionMdc m = SessionMdc.of(relay.session())) {
      if (greeting == null) {
        onGreeting(ctx, part);
      } else {
        onAnswer(ctx, part);
      }
    }
  }

  private void onGreeting(ChannelHandlerContext ctx, WirePart part) {
    String text = part.text();
    boolean ok =
        imap()
            ? text.regionMatches(true, 0, "* OK ", 0, 5)
            : text.regionMatches(true, 0, "+OK", 0, 3);
    if (!ok) {
      // Never relay in the clear what was meant to be protected: a BYE, a PREAUTH (no STARTTLS
      // possible) or anything else ends the session, and the client is told what the server said.
      part.release();
      fail(ctx, "greeted without offering STARTTLS: " + text);
      return;
    }
    greeting = part;
    String command = imap() ? TAG + " STARTTLS\r\n" : "STLS\r\n";
    ctx.writeAndFlush(Unpooled.copiedBuffer(command, StandardCharsets.US_ASCII));
    ctx.read();
  }

  private void onAnswer(ChannelHandlerContext ctx, WirePart part) {
    String text = part.text();
    part.release();
    if (imap() && text.startsWith("* ")) {
      ctx.read();
      return;
    }
    boolean ok =
        imap()
            ? text.regionMatches(true, 0, TAG + " OK", 0, TAG.length() + 3)
            : text.startsWith("+OK");
    if (!ok) {
      fail(ctx, "refused " + (imap() ? "STARTTLS" : "STLS") + ": " + text);
      return;
    }
    int discarded = framer.discardBuffered();
    if (discarded > 0) {
      log.warn(
          "discarded {} octets the upstream sent after accepting STARTTLS, before the handshake",
          discarded);
    }
    SslHandler handler = tls.get();
    ctx.pipeline().addFirst("tls", handler);
    handler
        .handshakeFuture()
        .addListener(
            hs -> {
              try (SessionMdc m = SessionMdc.of(relay.session())) {
                if (hs.isSuccess()) {
                  handOver(ctx);
                } else {
                  fail(ctx, "TLS handshake after STARTTLS failed", hs.cause());
                }
              }
            });
    ctx.read();
  }

  private void handOver(ChannelHandlerContext ctx) {
    WirePart g = greeting;
    greeting = null;
    String stripped = g.text().replaceFirst("(?i)\\[CAPABILITY [^\\]]*\\] ?", "");
    WirePart fresh =
        g.replace(Unpooled.copiedBuffer(stripped + "\r\n", StandardCharsets.ISO_8859_1));
    g.release();
    relay.upstreamConnected(ctx.channel(), framer::atFrameBoundary);
    ctx.fireChannelRead(fresh);
    ctx.fireChannelReadComplete();
    ctx.pipeline().remove(this);
  }

  private void fail(ChannelHandlerContext ctx, String what) {
    fail(ctx, what, null);
  }

  private void fail(ChannelHandlerContext ctx, String what, Throwable cause) {
    if (greeting != null) {
      greeting.release();
      greeting = null;
    }
    relay.upstreamTlsFailed(ctx.channel(), what, cause);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (greeting != null) {
      greeting.release();
      greeting = null;
    }
  }
}
