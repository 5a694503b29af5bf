package dev.quirkproxy.translate;

import dev.quirkproxy.codec.WirePart;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The proxy's own IMAP client side: sends one tagged command at a time (RFC 9051 §2.2.1) and hands
 * every server part to the command in progress until its tagged status arrives. Untagged data
 * outside a command (e.g. EXISTS after another client's APPEND) is left alone.
 */
final class ImapCaller {

  /** The tagged completion of a command: OK, NO or BAD, its response code and text. */
  record Done(String status, String code, String text) {
    boolean ok() {
      return status.equals("OK");
    }

    /** The server's words for a POP3 answer: printable ASCII, at most 200 characters. */
    String said() {
      String all = (code == null ? "" : "[" + code + "] ") + text;
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < all.length() && b.length() < 200; i++) {
        char c = all.charAt(i);
        b.append(c >= ' ' && c < 0x7f ? c : '?');
      }
      return b.toString();
    }
  }

  /** What a command does with the server's answer. */
  interface Handler {
    /** An untagged part (line or literal chunk) while the command is in progress. */
    default void part(WirePart part) {}

    /** A continuation request ({@code +}); the answer goes out with {@link #sendLine}. */
    default void continuation(String text) {}

    void done(Done done);
  }

  private final Consumer<ByteBuf> out;
  private int counter;
  private String tag;
  private Handler handler;
  private String byeText;

  ImapCaller(Consumer<ByteBuf> out) {
    this.out = out;
  }

  /** True while a command waits for its tagged status. */
  boolean busy() {
    return handler != null;
  }

  /** What the server said in an untagged BYE, or null. */
  String byeText() {
    return byeText;
  }

  /** Sends {@code command} (without tag or line end) and routes its answer to {@code h}. */
  void call(String command, Handler h) {
    if (handler != null) {
      throw new IllegalStateException("an IMAP command is already in progress");
    }
    tag = "P" + (++counter);
    handler = h;
    sendLine(tag + " " + command);
  }

  /** Sends a command whose answer nobody waits for (LOGOUT just before the session closes). */
  void callAndForget(String command) {
    sendLine("P" + (++counter) + " " + command);
  }

  /** A line as it goes upstream (a SASL response, or a whole command with its tag). */
  void sendLine(String line) {
    out.accept(Unpooled.copiedBuffer(line + "\r\n", StandardCharsets.UTF_8));
  }

  /** Routes one part from the server; false when it belongs to no command. */
  boolean serverPart(WirePart part) {
    if (part.isLine() && part.frameStart()) {
      String text = part.text();
      if (text.regionMatches(true, 0, "* BYE", 0, 5)) {
        byeText = text.length() > 6 ? text.substring(6) : "";
      }
      if (handler != null && text.startsWith(tag + " ")) {
        Handler h = handler;
        handler = null;
        h.done(parseStatus(text.substring(tag.length() + 1)));
        return true;
      }
      if (handler != null && text.startsWith("+")) {
        handler.continuation(text.length() > 2 ? text.substring(2) : "");
        return true;
      }
    }
    if (handler == null) {
      return false;
    }
    handler.part(part);
    return true;
  }

  static Done parseStatus(String rest) {
    int sp = rest.indexOf(' ');
    String status = (sp < 0 ? rest : rest.substring(0, sp)).toUpperCase(java.util.Locale.ROOT);
    String text = sp < 0 ? "" : rest.substring(sp + 1);
    String code = null;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close > 0) {
        code = text.substring(1, close);
        text = text.substring(close + 1).stripLeading();
      }
    }
    return new Done(status, code, text);
  }

  /** An IMAP quoted string (RFC 9051 §4.3) for printable ASCII text. */
  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** True when {@code s} can be sent as a quoted string: printable ASCII only. */
  static boolean quotable(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < ' ' || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }
}
