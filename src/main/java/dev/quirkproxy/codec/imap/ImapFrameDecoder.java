package dev.quirkproxy.codec.imap;

import dev.quirkproxy.codec.FramingDecoder;
import dev.quirkproxy.codec.LimitExceededException;
import dev.quirkproxy.codec.Literal;
import dev.quirkproxy.codec.WirePart;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Splits one direction of an IMAP stream into {@link WirePart}s (RFC 9051 §2.2, §4.3; RFC 3501):
 * lines, and literal octets streamed in chunks as they arrive. A frame (a command or a response) is
 * a line, then for every literal it announces the literal's octets and the line that follows.
 *
 * <p>Client side: a synchronizing literal {@code {n}} or {@code ~{n}} (literal8, RFC 3516) waits
 * for the server's verdict, which the {@link ImapFramingContext} knows; if it was refused, the next
 * bytes are a new command. Non-synchronizing {@code {n+}} and {@code ~{n+}} (RFC 7888) follow at
 * once, and a limit is enforced before the line announcing them is emitted. Server side: status
 * responses and continuation requests never announce literals, since their text is free-form (RFC
 * 9051 {@code resp-text}).
 *
 * <p>Emits one part per {@code decode} call, so the next handler has seen each part before the
 * framer looks at the following bytes.
 */
public final class ImapFrameDecoder extends FramingDecoder {

  /** Which peer's bytes this framer reads. */
  public enum Side {
    CLIENT,
    SERVER
  }

  private enum State {
    LINE,
    AWAIT_SYNC,
    LITERAL
  }

  private final Side side;
  private final ImapFramingContext context;
  private State state = State.LINE;
  private boolean inFrame;
  private long literalRemaining;

  public ImapFrameDecoder(Side side, ImapFramingContext context) {
    this.side = side;
    this.context = context;
  }

  @Override
  protected void decodeParts(ByteBuf in, List<Object> out) {
    for (; ; ) {
      switch (state) {
        case LINE -> {
          decodeLine(in, out);
          return;
        }
        case AWAIT_SYNC -> {
          if (!in.isReadable()) {
            return;
          }
          if (context.literalRefused()) {
            // The command ended where the refused literal would have started.
            inFrame = false;
            state = State.LINE;
          } else {
            state = State.LITERAL;
          }
        }
        case LITERAL -> {
          if (literalRemaining == 0) {
            state = State.LINE;
            continue;
          }
          decodeLiteral(in, out);
          return;
        }
        default -> throw new IllegalStateException(state.name());
      }
    }
  }

  private void decodeLine(ByteBuf in, List<Object> out) {
    String what = side == Side.CLIENT ? "client line" : "server line";
    int length = lineFinder.find(in, context.maxLineLength(), what);
    if (length < 0) {
      return;
    }
    int from = in.readerIndex();
    int end = from + length - 1;
    if (end > from && in.getByte(end - 1) == '\r') {
      end--;
    }
    boolean frameStart = !inFrame;
    Literal literal =
        mayAnnounceLiteral(in, from, end, frameStart) ? Literal.atEndOf(in, from, end) : null;
    boolean awaitSync = literal != null && side == Side.CLIENT && literal.synchronizing();
    if (literal != null && !awaitSync && literal.size() > context.maxLiteralSize()) {
      // Before the line is emitted, so no part of the offending frame is forwarded.
      throw new LimitExceededException(
          side == Side.CLIENT ? "client literal" : "server literal",
          literal.size(),
          context.maxLiteralSize());
    }
    out.add(WirePart.line(in.readRetainedSlice(length), frameStart, literal == null, literal));
    if (literal == null) {
      inFrame = false;
      return;
    }
    inFrame = true;
    literalRemaining = literal.size();
    state = awaitSync ? State.AWAIT_SYNC : State.LITERAL;
  }

  private boolean mayAnnounceLiteral(ByteBuf in, int from, int end, boolean frameStart) {
    return side == Side.CLIENT || !frameStart || ImapSyntax.isUntaggedData(in, from, end);
  }

  private void decodeLiteral(ByteBuf in, List<Object> out) {
    int n = (int) Math.min(in.readableBytes(), literalRemaining);
    if (n == 0) {
      return;
    }
    literalRemaining -= n;
    out.add(WirePart.literalChunk(in.readRetainedSlice(n)));
    if (literalRemaining == 0) {
      state = State.LINE;
    }
  }

  @Override
  public boolean atFrameBoundary() {
    return !inFrame && state == State.LINE;
  }
}
