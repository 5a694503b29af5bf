package dev.quirkproxy.flow;

import io.netty.buffer.ByteBuf;

/**
 * What an {@link Interceptor} decides about a part: pass it on, pass other bytes in its place, drop
 * it, answer its sender instead of forwarding it, or end the session.
 */
public sealed interface Verdict {

  /** Forward the part as it is (its original bytes). */
  Verdict FORWARD = new Forward();

  /** Forward unchanged. */
  record Forward() implements Verdict {}

  /** Forward {@code bytes} instead of the part's own; later interceptors see the new bytes. */
  record Replace(ByteBuf bytes) implements Verdict {}

  /** Forward nothing. */
  record Drop() implements Verdict {}

  /** Forward nothing and send {@code reply} back to whoever sent the part. */
  record Answer(ByteBuf reply) implements Verdict {}

  /**
   * Answer the client with {@code reply} in plain text, then start TLS on the client side
   * (STARTTLS, STLS). Bytes the client pipelined after the command are discarded.
   */
  record StartTls(ByteBuf reply) implements Verdict {}

  /** End the session: send {@code lastWords} (may be null) to the client, then close both sides. */
  record Close(String reason, ByteBuf lastWords) implements Verdict {}
}
