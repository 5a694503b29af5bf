package dev.quirkproxy.replay;

/**
 * How replaying one capture of a directory ended: a result, or an error that stopped it.
 *
 * @param capture the capture's name (its path below the directory)
 * @param result what the replay found, or null when it stopped with an error
 * @param error why it stopped, or null
 */
public record ReplayClientOutcome(String capture, ReplayClientResult result, String error) {

  public static ReplayClientOutcome of(String capture, ReplayClientResult result) {
    return new ReplayClientOutcome(capture, result, null);
  }

  public static ReplayClientOutcome failed(String capture, String error) {
    return new ReplayClientOutcome(capture, null, error);
  }

  /** 0 when every answer meant the same, 1 when one differed, 2 when the replay stopped. */
  public int exitCode() {
    if (result == null) {
      return 2;
    }
    return result.same() ? 0 : 1;
  }

  public int commands() {
    return result == null ? 0 : result.steps().size();
  }

  public long same() {
    return result == null ? 0 : result.steps().size() - result.differing();
  }

  public long different() {
    return result == null ? 0 : result.differing();
  }
}
