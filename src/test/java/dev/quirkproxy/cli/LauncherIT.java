package dev.quirkproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.testing.LineClient;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar as users run it: {@code quirkproxy proxy} with no upstream starts the demo
 * server, prints how to connect, relays a real session, and on SIGTERM says {@code * BYE} to an
 * open session before exiting.
 */
class LauncherIT {

  private static final Pattern LISTENING =
      Pattern.compile("listening on imap://127\\.0\\.0\\.1:(\\d+) -> ");

  private static Path shadedJar() throws Exception {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      return files
          .filter(p -> p.getFileName().toString().matches("quirkproxy-.*-all\\.jar"))
          .findFirst()
          .orElseThrow(
              () -> new AssertionError("run 'mvn package' first: no target/quirkproxy-*-all.jar"));
    }
  }

  @Test
  void launcherScriptRunsTheBuiltJar() throws Exception {
    Process p = new ProcessBuilder("bin/quirkproxy", "--version").redirectErrorStream(true).start();
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(printed).isZero();
    assertThat(printed).startsWith("quirkproxy ").contains("Java 17");
  }

  @Test
  void demoModeRelaysAndShutsDownPolitelyOnSigterm() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path captures = Files.createTempDirectory(Path.of("target"), "launcher-captures");
    Process p =
        new ProcessBuilder(
                java,
                "-jar",
                shadedJar().toString(),
                "proxy",
                "--listen",
                "127.0.0.1:0",
                "--captures",
                captures.toString())
            .redirectError(new File("target/launcher-it.log"))
            .start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      int port = -1;
      StringBuilder printed = new StringBuilder();
      String line;
      while ((line = out.readLine()) != null) {
        printed.append(line).append('\n');
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
        }
        if (line.startsWith("Stop with")) {
          break;
        }
      }
      assertThat(port).as(printed.toString()).isPositive();
      assertThat(printed).contains("user 'demo', password 'demo'").contains("curl -u demo:demo");

      try (LineClient c = new LineClient(port)) {
        assertThat(c.readLine()).startsWith("* OK");
        c.send("a1 LOGIN demo demo\r\na2 SELECT INBOX\r\n");
        c.readUntil("a1 OK");
        assertThat(c.readUntil("* "))
            .isEqualTo("* FLAGS (\\Answered \\Deleted \\Draft \\Flagged \\Seen)");
        assertThat(c.readUntil("* ")).isEqualTo("* 5 EXISTS");
        c.readUntil("a2 OK");
        p.destroy(); // SIGTERM
        assertThat(c.readUntil("* BYE")).isEqualTo("* BYE quirkproxy: shutting down");
        assertThat(c.closedByPeer()).isTrue();
      }
      assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
      // The session was recorded, credentials redacted, and its capture ends with the shutdown.
      try (Stream<Path> files = Files.walk(captures)) {
        List<Path> jsonl = files.filter(f -> f.toString().endsWith(".jsonl")).toList();
        assertThat(jsonl).hasSize(1);
        var capture = dev.quirkproxy.capture.CaptureReader.read(jsonl.get(0));
        assertThat(capture.problems()).isEmpty();
        assertThat(capture.footer().path("reason").asText()).isEqualTo("shutting down");
        assertThat(
                new String(
                    capture.bytes(dev.quirkproxy.capture.Direction.CLIENT_TO_PROXY),
                    StandardCharsets.UTF_8))
            .isEqualTo("a1 LOGIN demo [REDACTED]\r\na2 SELECT INBOX\r\n");
      }
    } finally {
      p.destroyForcibly();
    }
  }
}
