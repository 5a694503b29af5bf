package dev.quirkproxy.relay;

import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.capture.CaptureStore;
import dev.quirkproxy.capture.Direction;
import dev.quirkproxy.capture.SessionCapture;
import dev.quirkproxy.codec.FramingDecoder;
import dev.quirkproxy.codec.LimitExceededException;
import dev.quirkproxy.codec.Literal;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.fingerprint.Fingerprint;
import dev.quirkproxy.flow.Decision;
import dev.quirkproxy.flow.InterceptorChain;
import dev.quirkproxy.flow.Replies;
import dev.quirkproxy.flow.Verdict;
import dev.quirkproxy.session.ClientIdentity;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.Pop3Session;
import dev.quirkproxy.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied connection: the client channel, the upstream channel (on the same event loop), the
 * session, and the interceptor chain between them. Parts flow client → chain → upstream and
 * upstream → chain → client; an unchanged part goes out as its original bytes. Backpressure: a side
 * is read only while the other side is writable, so a slow reader never makes the proxy buffer a
 * mailbox. All methods run on the event loop.
 */
final class SessionRelay implements Relay {

  private static final Logger log = LoggerFactory.getLogger(SessionRelay.class);

  private final Session session;
  private final ProxyConfig config;
  private final InterceptorChain chain;
  private final Channel client;
  private final FramingDecoder clientFramer;
  private final SslContext clientTls;
  private Channel upstream;

  /** The upstream connection while its TLS is being set up, before {@link #upstream} is set. */
  private Channel upstreamPending;

  private BooleanSupplier serverAtFrameBoundary = () -> true;
  private boolean closing;
  private ByteBuf pendingGoodbye;

  /** The session is ending: nothing more from the client goes upstream. */
  private boolean clientCutOff;

  private boolean skippingClientFrame;

  /**
   * POP3 answers the proxy gives itself wait here until the server has answered what came before.
   */
  private ByteBuf heldAnswer;

  private boolean heldAnswerStartsTls;
  private final Deque<WirePart> heldClientParts = new ArrayDeque<>();
  private SessionCapture capture;
  private ClientIdentification identification;

  /** What goes to the client, in order, with the pauses rules ask for. */
  private final Outbox toClient;

  /** What goes to the upstream; set with {@link #upstream}. */
  private Outbox toUpstream;

  private String endReason = "client closed the connection";
  private long lastActivityNanos = System.nanoTime();
  private long clientBytes;
  private long serverBytes;

  SessionRelay(
      Session session,
      ProxyConfig config,
      InterceptorChain chain,
      Channel client,
      FramingDecoder clientFramer,
      SslContext clientTls) {
    this.session = session;
    this.config = config;
    this.chain = chain;
    this.client = client;
    this.clientFramer = clientFramer;
    this.clientTls = clientTls;
    this.toClient = new Outbox(client, this::upstreamMayRead);
  }

  @Override
  public Session session() {
    return session;
  }

  @Override
  public Session upstreamSession() {
    return session;
  }

  @Override
  public Channel client() {
    return client;
  }

  ProxyConfig config() {
    return config;
  }

  /** The upstream's TCP connection is up; its TLS may still be to come. */
  @Override
  public void upstreamAttached(Channel channel) {
    this.upstreamPending = channel;
  }

  /** The upstream is connected (and its TLS, if any, is up): start relaying both ways. */
  @Override
  public void upstreamConnected(Channel channel, BooleanSupplier atFrameBoundary) {
    if (closing) {
      channel.close();
      return;
    }
    this.upstream = channel;
    this.toUpstream = new Outbox(channel, this::resumeClientReads);
    this.serverAtFrameBoundary = atFrameBoundary;
    log.info("connected to upstream {}", config.upstream());
    while (heldAnswer == null && !heldClientParts.isEmpty() && !closing) {
      clientPart(heldClientParts.poll());
    }
    channel.flush();
    channel.read();
    resumeClientReads();
  }

  @Override
  public void upstreamUnreachable(Throwable cause) {
    String reason = "upstream " + config.upstream() + " unreachable: " + describe(cause);
    endReason = reason;
    log.warn("{}", reason);
    closeWith(Replies.goodbye(session.protocol(), "UNAVAILABLE", "SYS/TEMP", reason));
  }

