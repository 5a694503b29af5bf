package dev.quirkproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code captures export --format imaptest|mpt}: IMAP scripts, POP3 refused with exit 2. */
class CapturesExportTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void writesBothScriptFormats(@TempDir Path dir) throws Exception {
    Path imaptest = dir.resolve("s1.imaptest");
    Path mpt = dir.resolve("S1.test");
    String capture = "captures/examples/imaplib-greenmail.jsonl";
    assertThat(
            run(
                "captures",
                "export",
                capture,
                "--format",
                "imaptest",
                "--output",
                imaptest.toString()))
        .isZero();
    assertThat(run("captures", "export", capture, "--format", "MPT", "--output", mpt.toString()))
        .isZero();
    assertThat(Files.readString(imaptest, StandardCharsets.UTF_8)).contains("state: nonauth\n\n");
    assertThat(Files.readString(mpt, StandardCharsets.UTF_8)).contains("C: GDMD0 CAPABILITY\n");
  }

  @Test
  void pop3CaptureIsAUsageError() {
    assertThat(
            run(
                "captures",
                "export",
                "captures/examples/poplib-greenmail.jsonl",
                "--format",
                "imaptest"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("writes IMAP test scripts").contains("pop3 capture");
  }

  @Test
  void unknownFormatNamesTheNewOnes() {
    assertThat(
            run("captures", "export", "captures/examples/imaplib-greenmail.jsonl", "--format", "x"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("imaptest or mpt");
  }
}
