package dev.quirkproxy.flow;

import dev.quirkproxy.session.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Answers the proxy writes in its own name. Every one says "quirkproxy" so a tester can tell the
 * proxy's words from the server's. Texts are reduced to printable ASCII so no caller can break a
 * line.
 */
public final class Replies {

  private Replies() {}

  /** IMAP tagged response, e.g. {@code A1 NO [TOOBIG] quirkproxy: ...}. */
  public static ByteBuf tagged(String tag, String status, String code, String text) {
    return line(
        tag
            + " "
            + status
            + " "
            + (code == null ? "" : "[" + code + "] ")
            + "quirkproxy: "
            + clean(text));
  }

  /**
   * The last words before the proxy closes a session: {@code * BYE} for IMAP, {@code -ERR} for POP3
   * (RFC 2449 response codes such as {@code SYS/TEMP} go in {@code pop3Code}).
   */
  public static ByteBuf goodbye(Protocol protocol, String imapCode, String pop3Code, String text) {
    return switch (protocol) {
      case IMAP ->
          line(
              "* BYE "
                  + (imapCode == null ? "" : "[" + imapCode + "] ")
                  + "quirkproxy: "
                  + clean(text));
      case POP3 ->
          line(
              "-ERR "
                  + (pop3Code == null ? "" : "[" + pop3Code + "] ")
                  + "quirkproxy: "
                  + clean(text));
    };
  }

  /** A POP3 {@code +OK} answer. */
  public static ByteBuf pop3Ok(String text) {
    return line("+OK quirkproxy: " + clean(text));
  }

  /** A POP3 {@code -ERR} answer. */
  public static ByteBuf pop3Error(String text) {
    return line("-ERR quirkproxy: " + clean(text));
  }

  private static ByteBuf line(String text) {
    return Unpooled.copiedBuffer(text + "\r\n", StandardCharsets.US_ASCII);
  }

  private static String clean(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      b.append(c >= ' ' && c < 0x7f ? c : '?');
    }
    return b.toString();
  }
}