  /** The upstream's TLS failed before anything reached the client: say why, then close. */
  @Override
  public void upstreamTlsFailed(Channel channel, String what, Throwable cause) {
    if (closing) {
      return;
    }
    channel.close();
    String reason =
        "upstream "
            + config.upstream()
            + " "
            + what
            + (cause == null ? "" : ": " + describe(cause));
    log.warn("{}", reason);
    closeWith(Replies.goodbye(session.protocol(), "UNAVAILABLE", "SYS/TEMP", reason));
  }

  /** The client's TLS handshake failed: nothing can be said to it in the clear. */
  @Override
  public void clientTlsFailed(Throwable cause) {
    log.info("client TLS handshake failed: {}", describe(cause));
    closeWith(null);
  }

  // ---- client → upstream

  @Override
  public void clientPart(WirePart part) {
    lastActivityNanos = System.nanoTime();
    if (closing || clientCutOff) {
      part.release();
      return;
    }
    if (heldAnswer != null || upstream == null) {
      // Before the upstream is ready (TLS set-up) or behind a held POP3 answer: keep the order.
      heldClientParts.add(part);
      return;
    }
    clientBytes += part.content().readableBytes();
    long seq = capture == null ? 0 : capture.received(Direction.CLIENT_TO_PROXY, part);
    if (identification != null) {
      Fingerprint changed = identification.client(part);
      if (changed != null) {
        clientIdentified(changed);
      }
    }
    if (skippingClientFrame) {
      skippingClientFrame = !part.frameEnd();
      if (part.literal() != null
          && part.literal().synchronizing()
          && session instanceof ImapSession imap) {
        // The client waits for a "+" that will never come: its next bytes are a new command.
        imap.refuseSyncLiteral();
        skippingClientFrame = false;
      }
      part.release();
      record(seq, "skipped", null, null);
      return;
    }
    if (part.isLine() && part.frameStart() && log.isDebugEnabled()) {
      log.debug("C: {}", session.describeClientLine(part.text()));
    }
    boolean frameEnd = part.frameEnd();
    Literal literal = part.literal();
    Decision decision = chain.onClient(session, part);
    recordDecision(seq, part, decision, Direction.PROXY_TO_UPSTREAM);
    if (decision.forward() != null) {
      session.clientSent(decision.forward());
      toUpstream.send(decision.forward().content());
    } else if (decision.steps() != null) {
      emit(decision.steps(), true);
    } else if (!frameEnd && !decision.held()) {
      notForwardedMidFrame(literal);
    }
    if (decision.answer() != null) {
      answerClient(decision.answer(), decision.startTls());
    }
    if (decision.closeReason() != null) {
      log.warn("closing: {}", decision.closeReason());
      endBetweenFrames(decision.lastWords(), decision.closeReason());
    }
  }

  /** Records what became of a received part when it was not forwarded as it came. */
  private void recordDecision(long seq, WirePart received, Decision decision, Direction onward) {
    for (Verdict.Hit hit : decision.hits()) {
      log.debug("rule {} ({}): {}", hit.rule(), hit.action(), hit.detail());
    }
    if (capture == null) {
      return;
    }
    Direction back =
        onward == Direction.PROXY_TO_UPSTREAM
            ? Direction.PROXY_TO_CLIENT
            : Direction.PROXY_TO_UPSTREAM;
    for (Verdict.Hit hit : decision.hits()) {
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("of", seq);
      fields.put("rule", hit.rule());
      fields.put("action", hit.action());
      fields.put("detail", hit.detail());
      capture.event("rule", fields);
    }
    if (decision.held()) {
      record(seq, "held", null, null);
      return;
    }
    if (decision.steps() != null) {
      recordSteps(seq, received, decision.steps(), !decision.hits().isEmpty(), onward, back);
      return;
    }
    if (decision.forward() != null && decision.forward() != received) {
      record(seq, "replaced", onward, decision.forward().content());
    } else if (decision.forward() == null) {
      String what =
          decision.startTls()
              ? "starttls"
              : decision.answer() != null
                  ? "answered"
                  : decision.closeReason() != null ? "closed" : "dropped";
      record(seq, what, null, null);
    }
    if (decision.answer() != null) {
      capture.sent(back, decision.answer(), seq);
    }
  }

