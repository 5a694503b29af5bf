package dev.quirkproxy.flow;

import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.session.Session;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Runs a part through interceptors in order. {@code Forward} and {@code Replace} go on to the next
 * one; {@code Drop}, {@code Answer} and {@code Close} stop the chain. Takes ownership of the part.
 */
public final class InterceptorChain {

  private final List<Interceptor> interceptors;

  public InterceptorChain(List<Interceptor> interceptors) {
    this.interceptors = List.copyOf(interceptors);
  }

  /** Tells every interceptor the session has ended; one that fails does not stop the others. */
  public void onClose(Session session) {
    for (Interceptor i : interceptors) {
      try {
        i.onClose(session);
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(InterceptorChain.class)
            .warn("{} failed to clean up after the session", i.getClass().getName(), e);
      }
    }
  }

  public Decision onClient(Session session, WirePart part) {
    return run(part, (i, p) -> i.onClient(session, p));
  }

  public Decision onServer(Session session, WirePart part) {
    return run(part, (i, p) -> i.onServer(session, p));
  }

  private Decision run(WirePart part, BiFunction<Interceptor, WirePart, Verdict> call) {
    WirePart current = part;
    for (Interceptor interceptor : interceptors) {
      Verdict verdict;
      try {
        verdict = call.apply(interceptor, current);
      } catch (RuntimeException e) {
        current.release();
        throw e;
      }
      if (verdict == null) {
        current.release();
        throw new IllegalStateException(interceptor.getClass().getName() + " returned no verdict");
      }
      if (verdict instanceof Verdict.Forward) {
        continue;
      }
      if (verdict instanceof Verdict.Replace replace) {
        WirePart replaced = current.replace(replace.bytes());
        current.release();
        current = replaced;
        continue;
      }
      if (verdict instanceof Verdict.Hold) {
        // The interceptor retained the part; this reference is the chain's.
        current.release();
        return Decision.holding();
      }
      if (verdict instanceof Verdict.Emit emit) {
        // The steps hold their own references (the same part may be among them, retained).
        current.release();
        return Decision.emit(emit);
      }
      current.release();
      if (verdict instanceof Verdict.StartTls start) {
        return Decision.startTls(start.reply());
      }
      if (verdict instanceof Verdict.Answer answer) {
        return Decision.answer(answer.reply());
      }
      if (verdict instanceof Verdict.Close close) {
        return Decision.close(close.reason(), close.lastWords());
      }
      return Decision.drop();
    }
    return Decision.forward(current);
  }
}
