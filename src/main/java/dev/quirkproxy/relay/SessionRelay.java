package dev.quirkproxy.relay;

import dev.quirkproxy.codec.LimitExceededException;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.flow.Decision;
import dev.quirkproxy.flow.InterceptorChain;
import dev.quirkproxy.flow.Replies;
import dev.quirkproxy.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;
import java.io.IOException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied connection: the client channel, the upstream channel (on the same event loop), the
 * session, and the interceptor chain between them. Parts flow client → chain → upstream and
 * upstream → chain → client; an unchanged part goes out as its original bytes. Backpressure: a side
 * is read only while the other side is writable, so a slow reader never makes the proxy buffer a
 * mailbox. All methods run on the event loop.
 */
final class SessionRelay {

  private static final Logger log = LoggerFactory.getLogger(SessionRelay.class);

  private final Session session;
  private final ProxyConfig config;
  private final InterceptorChain chain;
  private final Channel client;
  private final Runnable onClosed;
  private Channel upstream;
  private BooleanSupplier serverAtFrameBoundary = () -> true;
  private boolean closing;
  private String goodbyeAtBoundary;
  private long lastActivityNanos = System.nanoTime();
  private long clientBytes;
  private long serverBytes;

  SessionRelay(
      Session session,
      ProxyConfig config,
      InterceptorChain chain,
      Channel client,
      Runnable onClosed) {
    this.session = session;
    this.config = config;
    this.chain = chain;
    this.client = client;
    this.onClosed = onClosed;
  }

  Session session() {
    return session;
  }

  Channel client() {
    return client;
  }

  void upstreamConnected(Channel channel, BooleanSupplier atFrameBoundary) {
    this.upstream = channel;
    this.serverAtFrameBoundary = atFrameBoundary;
    log.info("connected to upstream {}", config.upstream());
    channel.read();
    client.read();
  }

  void upstreamUnreachable(Throwable cause) {
    String reason = "upstream " + config.upstream() + " unreachable: " + describe(cause);
    log.warn("{}", reason);
    closeWith(Replies.goodbye(session.protocol(), "UNAVAILABLE", "SYS/TEMP", reason));
  }

  // ---- client → upstream

  void clientPart(WirePart part) {
    lastActivityNanos = System.nanoTime();
    if (closing || upstream == null) {
      part.release();
      return;
    }
    clientBytes += part.content().readableBytes();
    if (part.isLine() && part.frameStart() && log.isDebugEnabled()) {
      log.debug("C: {}", session.describeClientLine(part.text()));
    }
    Decision decision = chain.onClient(session, part);
    if (decision.forward() != null) {
      session.clientSent(decision.forward());
      upstream.write(decision.forward().content());
    }
    if (decision.answer() != null) {
      client.writeAndFlush(decision.answer());
    }
    if (decision.closeReason() != null) {
      log.warn("closing: {}", decision.closeReason());
      closeWith(decision.lastWords());
    }
  }

  void clientReadComplete() {
    if (upstream == null) {
      return;
    }
    upstream.flush();
    if (upstream.isWritable() && !closing) {
      client.read();
    }
  }

  // ---- upstream → client

  void serverPart(WirePart part) {
    lastActivityNanos = System.nanoTime();
    if (!client.isActive()) {
      part.release();
      return;
    }
    serverBytes += part.content().readableBytes();
    session.serverSent(part);
    if (part.isLine() && part.frameStart() && log.isTraceEnabled()) {
      log.trace("S: {}", firstWords(part.text()));
    }
    boolean frameEnd = part.frameEnd();
    Decision decision = chain.onServer(session, part);
    if (decision.forward() != null) {
      client.write(decision.forward().content());
    }
    if (decision.answer() != null) {
      upstream.writeAndFlush(decision.answer());
    }
    if (decision.closeReason() != null) {
      log.warn("closing: {}", decision.closeReason());
      closeWith(decision.lastWords());
    } else if (frameEnd && goodbyeAtBoundary != null) {
      closeWith(Replies.goodbye(session.protocol(), null, null, goodbyeAtBoundary));
    }
  }

  void upstreamReadComplete() {
    client.flush();
    if (client.isWritable() && upstream != null) {
      upstream.read();
    }
  }

  // ---- backpressure: resume the other side once this one drained