  /** An emitted sequence: what went onward and back, unless it was the received part as it came. */
  private void recordSteps(
      long seq,
      WirePart received,
      List<Verdict.Step> steps,
      boolean hits,
      Direction onward,
      Direction back) {
    boolean unchanged =
        steps.size() == 1 && steps.get(0) instanceof Verdict.Send send && send.part() == received;
    if (unchanged || !hits) {
      // Unchanged, or parts held back and then sent on as they came: the capture has them.
      return;
    }
    capture.outcome(seq, "rule");
    for (Verdict.Step step : steps) {
      if (step instanceof Verdict.Send send && send.part() != received) {
        capture.sent(onward, send.part().content(), seq);
      } else if (step instanceof Verdict.Trickle trickle) {
        capture.sent(onward, trickle.part().content(), seq);
      } else if (step instanceof Verdict.Reply reply) {
        capture.sent(back, reply.bytes(), seq);
      }
    }
  }

  /**
   * Carries out an emitted sequence: parts onward through the outbox (the tracker sees client parts
   * as they go upstream), pauses, replies to the sender, an end.
   */
  private void emit(List<Verdict.Step> steps, boolean fromClient) {
    Outbox onward = fromClient ? toUpstream : toClient;
    for (Verdict.Step step : steps) {
      if (closing) {
        releaseStep(step);
      } else if (step instanceof Verdict.Send send) {
        if (fromClient) {
          session.clientSent(send.part());
        }
        onward.send(send.part().content());
      } else if (step instanceof Verdict.Trickle trickle) {
        if (fromClient) {
          session.clientSent(trickle.part());
        }
        ByteBuf all = trickle.part().content();
        for (int at = all.readerIndex(); at < all.writerIndex(); at += trickle.chunkSize()) {
          if (at > all.readerIndex()) {
            onward.pause(trickle.pause());
          }
          int n = Math.min(trickle.chunkSize(), all.writerIndex() - at);
          onward.send(all.retainedSlice(at, n));
        }
        trickle.part().release();
      } else if (step instanceof Verdict.Pause pause) {
        onward.pause(pause.duration());
      } else if (step instanceof Verdict.Reply reply) {
        if (fromClient) {
          answerClient(reply.bytes(), false);
        } else {
          toUpstream.send(reply.bytes());
          upstream.flush();
        }
      } else if (step instanceof Verdict.End end) {
        onward.then(
            () -> {
              log.warn("closing: {}", end.reason());
              endBetweenFrames(end.lastWords(), end.reason());
            });
      }
    }
  }

  private static void releaseStep(Verdict.Step step) {
    if (step instanceof Verdict.Send send) {
      send.part().release();
    } else if (step instanceof Verdict.Trickle trickle) {
      trickle.part().release();
    } else if (step instanceof Verdict.Reply reply) {
      reply.bytes().release();
    } else if (step instanceof Verdict.End end && end.lastWords() != null) {
      end.lastWords().release();
    }
  }

  private void record(long seq, String outcome, Direction direction, ByteBuf sent) {
    if (capture == null) {
      return;
    }
    capture.outcome(seq, outcome);
    if (sent != null) {
      capture.sent(direction, sent, seq);
    }
  }

  /**
   * A part that was not forwarded left its frame unfinished: the rest of the frame must not go
   * upstream either. A synchronizing literal is simply never accepted; anything else is skipped.
   */
  private void notForwardedMidFrame(Literal literal) {
    if (literal != null && literal.synchronizing() && session instanceof ImapSession imap) {
      imap.refuseSyncLiteral();
    } else {
      skippingClientFrame = true;
    }
  }

  /** True when an answer of the proxy's own can go to the client now without breaking a frame. */
  private boolean replyDue() {
    if (!serverAtFrameBoundary.getAsBoolean()) {
      return false;
    }
    return !(session instanceof Pop3Session pop3) || pop3.pendingCount() == 0;
  }

  private void answerClient(ByteBuf answer, boolean startTls) {
    if (!replyDue()) {
      heldAnswer = answer;
      heldAnswerStartsTls = startTls;
      return;
    }
    if (startTls) {
      startClientTls(answer);
    } else {
      toClient.send(answer);
      client.flush();
    }
  }

