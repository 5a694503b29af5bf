package dev.quirkproxy.rules;

/**
 * A custom matcher for what JSON's built-in conditions cannot express, found with {@link
 * java.util.ServiceLoader} (list the class in {@code
 * META-INF/services/dev.quirkproxy.rules.MatcherFactory}). In a rule it is written as {@code
 * "when": {"custom": {"type": "NAME", …parameters}}}.
 */
public interface MatcherFactory {

  /** The {@code type} name rules use. */
  String type();

  /**
   * Builds the matcher from its parameters ({@link Params#allow} them, including {@code type}).
   *
   * @throws RuleException when a parameter is missing or wrong
   */
  Matcher create(Params params) throws RuleException;
}
