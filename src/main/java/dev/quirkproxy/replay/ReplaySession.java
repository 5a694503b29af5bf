package dev.quirkproxy.replay;

import dev.quirkproxy.codec.FramingDecoder;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.flow.Capabilities;
import dev.quirkproxy.session.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of the replay server: greets as recorded, reads the client's commands
 * through the client framer, answers each with the recorded answer (the tagged completion carrying
 * the live tag) or as the {@link MissPolicy} says, and closes after LOGOUT/QUIT. It sends the
 * {@code +} go-ahead for a synchronizing literal itself (RFC 9051 §7.5).
 *
 * <p>With a STARTTLS context it offers STARTTLS (IMAP, RFC 9051 §6.2.1: in {@code CAPABILITY} and
 * {@code [CAPABILITY]} codes) or STLS (POP3, RFC 2595 §4: in {@code CAPA}) until TLS has started,
 * answers the command itself and starts TLS; what the client pipelined behind it is discarded.
 * Without one, STARTTLS/STLS gets {@code BAD}/{@code -ERR} (recorded ones are left out of the
 * {@link Recording}).
 */
final class ReplaySession extends SimpleChannelInboundHandler<WirePart> {

  private static final Logger log = LoggerFactory.getLogger(ReplaySession.class);

  /** Told about every answered command and every miss (the server keeps the counts). */
  interface Listener {
    void answered();

    void missed(String command, MissPolicy policy);
  }

  private final Recording recording;
  private final Playbook playbook;
  private final MissPolicy onMiss;
  private final Listener listener;
  private final Protocol protocol;
  private ClientCommand.Builder command;
  private Recording.Exchange awaiting;
  private String awaitingTag;
  private int nextAnswer;
  private final SslContext startTls;

  /** STARTTLS accepted: parts already framed from the same read are plain text, dropped. */
  private boolean discarding;

  ReplaySession(Recording recording, ReplayOptions options, Listener listener) {
    this(recording, options, listener, null);
  }