  private void releaseHeldAnswerIfDue() {
    if (heldAnswer == null || !replyDue()) {
      return;
    }
    ByteBuf answer = heldAnswer;
    heldAnswer = null;
    answerClient(answer, heldAnswerStartsTls);
    while (heldAnswer == null && !heldClientParts.isEmpty() && !closing) {
      clientPart(heldClientParts.poll());
    }
    upstream.flush();
    resumeClientReads();
  }

  /**
   * STARTTLS/STLS accepted: the answer goes out in the clear, then TLS starts. Whatever the client
   * pipelined behind the command is discarded, never relayed as if it had come through TLS.
   */
  private void startClientTls(ByteBuf answer) {
    SslHandler tls = new SslHandler(clientTls.newEngine(client.alloc()), true);
    client.pipeline().addFirst("tls", tls);
    client.writeAndFlush(answer);
    int discarded = clientFramer.discardBuffered();
    while (!heldClientParts.isEmpty()) {
      WirePart p = heldClientParts.poll();
      discarded += p.content().readableBytes();
      p.release();
    }
    if (discarded > 0) {
      log.warn(
          "discarded {} octets the client sent after STARTTLS before the TLS handshake", discarded);
    }
    session.clientTlsStarted();
  }

  @Override
  public void clientReadComplete() {
    if (upstream == null) {
      return;
    }
    upstream.flush();
    resumeClientReads();
  }

  /**
   * Reads the client again if everything it says can go somewhere: the upstream takes more, the
   * client itself drains what the proxy writes to it (its own answers included), and no answer of
   * the proxy's is waiting for its turn.
   */
  private void resumeClientReads() {
    if (closing || clientCutOff || heldAnswer != null || upstream == null) {
      return;
    }
    if (upstream.isWritable() && client.isWritable() && toUpstream.idle() && toClient.idle()) {
      readWhenRecorderKeepsUp(client);
    }
  }

