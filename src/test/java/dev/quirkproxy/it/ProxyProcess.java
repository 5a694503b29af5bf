package dev.quirkproxy.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The packaged jar run as its own JVM ({@code java -jar target/quirkproxy-*-all.jar ...}), so a
 * test can send it signals; its standard output is read line by line, its standard error goes to a
 * file.
 */
final class ProxyProcess implements AutoCloseable {

  private final Process process;
  private final Path log;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuilder seen = new StringBuilder();

  private ProxyProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                lines.add("(reading the proxy's output failed: " + e + ")");
              }
            },
            "proxy-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code quirkproxy ARGS...} in {@code workDir}, standard error into {@code log}. */
  static ProxyProcess start(Path workDir, Path log, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(shadedJar().toAbsolutePath().toString());
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectError(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    return new ProxyProcess(p, log);
  }

  static Path shadedJar() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      return files
          .filter(p -> p.getFileName().toString().matches("quirkproxy-.*-all\\.jar"))
          .findFirst()
          .orElseThrow(
              () -> new AssertionError("run 'mvn package' first: no target/quirkproxy-*-all.jar"));
    }
  }

  /** The next line matching {@code wanted}, skipping others; fails after {@code timeout}. */
  String awaitLine(Predicate<String> wanted, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (; ; ) {
      long left = deadline - System.nanoTime();
      String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError(
            "the proxy did not print the expected line within "
                + timeout.toSeconds()
                + " s; it printed:\n"
                + seen
                + "\n--- its log ---\n"
                + log());
      }
      seen.append(line).append('\n');
      if (wanted.test(line)) {
        return line;
      }
    }
  }

  /**
   * The next listener table naming exactly {@code names}: name → its columns (name, listen,
   * upstream, client TLS, upstream TLS, ...).
   */
  Map<String, String[]> awaitTable(Set<String> names, Duration timeout) throws Exception {
    Map<String, String[]> rows = new LinkedHashMap<>();
    while (!rows.keySet().equals(names)) {
      String line = awaitLine(l -> l.startsWith("  "), timeout);
      String[] cells = line.strip().split("\\s+");
      if (cells[0].equals("NAME")) {
        rows.clear();
      } else {
        rows.put(cells[0], cells);
      }
    }
    return rows;
  }

  /** Everything printed so far (what the await methods consumed). */
  String printed() {
    return seen.toString();
  }

  String log() throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }

  /** Sends SIGHUP. */
  void hangUp() throws Exception {
    Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new AssertionError("kill -HUP " + process.pid() + " failed");
    }
  }

  /** SIGTERM, then waits for the exit; returns the exit status. */
  int stop(Duration timeout) throws Exception {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the proxy did not stop within " + timeout.toSeconds() + " s");
    }
    return process.exitValue();
  }

  boolean alive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
