package dev.quirkproxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.AppenderBase;
import dev.quirkproxy.capture.CaptureReader;
import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.capture.CaptureStore;
import dev.quirkproxy.cli.Main;
import dev.quirkproxy.relay.Endpoint;
import dev.quirkproxy.relay.ProxyConfig;
import dev.quirkproxy.relay.ProxyServer;
import dev.quirkproxy.session.Protocol;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * What the recording tests share: an in-process proxy that records into a {@link CaptureStore},
 * reading the captures back, searching a capture directory and the log for a secret, and running
 * the {@code quirkproxy} command line in-process.
 */
final class RecordingSupport {

  private RecordingSupport() {}

  /** A recording proxy in front of {@code upstreamPort}, with its own event loops and store. */
  static final class RecordingProxy implements AutoCloseable {
    private final CaptureStore store;
    private final ProxyServer server;
    private final Endpoint bound;
    private boolean closed;

    private RecordingProxy(CaptureStore store, ProxyServer server, Endpoint bound) {
      this.store = store;
      this.server = server;
      this.bound = bound;
    }

    static RecordingProxy start(Protocol protocol, int upstreamPort, CaptureSettings settings)
        throws InterruptedException {
      CaptureStore store = new CaptureStore(settings);
      ProxyServer server =
          new ProxyServer(
                  ProxyConfig.of(
                      new Endpoint(protocol, false, "127.0.0.1", 0),
                      new Endpoint(protocol, false, "127.0.0.1", upstreamPort)))
              .recordTo(store, "test");
      try {
        return new RecordingProxy(store, server, server.start());
      } catch (InterruptedException | RuntimeException e) {
        server.shutdown(Duration.ZERO);
        store.close();
        throw e;
      }
    }

    int port() {
      return bound.port();
    }

    ProxyServer server() {
      return server;
    }

