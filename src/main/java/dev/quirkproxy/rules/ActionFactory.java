package dev.quirkproxy.rules;

/**
 * A rule action type: the built-in ones and custom ones, found with {@link java.util.ServiceLoader}
 * (list the class in {@code META-INF/services/dev.quirkproxy.rules.ActionFactory}). A rule names it
 * in {@code "action": {"type": "NAME", …parameters}}.
 */
public interface ActionFactory {

  /** The {@code type} name rules use. */
  String type();

  /**
   * Builds the action from its parameters ({@link Params#allow} them, including {@code type}).
   *
   * @throws RuleException when a parameter is missing or wrong
   */
  RuleAction create(Params params) throws RuleException;
}
