package dev.quirkproxy.replay;

import java.util.Locale;

/** What the replay server does with a live command the capture has no answer for. */
public enum MissPolicy {
  /** {@code TAG BAD quirkproxy replay: …} (POP3 {@code -ERR}), and the session goes on. */
  BAD,
  /** {@code TAG NO quirkproxy replay: …} (POP3 {@code -ERR}), and the session goes on. */
  NO,
  /** {@code * BYE quirkproxy replay: …} (POP3 {@code -ERR}), then the connection is closed. */
  CLOSE,
  /** As {@link #CLOSE}, and the server reports a failure (the CLI stops and exits 1). */
  FAIL;

  public static MissPolicy parse(String name) {
    try {
      return valueOf(name.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown miss policy '" + name + "': use bad, no, close or fail", e);
    }
  }
}
