package dev.quirkproxy.relay;

import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.capture.CaptureStore;
import dev.quirkproxy.capture.Direction;
import dev.quirkproxy.capture.SessionCapture;
import dev.quirkproxy.codec.FramingDecoder;
import dev.quirkproxy.codec.LimitExceededException;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.codec.pop3.Pop3FramingContext;
import dev.quirkproxy.fingerprint.Fingerprint;
import dev.quirkproxy.flow.Decision;
import dev.quirkproxy.flow.InterceptorChain;
import dev.quirkproxy.flow.Replies;
import dev.quirkproxy.flow.Verdict;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.Pop3Session;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.session.Session;
import dev.quirkproxy.translate.Pop3OverImap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A POP3 client served from an IMAP upstream: the client's lines go through the interceptor chain
 * with the POP3 session, then to the {@link Pop3OverImap} translator; the upstream's parts go
 * through the chain with the IMAP session, then to the translator. The capture shows both
 * protocols: the client's POP3 ({@code client>proxy}, {@code proxy>client}) and the proxy's IMAP
 * ({@code proxy>upstream}, {@code upstream>proxy}). One client command is translated at a time; the
 * client is read again only when the translator is idle and both sides take more.
 */
final class TranslatingRelay implements Relay {

  private static final Logger log = LoggerFactory.getLogger(TranslatingRelay.class);

  private final Pop3Session session;
  private final ImapSession imap;
  private final Pop3FramingContext pop3Answers;
  private final ProxyConfig config;
  private final InterceptorChain chain;
  private final Channel client;
  private final FramingDecoder clientFramer;
  private final SslContext clientTls;
  private final Pop3OverImap translator;
  private final Outbox toClient;
  private final Deque<WirePart> heldClientParts = new ArrayDeque<>();
  private Channel upstream;
  private Channel upstreamPending;
  private Outbox toUpstream;
  private SessionCapture capture;
  private ClientIdentification identification;
  private boolean closing;
  private boolean clientInputShut;
  private String goodbyeAfterBody;
  private long lastClientSeq;
  private String endReason = "client closed the connection";
  private long lastActivityNanos = System.nanoTime();
  private long clientBytes;
  private long serverBytes;

  TranslatingRelay(
      Pop3Session session,
      ProxyConfig config,
      InterceptorChain chain,
      Channel client,
      FramingDecoder clientFramer,
      SslContext clientTls) {
    this.session = session;
    this.imap = new ImapSession(client.remoteAddress(), config.limits());
    this.imap.identify(session.identity());
    this.pop3Answers = session.serverFraming();
    this.config = config;
    this.chain = chain;
    this.client = client;
    this.clientFramer = clientFramer;
    this.clientTls = clientTls;
    this.toClient = new Outbox(client, this::upstreamMayRead);
    this.translator =
        new Pop3OverImap(config.translation(), imap, session, client.alloc(), new Port());
  }

  @Override
  public Session session() {
    return session;
  }

  @Override
  public Session upstreamSession() {
    return imap;
  }

  @Override
  public Channel client() {
    return client;
  }

  @Override
  public SessionCapture capture() {
    return capture;
  }

  @Override
  public boolean closing() {
    return closing;
  }

  @Override
  public void recordTo(SessionCapture sessionCapture) {
    this.capture = sessionCapture;
  }

