package dev.quirkproxy.flow;

import dev.quirkproxy.codec.WirePart;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * The outcome of running a part through the {@link InterceptorChain}, which the relay carries out.
 * Exactly the fields that apply are set; the relay owns (and must release or write) the buffers.
 *
 * @param forward the part to forward, or null
 * @param answer bytes to send back to the part's sender, or null
 * @param closeReason why the session must end, or null
 * @param lastWords bytes for the client before closing, or null
 * @param startTls start TLS on the client side right after writing {@code answer}
 * @param steps for an {@link Verdict.Emit}: what to send, wait for, reply or end, in order; else
 *     null
 * @param hits the rules that acted (empty when none)
 * @param held an interceptor holds the part until its frame is complete
 */
public record Decision(
    WirePart forward,
    ByteBuf answer,
    String closeReason,
    ByteBuf lastWords,
    boolean startTls,
    List<Verdict.Step> steps,
    List<Verdict.Hit> hits,
    boolean held) {

  Decision(WirePart forward, ByteBuf answer, String closeReason, ByteBuf lastWords, boolean tls) {
    this(forward, answer, closeReason, lastWords, tls, null, List.of(), false);
  }

  static Decision emit(Verdict.Emit emit) {
    return new Decision(null, null, null, null, false, emit.steps(), emit.hits(), false);
  }

  static Decision holding() {
    return new Decision(null, null, null, null, false, null, List.of(), true);
  }

  static Decision forward(WirePart part) {
    return new Decision(part, null, null, null, false);
  }

  static Decision drop() {
    return new Decision(null, null, null, null, false);
  }

  static Decision answer(ByteBuf reply) {
    return new Decision(null, reply, null, null, false);
  }

  static Decision startTls(ByteBuf reply) {
    return new Decision(null, reply, null, null, true);
  }

  static Decision close(String reason, ByteBuf lastWords) {
    return new Decision(null, null, reason, lastWords, false);
  }
}
