package dev.quirkproxy.rules;

/**
 * A rule file that cannot be used: names the file, the line and column, the rule (when known) and
 * what was expected, e.g. {@code rules/outlook.json:12:7: rule 'hide-idle': unknown field 'actoin';
 * expected one of id, description, enabled, when, action, probability, times, once, priority}.
 */
public final class RuleException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String file;
  private final String location;
  private final String rule;
  private final String problem;

  public RuleException(String file, String location, String rule, String problem) {
    super(
        file
            + (location == null ? "" : ":" + location)
            + ": "
            + (rule == null ? "" : "rule '" + rule + "': ")
            + problem);
    this.file = file;
    this.location = location;
    this.rule = rule;
    this.problem = problem;
  }

  public String file() {
    return file;
  }

  /** {@code line:column}, or {@code ?}. */
  public String location() {
    return location;
  }

  /** The rule's id, or null when the problem is outside a rule. */
  public String rule() {
    return rule;
  }

  public String problem() {
    return problem;
  }
}
