package dev.quirkproxy.rules;

/**
 * One condition of a rule's {@code when}. {@link #miss} says why a frame does not meet it, or null
 * when it does. Say why in words only when {@link Frame#explaining()} ({@code rules explain});
 * otherwise any non-null string will do, and a constant costs nothing (every frame is judged by
 * every rule). Custom matchers plug in through {@link MatcherFactory}.
 */
@FunctionalInterface
public interface Matcher {

  /** Null when {@code frame} meets the condition, else why not, in words. */
  String miss(Frame frame);

  default boolean matches(Frame frame) {
    return miss(frame) == null;
  }
}
