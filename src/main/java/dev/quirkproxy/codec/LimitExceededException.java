package dev.quirkproxy.codec;

import io.netty.handler.codec.DecoderException;

/**
 * A frame broke a configured limit (line length, literal size). The message names the value and the
 * limit; the relay turns it into a protocol answer and a log line.
 */
public final class LimitExceededException extends DecoderException {

  private static final long serialVersionUID = 1L;

  private final String what;
  private final long value;
  private final long limit;

  public LimitExceededException(String what, long value, long limit) {
    super(what + " of " + value + " octets exceeds the limit of " + limit);
    this.what = what;
    this.value = value;
    this.limit = limit;
  }

  public String what() {
    return what;
  }

  public long value() {
    return value;
  }

  public long limit() {
    return limit;
  }
}
