package dev.quirkproxy.codec.pop3;

import dev.quirkproxy.codec.FramingDecoder;
import dev.quirkproxy.codec.WirePart;
import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Splits a POP3 server stream into {@link WirePart}s (RFC 1939 §3): a status line, and for
 * multi-line responses the body up to and including the terminating {@code .CRLF}, streamed in
 * chunks as it arrives. Dot-stuffing is left untouched: bytes are forwarded as received. A lone LF
 * is accepted as a line ending, as lenient servers send one.
 */
public final class Pop3ResponseDecoder extends FramingDecoder {

  private final Pop3FramingContext context;
  private final TerminatorScanner scanner = new TerminatorScanner();
  private boolean inBody;

  public Pop3ResponseDecoder(Pop3FramingContext context) {
    this.context = context;
  }

  @Override
  protected void decodeParts(ByteBuf in, List<Object> out) {
    if (inBody) {
      decodeBody(in, out);
      return;
    }
    int length = lineFinder.find(in, context.maxLineLength(), "server line");
    if (length < 0) {
      return;
    }
    int from = in.readerIndex();
    int textLength = length - 1;
    if (textLength > 0 && in.getByte(from + textLength - 1) == '\r') {
      textLength--;
    }
    boolean multiLine =
        context.statusLine(in.toString(from, textLength, StandardCharsets.ISO_8859_1));
    out.add(WirePart.line(in.readRetainedSlice(length), true, !multiLine, null));
    if (multiLine) {
      inBody = true;
      scanner.reset();
    }
  }

  private void decodeBody(ByteBuf in, List<Object> out) {
    int from = in.readerIndex();
    int terminator = in.forEachByte(from, in.readableBytes(), scanner);
    if (terminator < 0) {
      out.add(WirePart.bodyChunk(in.readRetainedSlice(in.readableBytes()), false));
      return;
    }
    inBody = false;
    out.add(WirePart.bodyChunk(in.readRetainedSlice(terminator - from + 1), true));
  }

  @Override
  public boolean atFrameBoundary() {
    return !inBody;
  }

  /**
   * Finds the LF of the terminating line {@code "." CRLF} (RFC 1939 §3), which may start the body
   * or follow any line ending; a line starting with {@code ".."} is dot-stuffed content.
   */
  private static final class TerminatorScanner implements ByteProcessor {
    private static final int LINE_START = 0;
    private static final int IN_LINE = 1;
    private static final int DOT = 2;
    private static final int DOT_CR = 3;
    private int state = LINE_START;

    void reset() {
      state = LINE_START;
    }

    @Override
    public boolean process(byte b) {
      switch (state) {
        case LINE_START -> state = b == '.' ? DOT : b == '\n' ? LINE_START : IN_LINE;
        case DOT -> {
          if (b == '\n') {
            return false;
          }
          state = b == '\r' ? DOT_CR : IN_LINE;
        }
        case DOT_CR -> {
          if (b == '\n') {
            return false;
          }
          state = IN_LINE;
        }
        default -> {
          if (b == '\n') {
            state = LINE_START;
          }
        }
      }
      return true;
    }
  }
}
