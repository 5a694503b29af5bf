package dev.quirkproxy.codec.imap.parse;

/** Why and where a frame does not follow the grammar; never leaves this package. */
final class ParseException extends Exception {

  private static final long serialVersionUID = 1L;

  private final long position;

  ParseException(String reason, long position) {
    super(reason, null, false, false);
    this.position = position;
  }

  long position() {
    return position;
  }
}
