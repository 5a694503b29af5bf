package dev.quirkproxy.rules;

/**
 * One condition of a rule's {@code when}. {@link #miss} says why a frame does not meet it (for
 * {@code rules explain}), or null when it does. Custom matchers plug in through {@link
 * MatcherFactory}.
 */
@FunctionalInterface
public interface Matcher {

  /** Null when {@code frame} meets the condition, else why not, in words. */
  String miss(Frame frame);

  default boolean matches(Frame frame) {
    return miss(frame) == null;
  }
}
