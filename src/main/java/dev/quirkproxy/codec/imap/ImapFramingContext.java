package dev.quirkproxy.codec.imap;

/**
 * What an IMAP framer needs to know from outside its own byte stream: the current limits (lower
 * before authentication) and, for the client side, whether the server refused a synchronizing
 * literal (RFC 9051 §7.5: a tagged NO/BAD instead of the {@code +} continuation, after which the
 * client sends no literal). The session tracker implements it, since it sees both directions.
 */
public interface ImapFramingContext {

  /** Longest line accepted, line ending included. */
  int maxLineLength();

  /** Largest non-synchronizing literal accepted before the stream is given up. */
  long maxLiteralSize();

  /** True once the synchronizing literal announced last was refused instead of accepted. */
  boolean literalRefused();
}
