package dev.quirkproxy.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A config file that cannot be used: every problem found, each naming the file, line and column
 * (when known) and what was expected, e.g. {@code proxy.yaml:7:5: listeners[1]: unknown key
 * 'upstrem'; expected one of: name, listen, upstream, …}.
 */
public final class ConfigException extends Exception {

  private static final long serialVersionUID = 1L;

  /**
   * One problem.
   *
   * @param file the file as named by the user
   * @param line 1-based, or 0 when unknown
   * @param column 1-based, or 0 when unknown
   * @param text what is wrong and what was expected
   */
  public record Problem(String file, int line, int column, String text) {
    @Override
    public String toString() {
      return file + (line > 0 ? ":" + line + ":" + column : "") + ": " + text;
    }
  }

  private final transient List<Problem> problems;

  public ConfigException(List<Problem> problems) {
    super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("no problems");
    }
    this.problems = List.copyOf(problems);
  }

  public ConfigException(Problem problem) {
    this(List.of(problem));
  }

  public List<Problem> problems() {
    return problems;
  }
}
