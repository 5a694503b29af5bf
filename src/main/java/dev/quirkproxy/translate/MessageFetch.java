package dev.quirkproxy.translate;

import dev.quirkproxy.codec.WirePart;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * RETR and TOP over IMAP, streamed: RETR is {@code UID FETCH uid (BODY.PEEK[])}; TOP is {@code
 * BODY.PEEK[HEADER]} and then {@code BODY.PEEK[TEXT]<offset.64KiB>} pieces until the asked number
 * of lines has gone out or the text ends. Each literal chunk is dot-stuffed and written to the
 * client as it arrives, so no message is ever held whole; the relay's backpressure keeps the
 * upstream from sending faster than the client reads.
 */
final class MessageFetch {

  static final int TEXT_PIECE = 64 * 1024;

  // The space before the literal is optional: GreenMail leaves it out after an origin <0>.
  private static final Pattern WHOLE = Pattern.compile("BODY\\[\\](<0>)? ?~?\\{\\d+\\+?\\}$");
  private static final Pattern HEADER = Pattern.compile("BODY\\[HEADER\\] ?~?\\{\\d+\\+?\\}$");
  private static final Pattern TEXT = Pattern.compile("BODY\\[TEXT\\]<\\d+> ?~?\\{\\d+\\+?\\}$");

  private final ImapCaller imap;
  private final Pop3OverImap.Port port;
  private final ByteBufAllocator alloc;
  private final Runnable finished;
  private final DotStuffer stuffer = new DotStuffer();
  private final int number;
  private final long uid;
  private final String okLine;
  private boolean statusSent;
  private boolean inLiteral;
  private boolean ended;
  private long pieceSize;

  /**
   * @param okLine the status line that opens the body once the first literal arrives
   * @param finished runs after the body's end (or the -ERR) has gone out
   */
  MessageFetch(
      ImapCaller imap,
      Pop3OverImap.Port port,
      ByteBufAllocator alloc,
      int number,
      long uid,
      String okLine,
      Runnable finished) {
    this.imap = imap;
    this.port = port;
    this.alloc = alloc;
    this.number = number;
    this.uid = uid;
    this.okLine = okLine;
    this.finished = finished;
  }

  /** True while a body has been opened and not closed: nothing else may go to the client. */
  boolean midBody() {
    return statusSent && !ended;
  }

  void retr(boolean markSeen) {
    piece(
        markSeen ? "BODY[]" : "BODY.PEEK[]",
        WHOLE,
        done -> {
          if (done.ok() && statusSent) {
            end();
          } else {
            refuse(done);
          }
        });
  }

  void top(long lines) {
    piece(
        "BODY.PEEK[HEADER]",
        HEADER,
        done -> {
          if (!done.ok() || !statusSent) {
            refuse(done);
          } else {
            separateHeader();
            if (lines == 0) {
              end();
              return;
            }
            stuffer.limitLines(lines);
            text(0);
          }
        });
  }

  /**
   * RFC 9051 §6.4.5: HEADER includes the blank line that ends the header; a server that leaves it
   * out (GreenMail) would run the header into the text, so the proxy adds it.
   */
  private void separateHeader() {
    if (stuffer.endsWithBlankLine()) {
      return;
    }
    String missing = stuffer.atLineStart() ? "\r\n" : "\r\n\r\n";
    ByteBuf crlf = Unpooled.copiedBuffer(missing, StandardCharsets.US_ASCII);
    port.body(stuffer.stuff(crlf, alloc));
    crlf.release();
  }

  private void text(long offset) {
    piece(
        "BODY.PEEK[TEXT]<" + offset + "." + TEXT_PIECE + ">",
        TEXT,
        done -> {
          if (done.ok() && !stuffer.cut() && pieceSize == TEXT_PIECE) {
            text(offset + TEXT_PIECE);
          } else {
            // An error after the body started cannot become -ERR: the body ends where it got to.
            end();
          }
        });
  }

  private interface After {
    void run(ImapCaller.Done done);
  }

  private void piece(String item, Pattern announces, After after) {
    pieceSize = -1;
    imap.call(
        "UID FETCH " + uid + " (" + item + ")",
        new ImapCaller.Handler() {
          @Override
          public void part(WirePart part) {
            onPart(part, announces);
          }

          @Override
          public void done(ImapCaller.Done done) {
            after.run(done);
          }
        });
  }

  private void onPart(WirePart part, Pattern announces) {
    if (part.isLine()) {
      inLiteral = false;
      if (part.literal() != null && pieceSize < 0 && announces.matcher(part.text()).find()) {
        pieceSize = part.literal().size();
        inLiteral = true;
        if (!statusSent) {
          statusSent = true;
          port.status(okLine);
        }
      }
    } else if (inLiteral && part.kind() == WirePart.Kind.LITERAL) {
      if (!stuffer.cut()) {
        port.body(stuffer.stuff(part.content(), alloc));
      }
    }
  }

  private void end() {
    ended = true;
    port.body(stuffer.end());
    finished.run();
  }

  private void refuse(ImapCaller.Done done) {
    ended = true;
    if (statusSent) {
      port.body(stuffer.end());
    } else if (done.ok()) {
      port.status("-ERR quirkproxy: message " + number + " is no longer on the server");
    } else {
      port.status(
          "-ERR quirkproxy: the upstream could not fetch message " + number + ": " + done.said());
    }
    finished.run();
  }
}
