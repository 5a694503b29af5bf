package dev.quirkproxy.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import java.nio.charset.StandardCharsets;

/**
 * One piece of a protocol frame exactly as it crossed the wire: a line (with its CRLF), a chunk of
 * an IMAP literal, or a chunk of a POP3 multi-line body. A frame is one or more parts; the first
 * has {@link #frameStart()}, the last {@link #frameEnd()}. Large literals and bodies arrive as
 * several chunks so nobody has to hold a whole message to forward it.
 */
public final class WirePart extends DefaultByteBufHolder {

  /** What the bytes of a part are. */
  public enum Kind {
    /** A line ending in LF (normally CRLF), bytes included. */
    LINE,
    /** Raw octets of an IMAP literal ({@code {n}}, {@code {n+}}, {@code ~{n}}). */
    LITERAL,
    /** Raw octets of a POP3 multi-line body, dot-stuffing and terminator included. */
    BODY
  }

  private final Kind kind;
  private final boolean frameStart;
  private final boolean frameEnd;
  private final Literal literal;
  private String text;

  private WirePart(
      Kind kind, ByteBuf bytes, boolean frameStart, boolean frameEnd, Literal literal) {
    super(bytes);
    this.kind = kind;
    this.frameStart = frameStart;
    this.frameEnd = frameEnd;
    this.literal = literal;
  }

  /** A line; {@code literal} is the literal it announces at its end, or null. */
  public static WirePart line(
      ByteBuf bytes, boolean frameStart, boolean frameEnd, Literal literal) {
    return new WirePart(Kind.LINE, bytes, frameStart, frameEnd, literal);
  }

  /** A chunk of literal octets; literals never end a frame (a line always follows). */
  public static WirePart literalChunk(ByteBuf bytes) {
    return new WirePart(Kind.LITERAL, bytes, false, false, null);
  }

  /** A chunk of a POP3 multi-line body; the chunk holding the terminator ends the frame. */
  public static WirePart bodyChunk(ByteBuf bytes, boolean frameEnd) {
    return new WirePart(Kind.BODY, bytes, false, frameEnd, null);
  }

  public Kind kind() {
    return kind;
  }

  public boolean isLine() {
    return kind == Kind.LINE;
  }

  public boolean frameStart() {
    return frameStart;
  }

  public boolean frameEnd() {
    return frameEnd;
  }

  /** The literal announced at the end of this line, or null. */
  public Literal literal() {
    return literal;
  }

  /**
   * The line without its line ending, one char per octet (ISO-8859-1), so no byte is lost or
   * replaced. Only meaningful for lines.
   */
  public String text() {
    if (text == null) {
      ByteBuf b = content();
      int end = b.writerIndex();
      if (end > b.readerIndex() && b.getByte(end - 1) == '\n') {
        end--;
      }
      if (end > b.readerIndex() && b.getByte(end - 1) == '\r') {
        end--;
      }
      text = b.toString(b.readerIndex(), end - b.readerIndex(), StandardCharsets.ISO_8859_1);
    }
    return text;
  }

  /** A part of the same kind and position with other bytes (used when a rule rewrites a line). */
  @Override
  public WirePart replace(ByteBuf content) {
    return new WirePart(kind, content, frameStart, frameEnd, literal);
  }

  /** Another part over the same bytes, with its own reference (for sending a frame twice). */
  @Override
  public WirePart retainedDuplicate() {
    return replace(content().retainedDuplicate());
  }

  @Override
  public WirePart retain() {
    super.retain();
    return this;
  }

  @Override
  public String toString() {
    return kind
        + (frameStart ? "[start]" : "")
        + (frameEnd ? "[end]" : "")
        + " "
        + content().readableBytes()
        + "B";
  }
}