  @Override
  public void identifyWith(ClientIdentification who) {
    this.identification = who;
    if (who.forced() != null) {
      session.identify(who.forced());
      imap.identify(who.forced());
      if (capture != null) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("family", who.forced().family());
        fields.put("confidence", 1.0);
        fields.put("forced", true);
        capture.event("fingerprint", fields);
      }
    }
  }

  @Override
  public void recordingFailed(IOException cause, CaptureSettings.OnError policy) {
    if (policy == CaptureSettings.OnError.CONTINUE) {
      log.warn(
          "recording failed ({}); relaying continues unrecorded, the capture marks the gap",
          CaptureStore.why(cause));
      return;
    }
    log.warn(
        "recording failed ({}); closing the session rather than relaying it unrecorded",
        CaptureStore.why(cause));
    goodbye("recording failed: the capture could not be written (see the proxy log)");
  }

  /** What the translator says and sends, recorded and tracked as the relay would a server's. */
  private final class Port implements Pop3OverImap.Port {
    @Override
    public void status(String line) {
      ByteBuf bytes = Unpooled.copiedBuffer(line + "\r\n", StandardCharsets.ISO_8859_1);
      pop3Answers.statusLine(line);
      if (identification != null) {
        identification.serverLine(line);
      }
      if (capture != null) {
        capture.sent(Direction.PROXY_TO_CLIENT, bytes, lastClientSeq);
      }
      toClient.send(bytes);
    }

    @Override
    public void body(ByteBuf bytes) {
      if (capture != null) {
        capture.sent(Direction.PROXY_TO_CLIENT, bytes, lastClientSeq);
      }
      toClient.send(bytes);
    }

    @Override
    public void command(ByteBuf line) {
      if (capture != null) {
        capture.sentOwn(imap, line, lastClientSeq);
      }
      WirePart part = WirePart.line(line.retainedDuplicate(), true, true, null);
      try {
        imap.clientSent(part);
      } finally {
        part.release();
      }
      if (toUpstream == null) {
        line.release();
        return;
      }
      toUpstream.send(line);
      upstream.flush();
    }

    @Override
    public void end(String lastWords, String reason) {
      endReason = reason;
      ByteBuf words =
          lastWords == null
              ? null
              : Unpooled.copiedBuffer(lastWords + "\r\n", StandardCharsets.ISO_8859_1);
      toClient.then(() -> closeWith(words));
    }

    @Override
    public void idle() {
      client.flush();
      if (goodbyeAfterBody != null) {
        goodbye(goodbyeAfterBody);
        return;
      }
      drainHeld();
    }
  }

  // ---- client → translator

  @Override
  public void clientPart(WirePart part) {
    lastActivityNanos = System.nanoTime();
    if (closing) {
      part.release();
      return;
    }
    if (upstream == null || translator.busy() || !heldClientParts.isEmpty()) {
      heldClientParts.add(part);
      return;
    }
    translateClientPart(part);
  }

  private void drainHeld() {
    while (!closing && !translator.busy() && !heldClientParts.isEmpty()) {
      translateClientPart(heldClientParts.poll());
    }
    client.flush();
    if (clientInputShut && heldClientParts.isEmpty() && !translator.busy() && !closing) {
      // The client said all it will say, without QUIT: nothing is deleted.
      endReason = "client half-closed without QUIT";
      closeWith(null);
      return;
    }
    resumeClientReads();
  }

  private void translateClientPart(WirePart part) {
    clientBytes += part.content().readableBytes();
    long seq = capture == null ? 0 : capture.received(Direction.CLIENT_TO_PROXY, part);
    lastClientSeq = seq;
    if (identification != null) {
      Fingerprint changed = identification.client(part);
      if (changed != null) {
        identified(changed);
      }
    }
    if (log.isDebugEnabled()) {
      log.debug("C: {}", session.describeClientLine(part.text()));
    }
    Decision decision = chain.onClient(session, part);
    recordHits(seq, decision);
    if (decision.forward() != null) {
      toTranslator(seq, part, decision.forward());
    } else if (decision.steps() != null) {
      record(seq, "rule");
      for (Verdict.Step step : decision.steps()) {
        clientStep(seq, step);
      }
    } else if (decision.answer() != null) {
      record(seq, decision.startTls() ? "starttls" : "answered");
      if (capture != null) {
        capture.sent(Direction.PROXY_TO_CLIENT, decision.answer(), seq);
      }
      if (decision.startTls()) {
        startClientTls(decision.answer());
      } else {
        toClient.send(decision.answer());
      }
    } else if (decision.closeReason() == null && !decision.held()) {
      record(seq, "dropped");
    }
    if (decision.closeReason() != null) {
      log.warn("closing: {}", decision.closeReason());
      endReason = decision.closeReason();
      ByteBuf words = decision.lastWords();
      toClient.then(() -> closeWith(words));
    }
  }

  private void toTranslator(long seq, WirePart received, WirePart forward) {
    if (forward != received) {
      record(seq, "replaced");
    }
    session.clientSent(forward);
    String line = forward.text();
    forward.release();
    translator.clientLine(line);
  }

  private void clientStep(long seq, Verdict.Step step) {
    if (closing) {
      release(step);
    } else if (step instanceof Verdict.Send send) {
      toTranslator(seq, send.part(), send.part());
    } else if (step instanceof Verdict.Trickle trickle) {
      toTranslator(seq, trickle.part(), trickle.part());
    } else if (step instanceof Verdict.Pause pause) {
      toClient.pause(pause.duration());
    } else if (step instanceof Verdict.Reply reply) {
      if (capture != null) {
        capture.sent(Direction.PROXY_TO_CLIENT, reply.bytes(), seq);
      }
      toClient.send(reply.bytes());
    } else if (step instanceof Verdict.End end) {
      endReason = end.reason();
      toClient.then(() -> closeWith(end.lastWords()));
    }
  }

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
          "discarded {} octets the client sent after STLS before the TLS handshake", discarded);
    }
    session.clientTlsStarted();
  }

  private void identified(Fingerprint fp) {
    if (identification.forced() != null) {
      return;
    }
    session.identify(ClientIdentification.identity(fp));
    imap.identify(session.identity());
    log.debug("client looks like {}", ClientIdentification.describe(fp));
    if (capture != null) {
      capture.event("fingerprint", ClientIdentification.fields(fp));
    }
  }

  // ---- upstream → translator

  @Override
  public void upstreamAttached(Channel channel) {
    this.upstreamPending = channel;
  }

  @Override
  public void upstreamConnected(Channel channel, BooleanSupplier atFrameBoundary) {
    if (closing) {
      channel.close();
      return;
    }
    this.upstream = channel;
    this.toUpstream = new Outbox(channel, this::resumeClientReads);
    log.info("connected to upstream {} (serving POP3 from IMAP)", config.upstream());
    channel.read();
  }

  @Override
  public void upstreamUnreachable(Throwable cause) {
    String reason =
        "upstream " + config.upstream() + " unreachable: " + SessionRelay.describe(cause);
    endReason = reason;
    log.warn("{}", reason);
    closeWith(Replies.goodbye(Protocol.POP3, null, "SYS/TEMP", reason));
  }

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
            + (cause == null ? "" : ": " + SessionRelay.describe(cause));
    endReason = reason;
    log.warn("{}", reason);
    closeWith(Replies.goodbye(Protocol.POP3, null, "SYS/TEMP", reason));
  }

  @Override
  public void serverPart(WirePart part) {
    lastActivityNanos = System.nanoTime();
    if (closing || !client.isActive()) {
      part.release();
      return;
    }
    serverBytes += part.content().readableBytes();
    long seq = capture == null ? 0 : capture.received(Direction.UPSTREAM_TO_PROXY, part);
    imap.serverSent(part);
    if (part.isLine() && part.frameStart() && log.isTraceEnabled()) {
      String text = part.text();
      log.trace("S: {}", text.length() <= 40 ? text : text.substring(0, 40) + "...");
    }
    Decision decision = chain.onServer(imap, part);
    recordHits(seq, decision);
    if (decision.forward() != null) {
      if (decision.forward() != part) {
        record(seq, "replaced");
      }
      fromUpstream(decision.forward());
    } else if (decision.steps() != null) {
      record(seq, "rule");
      for (Verdict.Step step : decision.steps()) {
        serverStep(seq, step);
      }
    } else if (!decision.held() && decision.closeReason() == null) {
      record(seq, decision.answer() != null ? "answered" : "dropped");
    }
    if (decision.answer() != null) {
      ownToUpstream(decision.answer(), seq);
    }
    if (decision.closeReason() != null) {
      log.warn("closing: {}", decision.closeReason());
      endReason = decision.closeReason();
      ByteBuf words = translator.midBody() ? null : decision.lastWords();
      if (words != decision.lastWords() && decision.lastWords() != null) {
        decision.lastWords().release();
      }
      toClient.then(() -> closeWith(words));
    }
  }

  private void fromUpstream(WirePart part) {
    try {
      translator.serverPart(part);
    } finally {
      part.release();
    }
  }

  private void serverStep(long seq, Verdict.Step step) {
    if (closing) {
      release(step);
    } else if (step instanceof Verdict.Send send) {
      fromUpstream(send.part());
    } else if (step instanceof Verdict.Trickle trickle) {
      fromUpstream(trickle.part());
    } else if (step instanceof Verdict.Pause pause) {
      toClient.pause(pause.duration());
    } else if (step instanceof Verdict.Reply reply) {
      ownToUpstream(reply.bytes(), seq);
    } else if (step instanceof Verdict.End end) {
      endReason = end.reason();
      toClient.then(() -> closeWith(end.lastWords()));
    }
  }

  private void ownToUpstream(ByteBuf bytes, long seq) {
    if (capture != null) {
      capture.sent(Direction.PROXY_TO_UPSTREAM, bytes, seq);
    }
    toUpstream.send(bytes);
    upstream.flush();
  }

  @Override
  public void upstreamReadComplete() {
    client.flush();
    upstreamMayRead();
  }

  // ---- backpressure

  private void upstreamMayRead() {
    if (!closing && upstream != null && client.isWritable() && toClient.idle()) {
      readWhenRecorderKeepsUp(upstream);
    }
  }

  private void resumeClientReads() {
    if (closing || clientInputShut || upstream == null || translator.busy()) {
      return;
    }
    if (heldClientParts.isEmpty()
        && upstream.isWritable()
        && client.isWritable()
        && toUpstream.idle()
        && toClient.idle()) {
      readWhenRecorderKeepsUp(client);
    }
  }

  private void readWhenRecorderKeepsUp(Channel channel) {
    if (closing) {
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
  public void clientReadComplete() {
    client.flush();
    resumeClientReads();
  }

  @Override
  public void clientWritabilityChanged() {
    upstreamMayRead();
    resumeClientReads();
  }

  @Override
  public void upstreamWritabilityChanged() {
    resumeClientReads();
  }

  // ---- endings

  @Override
  public void checkIdle() {
    Duration limit =
        session.authenticated() ? config.limits().idleTimeout() : config.limits().loginTimeout();
    Duration idle = Duration.ofNanos(System.nanoTime() - lastActivityNanos);
    if (idle.compareTo(limit) < 0) {
      return;
    }
    if (closing) {
      forceClose();
    } else {
      log.info("idle for {} s (limit {} s); closing", idle.toSeconds(), limit.toSeconds());
      goodbye("autologout, idle for " + limit.toSeconds() + " s");
    }
  }

  @Override
  public void goodbye(String reason) {
    if (closing) {
      return;
    }
    if (translator.midBody()) {
      goodbyeAfterBody = reason;
      return;
    }
    endReason = reason;
    closeWith(Replies.goodbye(Protocol.POP3, null, null, reason));
  }

  @Override
  public void clientTlsFailed(Throwable cause) {
    log.info("client TLS handshake failed: {}", SessionRelay.describe(cause));
    closeWith(null);
  }

  @Override
  public void clientInputShutdown() {
    log.info("client half-closed its side");
    clientInputShut = true;
    if (!translator.busy() && heldClientParts.isEmpty()) {
      endReason = "client half-closed without QUIT";
      closeWith(null);
    }
  }

  @Override
  public void upstreamInputShutdown() {
    upstreamClosed();
  }

  @Override
  public void upstreamClosed() {
    if (closing) {
      return;
    }
    log.info("upstream closed the connection");
    translator.upstreamGone();
  }

  @Override
  public void failed(Throwable cause, boolean fromClient) {
    String side = fromClient ? "client" : "upstream";
    if (!closing) {
      endReason = side + ": " + SessionRelay.describe(cause);
    }
    if (cause instanceof LimitExceededException limit) {
      log.warn("{} from the {}; closing", limit.getMessage(), side);
      closeWith(
          translator.midBody()
              ? null
              : Replies.goodbye(
                  Protocol.POP3, null, fromClient ? null : "SYS/TEMP", limit.getMessage()));
    } else if (cause instanceof SSLException || cause.getCause() instanceof SSLException) {
      if (!fromClient && upstream == null && upstreamPending != null) {
        upstreamTlsFailed(upstreamPending, "TLS failed", cause);
        return;
      }
      log.info("{} TLS failed: {}", side, SessionRelay.describe(cause));
      closeWith(null);
    } else if (cause instanceof IOException || cause.getCause() instanceof IOException) {
      log.info("{} connection failed: {}", side, SessionRelay.describe(cause));
      closeWith(null);
    } else {
      log.warn("unexpected error on the {} side; closing", side, cause);
      closeWith(null);
    }
  }

  @Override
  public void clientClosed() {
    if (!closing) {
      log.info("client closed the connection");
    }
    closeWith(null);
    heldClientParts.forEach(WirePart::release);
    heldClientParts.clear();
    chain.onClose(session);
    chain.onClose(imap);
    Fingerprint fp = identification == null ? null : identification.current();
    if (capture != null) {
      if (fp != null) {
        capture.footer("fingerprint", ClientIdentification.fields(fp));
      }
      if (identification != null && identification.forced() != null) {
        capture.footer("forcedClient", identification.forced().family());
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

  private void closeWith(ByteBuf lastWords) {
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
      capture.sent(Direction.PROXY_TO_CLIENT, lastWords, lastClientSeq);
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
      var hardClose = client.eventLoop().schedule(this::forceClose, 5, TimeUnit.SECONDS);
      client.closeFuture().addListener(f -> hardClose.cancel(false));
    } else if (lastWords != null) {
      lastWords.release();
    }
  }

  // ---- recording

  private void recordHits(long seq, Decision decision) {
    for (Verdict.Hit hit : decision.hits()) {
      log.debug("rule {} ({}): {}", hit.rule(), hit.action(), hit.detail());
      if (capture != null) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("of", seq);
        fields.put("rule", hit.rule());
        fields.put("action", hit.action());
        fields.put("detail", hit.detail());
        capture.event("rule", fields);
      }
    }
  }

  private void record(long seq, String outcome) {
    if (capture != null) {
      capture.outcome(seq, outcome);
    }
  }

  private static void release(Verdict.Step step) {
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
}
