package dev.quirkproxy.replay;

import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.session.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of the replay server: greets as recorded, reads the client's commands
 * through the client framer, answers each with the recorded answer (the tagged completion carrying
 * the live tag) or as the {@link MissPolicy} says, and closes after LOGOUT/QUIT. It sends the
 * {@code +} go-ahead for a synchronizing literal itself (RFC 9051 §7.5).
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

  ReplaySession(Recording recording, ReplayOptions options, Listener listener) {
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

  private void answer(ChannelHandlerContext ctx, ClientCommand live) throws IOException {
    CommandKey key = playbook.key(live);
    String tag = protocol == Protocol.IMAP ? live.tag() : null;
    boolean logout = key.name().equals(protocol == Protocol.IMAP ? "LOGOUT" : "QUIT");
    Recording.Exchange x = playbook.answer(key);
    if (x != null) {
      listener.answered();
      send(ctx, x.answers.get(0), tag);
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
    for (Recording.Chunk c : chunks) {
      byte[] bytes = recording.bytes(c);
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