  /** Reads {@code channel} now, or once the capture writer has caught up. */
  private void readWhenRecorderKeepsUp(Channel channel) {
    if (clientCutOff && channel == client) {
      return;
    }
    if (capture == null || capture.writable()) {
      channel.read();
    } else {
      channel
          .eventLoop()
          .schedule(() -> readWhenRecorderKeepsUp(channel), 5, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public SessionCapture capture() {
    return capture;
  }

  @Override
  public boolean closing() {
    return closing;
  }

  /** Records this session to {@code sessionCapture} (set before the relay starts). */
  @Override
  public void recordTo(SessionCapture sessionCapture) {
    this.capture = sessionCapture;
  }

  /** Fingerprints the client (set before the relay starts, after {@link #recordTo}). */
  @Override
  public void identifyWith(ClientIdentification who) {
    this.identification = who;
    if (who.forced() != null) {
      session.identify(who.forced());
      log.info("client identity forced: {}", who.forced().family());
      if (capture != null) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("family", who.forced().family());
        fields.put("confidence", 1.0);
        fields.put("forced", true);
        capture.event("fingerprint", fields);
      }
    }
  }

  private void clientIdentified(Fingerprint fp) {
    ClientIdentity before = session.identity();
    if (identification.forced() != null) {
      log.debug("client looks like {} (identity forced)", ClientIdentification.describe(fp));
      return;
    }
    session.identify(ClientIdentification.identity(fp));
    boolean news =
        !fp.family().equals(before.family()) || !Objects.equals(fp.version(), before.version());
    if (news && fp.confidence() >= ClientIdentification.CONFIDENT) {
      log.info("client identified as {}", ClientIdentification.describe(fp));
    } else {
      // Early guesses from one or two commands: for the capture and -v, not the log.
      log.debug("client looks like {}", ClientIdentification.describe(fp));
    }
    if (capture != null) {
      capture.event("fingerprint", ClientIdentification.fields(fp));
    }
  }

  /**
   * The capture cannot be written. {@code close}: the session ends with {@code * BYE} / {@code
   * -ERR} rather than being relayed unrecorded; {@code continue}: it goes on, the footer marks the
   * gap.
   */
  @Override
  public void recordingFailed(java.io.IOException cause, CaptureSettings.OnError policy) {
    if (policy == CaptureSettings.OnError.CONTINUE) {
      log.warn(
          "recording failed ({}); relaying continues unrecorded, the capture marks the gap",
          CaptureStore.why(cause));
      return;
    }
    log.warn(
        "recording failed ({}); closing the session rather than relaying it unrecorded",
        CaptureStore.why(cause));
    // The client learns that recording failed; the file system details stay in the log.
    String reason = "recording failed: the capture could not be written (see the proxy log)";
    endBetweenFrames(
        Replies.goodbye(session.protocol(), "UNAVAILABLE", "SYS/TEMP", reason), reason);
  }

  // ---- upstream → client

  @Override
  public void serverPart(WirePart part) {
    lastActivityNanos = System.nanoTime();
    if (!client.isActive()) {
      part.release();
      return;
    }
    serverBytes += part.content().readableBytes();
    long seq = capture == null ? 0 : capture.received(Direction.UPSTREAM_TO_PROXY, part);
    session.serverSent(part);
    if (identification != null) {
      identification.server(part);
    }
    if (part.isLine() && part.frameStart() && log.isTraceEnabled()) {
      log.trace("S: {}", firstWords(part.text()));
    }
    boolean frameEnd = part.frameEnd();
    Decision decision = chain.onServer(session, part);
    recordDecision(seq, part, decision, Direction.PROXY_TO_CLIENT);
    if (decision.forward() != null) {
      toClient.send(decision.forward().content());
    } else if (decision.steps() != null) {
      emit(decision.steps(), false);
    }
    if (decision.answer() != null) {
      upstream.writeAndFlush(decision.answer());
    }
    if (decision.closeReason() != null) {
      log.warn("closing: {}", decision.closeReason());
      endBetweenFrames(decision.lastWords(), decision.closeReason());
    } else if (frameEnd && pendingGoodbye != null) {
      ByteBuf lastWords = pendingGoodbye;
      pendingGoodbye = null;
      closeWith(lastWords);
    } else if (frameEnd && heldAnswer != null) {
      client.flush();
      releaseHeldAnswerIfDue();
    }
  }

  @Override
  public void upstreamReadComplete() {
    client.flush();
    upstreamMayRead();
  }

  /** Reads the upstream again if the client takes more and no delayed frame waits for it. */
  private void upstreamMayRead() {
    if (client.isWritable() && upstream != null && toClient.idle()) {
      readWhenRecorderKeepsUp(upstream);
    }
  }

  // ---- backpressure: resume the other side once this one drained

  @Override
  public void clientWritabilityChanged() {
    if (client.isWritable() && upstream != null && upstream.isActive()) {
      upstream.read();
    }
    resumeClientReads();
  }

  @Override
  public void upstreamWritabilityChanged() {
    resumeClientReads();
  }

  // ---- endings

  @Override
  public void clientInputShutdown() {
    log.info("client half-closed its side");
    if (upstream instanceof DuplexChannel duplex && upstream.isActive()) {
      upstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> duplex.shutdownOutput());
    }
    closeIfBothInputsShut();
  }

  @Override
  public void upstreamInputShutdown() {
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

  @Override
  public void clientClosed() {
    if (!closing) {
      log.info("client closed the connection");
    }
    closeWith(null);
    releaseHeld();
    chain.onClose(session);
    Fingerprint fp = identification == null ? null : identification.current();
    if (capture != null) {
      if (fp != null) {
        capture.footer("fingerprint", ClientIdentification.fields(fp));
      }
      if (identification != null && identification.forced() != null) {
        capture.footer("forcedClient", identification.forced().family());
      }
      if (session instanceof ImapSession imap && imap.unparsedFrames() > 0) {
        capture.footer("unparsed", imap.unparsedFrames());
      }
      capture.finish(endReason);
    }
    log.info(
        "session ended: {} octets from client, {} from server, {} s, client {}",
        clientBytes,
        serverBytes,
        Duration.between(session.startedAt(), Instant.now()).toSeconds(),
        fp == null ? session.identity() : ClientIdentification.describe(fp));
  }

  private void releaseHeld() {
    if (heldAnswer != null) {
      heldAnswer.release();
      heldAnswer = null;
    }
    if (pendingGoodbye != null) {
      pendingGoodbye.release();
      pendingGoodbye = null;
    }
    heldClientParts.forEach(WirePart::release);
    heldClientParts.clear();
  }

  @Override
  public void upstreamClosed() {
    if (!closing) {
      log.info("upstream closed the connection");
      endReason = "upstream closed the connection";
    }
    closeWith(null);
  }

  /** A framer or handler failed on bytes from the client ({@code fromClient}) or the server. */
  @Override
  public void failed(Throwable cause, boolean fromClient) {
    String side = fromClient ? "client" : "upstream";
    if (!closing) {
      endReason = side + ": " + describe(cause);
    }
    if (cause instanceof LimitExceededException limit) {
      log.warn("{} from the {}; closing", limit.getMessage(), side);
      if (fromClient) {
        // The client's stream cannot be framed any more; the server's still can.
        endBetweenFrames(
            Replies.goodbye(session.protocol(), "TOOBIG", null, limit.getMessage()),
            limit.getMessage());
      } else if (serverAtFrameBoundary.getAsBoolean()) {
        closeWith(Replies.goodbye(session.protocol(), "UNAVAILABLE", null, limit.getMessage()));
      } else {
        closeWith(null);
      }
    } else if (cause instanceof SSLException || cause.getCause() instanceof SSLException) {
      if (!fromClient && upstream == null) {
        upstreamTlsFailed(upstreamPending, "TLS failed", cause);
        return;
      }
      log.info("{} TLS failed: {}", side, describe(cause));
      closeWith(null);
    } else if (cause instanceof IOException || cause.getCause() instanceof IOException) {
      log.info("{} connection failed: {}", side, describe(cause));
      closeWith(null);
    } else {
      log.warn("unexpected error on the {} side; closing", side, cause);
      closeWith(null);
    }
  }

  /** No traffic for a while: log out the way a server does (RFC 9051 §5.4). */
  @Override
  public void checkIdle() {
    Duration limit =
        session.authenticated() ? config.limits().idleTimeout() : config.limits().loginTimeout();
    Duration idle = Duration.ofNanos(System.nanoTime() - lastActivityNanos);
    if (idle.compareTo(limit) >= 0 && (pendingGoodbye != null || closing)) {
      // The goodbye could not be delivered (the client does not read): stop waiting.
      log.info("still idle after saying goodbye; closing hard");
      forceClose();
    } else if (idle.compareTo(limit) >= 0) {
      log.info("idle for {} s (limit {} s); closing", idle.toSeconds(), limit.toSeconds());
      goodbye("autologout, idle for " + limit.toSeconds() + " s");
    }
  }

  /**
   * Ends the session politely: {@code * BYE} / {@code -ERR} to the client, as soon as the server's
   * stream is between frames so the words cannot land inside a literal or a body.
   */
  @Override
  public void goodbye(String reason) {
    endBetweenFrames(Replies.goodbye(session.protocol(), null, null, reason), reason);
  }

  /**
   * Ends the session: nothing more from the client goes upstream, and {@code lastWords} reach the
   * client as soon as the server's stream is between frames.
   */
  private void endBetweenFrames(ByteBuf lastWords, String reason) {
    if (closing || pendingGoodbye != null) {
      if (lastWords != null) {
        lastWords.release();
      }
      return;
    }
    endReason = reason;
    clientCutOff = true;
    if (upstream == null || serverAtFrameBoundary.getAsBoolean()) {
      closeWith(lastWords);
    } else {
      pendingGoodbye = lastWords != null ? lastWords : Unpooled.EMPTY_BUFFER;
    }
  }

  /** Closes both connections now, whatever is still queued (a peer that never reads). */
  @Override
  public void forceClose() {
    client.close();
    if (upstream != null) {
      upstream.close();
    }
    if (upstreamPending != null) {
      upstreamPending.close();
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
    toClient.discard();
    if (toUpstream != null) {
      toUpstream.discard();
    }
    if (capture != null && lastWords != null) {
      capture.sent(Direction.PROXY_TO_CLIENT, lastWords, 0);
    }
    if (upstream == null && upstreamPending != null) {
      upstreamPending.close();
    }
    if (upstream != null) {
      upstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
    if (client.isActive()) {
      client
          .writeAndFlush(lastWords != null ? lastWords : Unpooled.EMPTY_BUFFER)
          .addListener(ChannelFutureListener.CLOSE);
      // A client that never reads would keep the close from ever completing.
      var hardClose = client.eventLoop().schedule(this::forceClose, 5, TimeUnit.SECONDS);
      client.closeFuture().addListener(f -> hardClose.cancel(false));
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
