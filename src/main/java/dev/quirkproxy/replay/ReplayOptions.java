package dev.quirkproxy.replay;

import java.util.EnumSet;
import java.util.Set;

/**
 * How the replay server matches and what it does on a miss.
 *
 * @param onMiss what a live command without a recorded answer gets
 * @param normalize how loosely commands match (none: exact text after the tag)
 */
public record ReplayOptions(MissPolicy onMiss, Set<Normalize> normalize) {

  public ReplayOptions {
    normalize = normalize.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(normalize));
  }

  /** Exact matching, {@code BAD} on a miss. */
  public static ReplayOptions defaults() {
    return new ReplayOptions(MissPolicy.BAD, Set.of());
  }
}
