package dev.quirkproxy.replay;

import java.util.List;

/**
 * What a {@code replay client} run found.
 *
 * @param steps the greeting and every replayed command, in order
 * @param skipped commands of the capture that were not replayed, and why
 */
public record ReplayClientResult(List<Step> steps, List<String> skipped) {

  public ReplayClientResult {
    steps = List.copyOf(steps);
    skipped = List.copyOf(skipped);
  }

  /**
   * One command (or the greeting) and its differences.
   *
   * @param tag the tag, {@code *} for the greeting
   * @param command the command as shown (passwords redacted), {@code greeting} for the greeting
   * @param differences one line each; empty when the answers mean the same
   */
  public record Step(String tag, String command, List<String> differences) {
    public Step {
      differences = List.copyOf(differences);
    }

    public boolean same() {
      return differences.isEmpty();
    }
  }

  /** True when every answer meant the same. */
  public boolean same() {
    return steps.stream().allMatch(Step::same);
  }

  public long differing() {
    return steps.stream().filter(s -> !s.same()).count();
  }
}
