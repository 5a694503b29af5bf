package dev.quirkproxy.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs a real client program with a time limit, its output captured in files (no pipe stalls). */
final class Exec {

  private static final AtomicInteger COUNTER = new AtomicInteger();

  private Exec() {}

  /**
   * What a finished program left behind.
   *
   * @param command the command line, for messages
   * @param exitCode its exit status
   * @param stdout everything it wrote to standard output
   * @param stderr everything it wrote to standard error (as text)
   */
  record Result(List<String> command, int exitCode, byte[] stdout, String stderr) {

    String stdoutText() {
      return new String(stdout, StandardCharsets.UTF_8);
    }

    /** Fails with the command, status and output unless it exited with one of {@code codes}. */
    Result expectExit(int... codes) {
      for (int c : codes) {
        if (exitCode == c) {
          return this;
        }
      }
      String out = stdoutText();
      throw new AssertionError(
          String.join(" ", command)
              + " exited with status "
              + exitCode
              + "\n--- stderr ---\n"
              + stderr
              + "\n--- stdout ---\n"
              + (out.length() > 4000 ? out.substring(0, 4000) + "..." : out));
    }
  }

  /**
   * Runs {@code command} in {@code workDir} with {@code HOME=workDir} (so no client reads the real
   * user's dotfiles) plus {@code env}, and waits at most {@code timeout} for it to end.
   */
  static Result run(Duration timeout, Path workDir, Map<String, String> env, List<String> command)
      throws IOException, InterruptedException {
    int n = COUNTER.incrementAndGet();
    Path out = workDir.resolve("exec-" + n + ".stdout");
    Path err = workDir.resolve("exec-" + n + ".stderr");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    pb.environment().put("HOME", workDir.toString());
    pb.environment().put("LC_ALL", "C.UTF-8");
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new AssertionError(
          "cannot run "
              + command.get(0)
              + " ("
              + e.getMessage()
              + "); CI installs it: apt-get install -y isync fetchmail curl python3",
          e);
    }
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      throw new AssertionError(
          String.join(" ", command)
              + " did not finish within "
              + timeout.toSeconds()
              + " s\n--- stderr ---\n"
              + Files.readString(err, StandardCharsets.ISO_8859_1));
    }
    return new Result(
        command,
        p.exitValue(),
        Files.readAllBytes(out),
        Files.readString(err, StandardCharsets.ISO_8859_1));
  }
}