  void clientWritabilityChanged() {
    if (client.isWritable() && upstream != null && upstream.isActive()) {
      upstream.read();
    }
  }

  void upstreamWritabilityChanged() {
    if (upstream.isWritable() && !closing) {
      client.read();
    }
  }

  // ---- endings

  void clientInputShutdown() {
    log.info("client half-closed its side");
    if (upstream instanceof DuplexChannel duplex && upstream.isActive()) {
      upstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> duplex.shutdownOutput());
    }
    closeIfBothInputsShut();
  }

  void upstreamInputShutdown() {
    log.info("upstream half-closed its side");
    if (client instanceof DuplexChannel duplex && client.isActive()) {
      client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> duplex.shutdownOutput());
    }
    closeIfBothInputsShut();
  }

  private void closeIfBothInputsShut() {
    if (client instanceof DuplexChannel c
        && upstream instanceof DuplexChannel u
        && c.isInputShutdown()
        && u.isInputShutdown()) {
      closeWith(null);
    }
  }

  void clientClosed() {
    if (!closing) {
      log.info("client closed the connection");
    }
    closeWith(null);
    log.info(
        "session ended: {} octets from client, {} from server, {} s",
        clientBytes,
        serverBytes,
        Duration.between(session.startedAt(), java.time.Instant.now()).toSeconds());
    onClosed.run();
  }

  void upstreamClosed() {
    if (!closing) {
      log.info("upstream closed the connection");
    }
    closeWith(null);
  }

  /** A framer or handler failed on bytes from the client ({@code fromClient}) or the server. */
  void failed(Throwable cause, boolean fromClient) {
    if (cause instanceof LimitExceededException limit) {
      log.warn("{} from the {}; closing", limit.getMessage(), fromClient ? "client" : "server");
      if (fromClient || serverAtFrameBoundary.getAsBoolean()) {
        closeWith(
            Replies.goodbye(
                session.protocol(),
                fromClient ? "TOOBIG" : "UNAVAILABLE",
                null,
                limit.getMessage()));
      } else {
        closeWith(null);
      }
    } else if (cause instanceof IOException || cause.getCause() instanceof IOException) {
      log.info("{} connection failed: {}", fromClient ? "client" : "upstream", describe(cause));
      closeWith(null);
    } else {
      log.warn(
          "unexpected error on the {} side; closing", fromClient ? "client" : "upstream", cause);
      closeWith(null);
    }
  }

  /** No traffic for a while: log out the way a server does (RFC 9051 §5.4). */
  void checkIdle() {
    Duration limit =
        session.authenticated() ? config.limits().idleTimeout() : config.limits().loginTimeout();
    Duration idle = Duration.ofNanos(System.nanoTime() - lastActivityNanos);
    if (idle.compareTo(limit) >= 0) {
      log.info("idle for {} s (limit {} s); closing", idle.toSeconds(), limit.toSeconds());
      goodbye("autologout, idle for " + limit.toSeconds() + " s");
    }
  }

  /**
   * Ends the session politely: {@code * BYE} / {@code -ERR} to the client, as soon as the server's
   * stream is between frames so the words cannot land inside a literal or a body.
   */
  void goodbye(String reason) {
    if (closing || goodbyeAtBoundary != null) {
      return;
    }
    if (upstream == null || serverAtFrameBoundary.getAsBoolean()) {
      closeWith(Replies.goodbye(session.protocol(), null, null, reason));
    } else {
      goodbyeAtBoundary = reason;
    }
  }

  /** Sends {@code lastWords} (if any) to the client after everything queued, then closes both. */
  void closeWith(ByteBuf lastWords) {
    if (closing) {
      if (lastWords != null) {
        lastWords.release();
      }
      return;
    }
    closing = true;
    if (upstream != null) {
      upstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
    if (client.isActive()) {
      client
          .writeAndFlush(lastWords != null ? lastWords : Unpooled.EMPTY_BUFFER)
          .addListener(ChannelFutureListener.CLOSE);
    } else if (lastWords != null) {
      lastWords.release();
    }
  }

  private static String firstWords(String line) {
    return line.length() <= 40 ? line : line.substring(0, 40) + "...";
  }

  static String describe(Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null ? root.getClass().getSimpleName() : message;
  }
}
