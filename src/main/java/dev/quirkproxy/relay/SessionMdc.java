package dev.quirkproxy.relay;

import dev.quirkproxy.session.Session;
import org.slf4j.MDC;

/**
 * Puts a session's id into the logging context for the duration of one event, since an event loop
 * thread serves many sessions: {@code try (var m = SessionMdc.of(session)) { ... }}.
 */
final class SessionMdc implements AutoCloseable {

  static final String KEY = "session";

  private SessionMdc(Session session) {
    MDC.put(KEY, session.id());
  }

  static SessionMdc of(Session session) {
    return new SessionMdc(session);
  }

  @Override
  public void close() {
    MDC.remove(KEY);
  }
}
