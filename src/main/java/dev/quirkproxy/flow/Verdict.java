package dev.quirkproxy.flow;

import dev.quirkproxy.codec.WirePart;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.List;

/**
 * What an {@link Interceptor} decides about a part: pass it on, pass other bytes in its place, drop
 * it, answer its sender instead of forwarding it, end the session, hold it until the whole frame is
 * there, or send a timed sequence in its place ({@link Emit}).
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

  /**
   * The interceptor keeps the part (it has retained it) to act on the whole frame later, from the
   * frame's last part, with an {@link Emit}. Nothing goes on now; later interceptors do not see it.
   */
  record Hold() implements Verdict {}

  /**
   * Send these steps, in order, instead of the part (and of any parts held before it). Later
   * interceptors do not see the parts. {@code hits} say which rules made it so (for the capture and
   * the log).
   */
  record Emit(List<Step> steps, List<Hit> hits) implements Verdict {
    public Emit {
      steps = List.copyOf(steps);
      hits = List.copyOf(hits);
    }
  }

  /** One step of an {@link Emit}. */
  sealed interface Step {}

  /** Send a part onward (to the server for a client part, to the client for a server part). */
  record Send(WirePart part) implements Step {}

  /**
   * Send a part onward in chunks of {@code chunkSize} octets with {@code pause} between them (a
   * server that dribbles its answer); the part counts as one for everything else.
   */
  record Trickle(WirePart part, int chunkSize, Duration pause) implements Step {}

  /** Wait before the next step; everything after it in this direction waits too. */
  record Pause(Duration duration) implements Step {}

  /** Send bytes back to the part's sender (the proxy answers in the server's place, or …). */
  record Reply(ByteBuf bytes) implements Step {}

  /** End the session once the steps before have gone out. */
  record End(String reason, ByteBuf lastWords) implements Step {}

  /**
   * A rule that acted on a frame.
   *
   * @param rule the rule's id
   * @param action the action's type
   * @param detail what it did, in words (no secrets)
   */
  record Hit(String rule, String action, String detail) {}
}
