package dev.quirkproxy.flow;

import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.session.Session;

/**
 * The extension point: sees every part in one or both directions, with the session it belongs to,
 * and returns a {@link Verdict}. Recording, fingerprinting and rules are interceptors. Called on
 * the session's event-loop thread; must not block. Must not release or keep the part it is given.
 */
public interface Interceptor {

  /**
   * The session has ended: release whatever is kept for it (parts held with {@link Verdict.Hold}).
   */
  default void onClose(Session session) {}

  /** A part the client sent, before it goes upstream. */
  default Verdict onClient(Session session, WirePart part) {
    return Verdict.FORWARD;
  }

  /** A part the server sent, before it goes to the client. */
  default Verdict onServer(Session session, WirePart part) {
    return Verdict.FORWARD;
  }
}