    /** Waits until every session has ended (client and upstream channels closed). */
    void awaitNoSessions() throws InterruptedException {
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (server.openSessions() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(server.openSessions()).as("sessions still open in the proxy").isZero();
    }

    /**
     * Stops the proxy (its event loops run what is left, so every session's footer is queued), then
     * drains and stops the capture writer: afterwards the captures are complete on disk.
     */
    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        server.shutdown(Duration.ofSeconds(5));
      } finally {
        store.close();
      }
    }
  }

  /** Every capture file under {@code dir}, in name order (which is start-time order). */
  static List<Path> captureFiles(Path dir) throws IOException {
    return filesEndingWith(dir, ".jsonl");
  }

  static List<Path> filesEndingWith(Path dir, String suffix) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
    }
  }

  /** Every capture under {@code dir}, read back, in session-id order (the order of accept). */
  static List<CaptureReader.Capture> readAll(Path dir) throws IOException {
    List<CaptureReader.Capture> all = new ArrayList<>();
    for (Path p : captureFiles(dir)) {
      all.add(CaptureReader.read(p));
    }
    all.sort(
        Comparator.comparing(c -> c.header() == null ? "" : c.header().path("session").asText("")));
    return all;
  }

  /** The one capture under {@code dir}, complete. */
  static CaptureReader.Capture onlyCapture(Path dir) throws IOException {
    List<Path> files = captureFiles(dir);
    assertThat(files).as("captures in %s", dir).hasSize(1);
    CaptureReader.Capture c = CaptureReader.read(files.get(0));
    assertThat(c.problems()).as("problems of %s", files.get(0)).isEmpty();
    return c;
  }

  /** Fails if any file under {@code dir} holds {@code secret} (every byte of every file). */
  static void assertNotInAnyFile(Path dir, String what, byte[] secret) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertThat(files).as("files under %s", dir).isNotEmpty();
    for (Path f : files) {
      byte[] bytes = Files.readAllBytes(f);
      int at = indexOf(bytes, secret, 0);
      if (at >= 0) {
        fail(
            what
                + " ("
                + new String(secret, StandardCharsets.ISO_8859_1)
                + ") is in "
                + f
                + " at byte "
                + at
                + ": ..."
                + new String(
                    bytes,
                    Math.max(0, at - 80),
                    Math.min(bytes.length, at + secret.length + 40) - Math.max(0, at - 80),
                    StandardCharsets.ISO_8859_1)
                + "...");
      }
    }
  }

  static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = from; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  static String latin1(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  static byte[] latin1(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * Everything {@code dev.quirkproxy} logs while open, at {@code level} (the most verbose the CLI
   * offers is TRACE, {@code -vv}): messages, arguments, MDC and stack traces rendered as text.
   */
  static final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {
    private final Logger logger;
    private final Level previous;
    private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

    LogCapture(Level level) {
      this.logger = (Logger) LoggerFactory.getLogger("dev.quirkproxy");
      this.previous = logger.getLevel();
      setName("recording-test-capture");
      setContext(logger.getLoggerContext());
      start();
      logger.addAppender(this);
      logger.setLevel(level);
    }

    @Override
    protected void append(ILoggingEvent event) {
      events.add(event);
    }

    List<ILoggingEvent> events() {
      return List.copyOf(events);
    }

    /** Every event as one text: level, logger, MDC, formatted message, raw arguments, causes. */
    String text() {
      StringBuilder b = new StringBuilder();
      for (ILoggingEvent e : events) {
        b.append(e.getLevel())
            .append(' ')
            .append(e.getLoggerName())
            .append(' ')
            .append(e.getMDCPropertyMap())
            .append(' ')
            .append(e.getFormattedMessage());
        if (e.getArgumentArray() != null) {
          for (Object a : e.getArgumentArray()) {
            b.append(" | ").append(a);
          }
        }
        for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
          b.append("\n  ").append(t.getClassName()).append(": ").append(t.getMessage());
          for (StackTraceElementProxy s : t.getStackTraceElementProxyArray()) {
            b.append("\n    ").append(s.getSTEAsString());
          }
        }
        b.append('\n');
      }
      return b.toString();
    }

    /** Messages at WARN or above, formatted. */
    List<String> warnings() {
      return events.stream()
          .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
          .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage())
          .toList();
    }

    @Override
    public void close() {
      logger.detachAppender(this);
      logger.setLevel(previous);
      stop();
    }
  }

  /** What an in-process {@code quirkproxy} command printed, and its exit code. */
  record Cli(int exitCode, String out, String err) {}

  static Cli cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Cli(code, out.toString(), err.toString());
  }

  /** The packaged jar ({@code target/quirkproxy-*-all.jar}) running {@code quirkproxy proxy}. */
  static final class PackagedProxy implements AutoCloseable {
    private static final Pattern LISTENING =
        Pattern.compile("listening on [a-z0-9]+://127\\.0\\.0\\.1:(\\d+) -> ");

    private final Process process;
    private final Path stderr;
    private final String printed;
    private final int port;

    private PackagedProxy(Process process, Path stderr, String printed, int port) {
      this.process = process;
      this.stderr = stderr;
      this.printed = printed;
      this.port = port;
    }

    /**
     * Starts {@code java -jar ... proxy ARGS --listen 127.0.0.1:0}, its standard error going to
     * {@code stderr}, and reads what it prints up to the line about recording.
     */
    static PackagedProxy start(Path stderr, String... args) throws Exception {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> cmd = new ArrayList<>(List.of(java, "-jar", shadedJar().toString(), "proxy"));
      cmd.addAll(List.of(args));
      cmd.addAll(List.of("--listen", "127.0.0.1:0"));
      Process p =
          new ProcessBuilder(cmd)
              .redirectError(stderr.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      try {
        BufferedReader out =
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder printed = new StringBuilder();
        int port = -1;
        for (String line; (line = out.readLine()) != null; ) {
          printed.append(line).append('\n');
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            port = Integer.parseInt(m.group(1));
          }
          if (line.startsWith("Recording ")) {
            break;
          }
        }
        assertThat(port)
            .as("%s\n--- stderr ---\n%s", printed, Files.readString(stderr))
            .isPositive();
        return new PackagedProxy(p, stderr, printed.toString(), port);
      } catch (Exception | AssertionError e) {
        p.destroyForcibly();
        throw e;
      }
    }

    int port() {
      return port;
    }

    Process process() {
      return process;
    }

    /** What it printed on standard output at start. */
    String printed() {
      return printed;
    }

    /** Its log so far. */
    String stderr() throws IOException {
      return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static Path shadedJar() throws IOException {
      try (Stream<Path> files = Files.list(Path.of("target"))) {
        return files
            .filter(f -> f.getFileName().toString().matches("quirkproxy-.*-all\\.jar"))
            .findFirst()
            .orElseThrow(
                () ->
                    new AssertionError("run 'mvn package' first: no target/quirkproxy-*-all.jar"));
      }
    }
  }
}