  /**
   * @param startTls the server context to offer STARTTLS/STLS with, or null for none
   */
  ReplaySession(
      Recording recording, ReplayOptions options, Listener listener, SslContext startTls) {
    this.startTls = startTls;
    this.recording = recording;
    this.playbook = new Playbook(recording, options.normalize());
    this.onMiss = options.onMiss();
    this.listener = listener;
    this.protocol = recording.protocol();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    send(ctx, recording.greeting(), null);
    ctx.flush();
    super.channelActive(ctx);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WirePart part) throws IOException {
    if (discarding) {
      return;
    }
    if (!part.isLine()) {
      if (command != null) {
        command.literal(ByteBufUtil.getBytes(part.content()));
      }
      return;
    }
    if (part.frameStart() && awaiting != null) {
      // DONE, a SASL line: recorded ones are redacted, so any line takes the next answer.
      Recording.Exchange x = awaiting;
      send(ctx, x.answers.get(nextAnswer++), awaitingTag);
      if (nextAnswer >= x.answers.size()) {
        awaiting = null;
      }
      ctx.flush();
      return;
    }
    if (part.frameStart() || command == null) {
      command = new ClientCommand.Builder();
    }
    command.line(part.text(), part.literal() != null);
    if (part.literal() != null && part.literal().synchronizing()) {
      ctx.writeAndFlush(ascii("+ go ahead\r\n"));
    }
    if (part.frameEnd()) {
      ClientCommand live = command.build();
      command = null;
      answer(ctx, live);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    discarding = false;
    super.channelReadComplete(ctx);
  }

  private void answer(ChannelHandlerContext ctx, ClientCommand live) throws IOException {
    CommandKey key = playbook.key(live);
    String tag = protocol == Protocol.IMAP ? live.tag() : null;
    if (key.name().equals(protocol == Protocol.IMAP ? "STARTTLS" : "STLS")) {
      startTls(ctx, tag);
      return;
    }
    boolean logout = key.name().equals(protocol == Protocol.IMAP ? "LOGOUT" : "QUIT");
    Recording.Exchange x = playbook.answer(key);
    if (x != null) {
      listener.answered();
      if (protocol == Protocol.POP3 && key.name().equals("CAPA") && startTls != null) {
        ctx.write(ascii(editCapa(joined(x.answers.get(0)), !tlsStarted(ctx))));
      } else {
        send(ctx, x.answers.get(0), tag);
      }
      if (x.answers.size() > 1) {
        awaiting = x;
        awaitingTag = tag;
        nextAnswer = 1;
      }
      if (logout) {
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      } else {
        ctx.flush();
      }
      return;
    }
    if (logout) {
      log.info("replay: the capture has no {}; answering it without the capture", key.name());
      String bye =
          protocol == Protocol.IMAP
              ? "* BYE quirkproxy replay: logging out\r\n" + tag + " OK LOGOUT completed\r\n"
              : "+OK quirkproxy replay: logging out\r\n";
      ctx.writeAndFlush(ascii(bye)).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    miss(ctx, key, tag);
  }

  /**
   * STARTTLS/STLS, answered by the replay itself: with a STARTTLS context and no TLS yet, the OK
   * goes out in the clear and TLS starts (as {@code SessionRelay.startClientTls} does); bytes the
   * client pipelined behind the command are discarded, never read as if they came through TLS.
   */
  private void startTls(ChannelHandlerContext ctx, String tag) {
    boolean imap = protocol == Protocol.IMAP;
    boolean inside = tlsStarted(ctx);
    if (startTls == null || inside) {
      String why = "is not available " + (inside ? "inside TLS" : "on this listener");
      ctx.writeAndFlush(
          ascii(
              imap
                  ? tag + " BAD quirkproxy replay: STARTTLS " + why + "\r\n"
                  : "-ERR quirkproxy replay: STLS " + why + "\r\n"));
      return;
    }
    log.info("replay: client {}: starting TLS", imap ? "STARTTLS" : "STLS");
    ctx.pipeline().addFirst("tls", new SslHandler(startTls.newEngine(ctx.alloc()), true));
    ctx.writeAndFlush(
        ascii(imap ? tag + " OK Begin TLS negotiation now\r\n" : "+OK Begin TLS negotiation\r\n"));
    FramingDecoder framer = ctx.pipeline().get(FramingDecoder.class);
    int discarded = framer == null ? 0 : framer.discardBuffered();
    if (discarded > 0) {
      log.warn(
          "replay: discarded {} octets the client sent after STARTTLS before the TLS handshake",
          discarded);
    }
    command = null;
    awaiting = null;
    discarding = true;
  }

  private static boolean tlsStarted(ChannelHandlerContext ctx) {
    return ctx.pipeline().get(SslHandler.class) != null;
  }

  private String joined(List<Recording.Chunk> chunks) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (Recording.Chunk c : chunks) {
      all.writeBytes(recording.bytes(c));
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }

  /**
   * A recorded {@code +OK} CAPA answer with STLS added ({@code offer}) or removed (TLS started);
   * anything else as it was.
   */
  static String editCapa(String answer, boolean offer) {
    if (!answer.startsWith("+OK")) {
      return answer;
    }
    String eol = answer.contains("\r\n") ? "\r\n" : "\n";
    List<String> lines = new ArrayList<>(List.of(answer.split("\r?\n", -1)));
    int n = lines.size();
    // status, capabilities..., ".", "" (after the final line ending)
    if (n < 3 || !lines.get(n - 1).isEmpty() || !lines.get(n - 2).equals(".")) {
      return answer;
    }
    List<String> caps = lines.subList(1, n - 2);
    boolean has = caps.stream().anyMatch(ReplaySession::isStls);
    if (offer == has) {
      return answer;
    }
    if (offer) {
      caps.add("STLS");
    } else {
      caps.removeIf(ReplaySession::isStls);
    }
    return String.join(eol, lines);
  }

  private static boolean isStls(String capability) {
    return capability.strip().equalsIgnoreCase("STLS");
  }

  /**
   * An IMAP line with STARTTLS added to its capability list (untagged CAPABILITY or a [CAPABILITY]
   * code) before TLS, removed after; null when nothing changes.
   */
  static byte[] editCapabilities(byte[] bytes, boolean offer) {
    String line = Recording.line(bytes);
    String edited =
        Capabilities.rewrite(
            line,
            caps -> {
              boolean has = caps.stream().anyMatch(c -> Capabilities.is(c, "STARTTLS"));
              if (offer && !has) {
                caps.add("STARTTLS");
              } else if (!offer) {
                caps.removeIf(c -> Capabilities.is(c, "STARTTLS"));
              }
              return caps;
            });
    if (edited == null) {
      return null;
    }
    String eol =
        new String(bytes, line.length(), bytes.length - line.length(), StandardCharsets.ISO_8859_1);
    return (edited + eol).getBytes(StandardCharsets.ISO_8859_1);
  }

  private void miss(ChannelHandlerContext ctx, CommandKey key, String tag) {
    String name = key.name().isEmpty() ? "(empty line)" : key.name();
    String text =
        "quirkproxy replay: no recorded answer for \""
            + name
            + (key.toString().length() > key.name().length() ? " ..." : "")
            + "\"";
    // Only the name: the arguments may hold a password (LOGIN, PASS).
    log.warn(
        "replay: no recorded answer for {} (--on-miss {})",
        name,
        onMiss.name().toLowerCase(java.util.Locale.ROOT));
    listener.missed(name, onMiss);
    String imapTag = tag == null || tag.isEmpty() ? "*" : tag;
    String reply =
        switch (onMiss) {
          case BAD -> protocol == Protocol.IMAP ? imapTag + " BAD " + text : "-ERR " + text;
          case NO -> protocol == Protocol.IMAP ? imapTag + " NO " + text : "-ERR " + text;
          case CLOSE, FAIL -> protocol == Protocol.IMAP ? "* BYE " + text : "-ERR " + text;
        };
    var written = ctx.writeAndFlush(ascii(reply + "\r\n"));
    if (onMiss == MissPolicy.CLOSE || onMiss == MissPolicy.FAIL) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private void send(ChannelHandlerContext ctx, List<Recording.Chunk> chunks, String liveTag)
      throws IOException {
    boolean offer = startTls != null && !tlsStarted(ctx);
    for (Recording.Chunk c : chunks) {
      byte[] bytes = recording.bytes(c);
      if (startTls != null
          && protocol == Protocol.IMAP
          && c.event().path("kind").asText().equals("line")
          && c.event().path("start").asBoolean()) {
        byte[] edited = editCapabilities(bytes, offer);
        bytes = edited == null ? bytes : edited;
      }
      if (c.tag() != null && liveTag != null && !liveTag.isEmpty()) {
        ByteBuf b = ctx.alloc().buffer(bytes.length + liveTag.length());
        b.writeCharSequence(liveTag, StandardCharsets.ISO_8859_1);
        b.writeBytes(bytes, c.tag().length(), bytes.length - c.tag().length());
        ctx.write(b);
      } else {
        ctx.write(Unpooled.wrappedBuffer(bytes));
      }
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    log.warn("replay: closing the session: {}", why);
    String reply =
        protocol == Protocol.IMAP
            ? "* BYE quirkproxy replay: " + why + "\r\n"
            : "-ERR quirkproxy replay: " + why + "\r\n";
    if (ctx.channel().isActive()) {
      ctx.writeAndFlush(ascii(reply)).addListener(ChannelFutureListener.CLOSE);
    }
  }

  private static ByteBuf ascii(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
  }
}
