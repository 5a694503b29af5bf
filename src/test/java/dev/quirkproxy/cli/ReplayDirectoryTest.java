package dev.quirkproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Directories of captures: which files count, the progress line, and an unreachable server. */
class ReplayDirectoryTest {

  @TempDir Path dir;

  @Test
  void everyJsonlBelowTheDirectoryInNameOrder() throws Exception {
    Files.createDirectories(dir.resolve("b"));
    Files.writeString(dir.resolve("b/2.jsonl"), "", StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("c.jsonl"), "", StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("a.jsonl"), "", StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("a.blob"), "", StandardCharsets.UTF_8);
    assertThat(CaptureFiles.list(dir))
        .containsExactly(dir.resolve("a.jsonl"), dir.resolve("b/2.jsonl"), dir.resolve("c.jsonl"));
    assertThat(CaptureFiles.list(dir.resolve("a.jsonl"))).containsExactly(dir.resolve("a.jsonl"));
    assertThatThrownBy(() -> CaptureFiles.list(dir.resolve("b/none")))
        .isInstanceOf(UsageException.class);
    Files.createDirectories(dir.resolve("empty"));
    assertThatThrownBy(() -> CaptureFiles.list(dir.resolve("empty")))
        .hasMessageContaining("no capture (*.jsonl) below");
  }

  @Test
  void progressIsOneLineRewrittenOnATerminalOnly() {
    StringWriter text = new StringWriter();
    Progress p = new Progress(new PrintWriter(text), true);
    p.show(1, 12, "long-capture-name");
    p.show(2, 12, "b");
    p.clear();
    assertThat(text.toString())
        .isEqualTo(
            "\r[1/12] long-capture-name ..."
                + "\r[2/12] b ..."
                + " ".repeat(16)
                + "\r"
                + " ".repeat(12)
                + "\r");
    StringWriter piped = new StringWriter();
    Progress off = new Progress(new PrintWriter(piped), false);
    off.show(1, 2, "a");
    off.clear();
    assertThat(piped.toString()).isEmpty();
  }

  @Test
  void anUnreachableServerIsAnErrorPerCaptureAndExitTwo() throws Exception {
    Path examples = Path.of("captures/examples");
    Path two = dir.resolve("two");
    Files.createDirectories(two);
    Files.copy(examples.resolve("curl-fetch-greenmail.jsonl"), two.resolve("1-curl.jsonl"));
    Files.copy(examples.resolve("imaplib-greenmail.jsonl"), two.resolve("2-imaplib.jsonl"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Main.run(
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            "replay",
            "client",
            "--capture",
            two.toString(),
            "--upstream",
            "imap://127.0.0.1:1",
            "--timeout",
            "2s");
    assertThat(code).as(out + "" + err).isEqualTo(2);
    assertThat(out.toString())
        .contains("1-curl.jsonl: error: ")
        .contains("2-imaplib.jsonl: error: ")
        .contains("total (2)       |        0 |    0 |         0 |      2 |    2");
  }
}
