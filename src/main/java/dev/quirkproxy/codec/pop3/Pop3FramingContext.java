package dev.quirkproxy.codec.pop3;

/**
 * What a POP3 framer needs from outside its own byte stream. Whether a {@code +OK} starts a
 * multi-line body depends on the command it answers (RFC 1939 §3, RFC 2449 CAPA, RFC 5034 AUTH),
 * which only the session tracker knows: it keeps the queue of pending commands.
 */
public interface Pop3FramingContext {

  /** Longest line accepted, line ending included. */
  int maxLineLength();

  /**
   * Called once for every status line the server sends ({@code +OK}, {@code -ERR}, {@code +}
   * continuation, or the greeting), in order.
   *
   * @param statusLine the line without its line ending
   * @return true if a dot-terminated multi-line body follows it
   */
  boolean statusLine(String statusLine);
}
