package dev.quirkproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.it.RecordingSupport.Cli;
import dev.quirkproxy.it.RecordingSupport.RecordingProxy;
import dev.quirkproxy.session.Protocol;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quirkproxy replay client}: a scripted session (SELECT, FETCH of FLAGS/UID/ENVELOPE, UID
 * FETCH BODY[], SEARCH) is recorded through the proxy in front of Dovecot, credentials redacted,
 * then replayed with the password given again against another user seeded the same way: no
 * difference. After one message is flagged and another deleted over a direct connection, the replay
 * reports exactly those differences, in the recorded session's message numbers.
 */
class ReplayClientIT {

  private static final List<String> SESSION =
      List.of(
          "a1 CAPABILITY",
          "a2 LOGIN %s %s",
          "a3 SELECT INBOX",
          "a4 FETCH 1:* (FLAGS UID ENVELOPE RFC822.SIZE)",
          "a5 UID FETCH 2 BODY[]",
          "a6 UID FETCH 4 BODY.PEEK[HEADER]",
          "a7 SEARCH UNSEEN",
          "a8 LOGOUT");

  private static Dovecot dovecot;

  @TempDir Path tmp;

  @BeforeAll
  static void startDovecot() throws Exception {
    dovecot = Dovecot.start();
  }

  @AfterAll
  static void stopDovecot() {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  @Test
  void anUnchangedMailboxAnswersTheSame() throws Exception {
    Path capture = record();
    Path report = tmp.resolve("replay.xml");
    Cli r = replay(capture, dovecot.newUser("replay-same"), "--report", report.toString());
    assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("greeting: same")
        .contains("a2 LOGIN \"replay-same-")
        .contains("[REDACTED]: same")
        .contains("a5 UID FETCH 2 BODY[]: same")
        .contains("9 steps replayed: 9 same, 0 differ")
        .doesNotContain(Dovecot.PASSWORD);
    assertThat(Files.readString(report, StandardCharsets.UTF_8))
        .contains("tests=\"9\" failures=\"0\"")
        .doesNotContain("<failure");
  }

  @Test
  void aFlaggedAndADeletedMessageAreExactlyTheDifferences() throws Exception {
    Path capture = record();
    String user = dovecot.newUser("replay-changed");
    try (RawClient c = RawClient.connect(dovecot.imapPort(), "direct")) {
      c.line();
      for (String cmd :
          List.of(
              "b1 LOGIN " + user + " " + Dovecot.PASSWORD,
              "b2 SELECT INBOX",
              "b3 UID STORE 4 +FLAGS.SILENT (\\Flagged)",
              "b4 UID STORE 2 +FLAGS.SILENT (\\Deleted)",
              "b5 EXPUNGE",
              "b6 LOGOUT")) {
        c.sendLine(cmd);
        assertThat(c.untilTagged(cmd.split(" ")[0])).contains(cmd.split(" ")[0] + " OK");
      }
    }
    Path report = tmp.resolve("replay.json");
    Cli r = replay(capture, user, "--report", report.toString());
    assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
    String out = r.out();
    // Only what changed differs; message numbers are the recorded session's (UID 4 is live
    // sequence number 3 now, reported as 4), so nothing shifts after the deleted message.
    assertThat(out)
        .contains("9 steps replayed: 6 same, 3 differ")
        .contains("a3 SELECT INBOX: differs\n    - * 5 EXISTS\n    + * 4 EXISTS\n")
        .contains("a4 FETCH 1:* (FLAGS UID ENVELOPE RFC822.SIZE): differs\n")
        .contains("    ~ * 4 FETCH FLAGS: recorded (), live (\\Flagged)\n")
        .contains("a5 UID FETCH 2 BODY[]: differs\n    - * 2 FETCH (BODY[] {")
        .contains("a6 UID FETCH 4 BODY.PEEK[HEADER]: same")
        .contains("a7 SEARCH UNSEEN: same")
        .contains("a8 LOGOUT: same");
    assertThat(out.lines().filter(l -> l.startsWith("    ")).toList())
        .hasSize(5)
        .anyMatch(l -> l.startsWith("    - * 2 FETCH (ENVELOPE ") && l.endsWith(" UID 2)"));
    JsonNode json = new ObjectMapper().readTree(report.toFile());
    assertThat(json.path("same").asBoolean(true)).isFalse();
    assertThat(json.path("steps")).hasSize(9);
  }

  /**
   * Two recordings of the same session, replayed in name order against one user: the first replay's
   * {@code UID FETCH 2 BODY[]} sets {@code \Seen}, so the second capture, recorded on a fresh
   * mailbox, now differs in exactly that.
   */
  @Test
  void aDirectoryOfTwoCapturesReplaysEachAndSumsThemUp() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("two"));
    Files.copy(record(), dir.resolve("1-first.jsonl"));
    Files.createDirectories(dir.resolve("later"));
    Files.copy(record(), dir.resolve("later/2-second.jsonl"));
    Path report = tmp.resolve("all.xml");
    Cli r = replay(dir, dovecot.newUser("replay-dir"), "--report", report.toString());
    assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
    assertThat(r.out())
        .startsWith(
            "1-first.jsonl: same (9 steps)\n"
                + "later/2-second.jsonl: differs (3 of 9 steps)\n"
                + "  a3 SELECT INBOX: differs\n"
                + "      - * OK [UNSEEN 2]\n"
                + "      + * OK [UNSEEN 3]\n"
                + "  a4 FETCH 1:* (FLAGS UID ENVELOPE RFC822.SIZE): differs\n"
                + "      ~ * 2 FETCH FLAGS: recorded (), live (\\Seen)\n")
        .doesNotContain("\r")
        .contains(
            "capture              | commands | same | different | errors | exit\n"
                + "---------------------+----------+------+-----------+--------+-----\n"
                + "1-first.jsonl        |        9 |    9 |         0 |      0 |    0\n"
                + "later/2-second.jsonl |        9 |    6 |         3 |      0 |    1\n"
                + "---------------------+----------+------+-----------+--------+-----\n"
                + "total (2)            |       18 |   15 |         3 |      0 |    1\n");
    assertThat(Files.readString(report, StandardCharsets.UTF_8))
        .contains("tests=\"18\" failures=\"3\" errors=\"0\"")
        .contains("classname=\"later/2-second.jsonl\" name=\"009 a8 LOGOUT\"");
  }

  @Test
  void badArgumentsAndAnUnreachableServerAreErrors() throws Exception {
    Path capture = record();
    Cli pop =
        RecordingSupport.cli(
            "replay",
            "client",
            "--capture",
            capture.toString(),
            "--upstream",
            "pop3://127.0.0.1:1");
    assertThat(pop.exitCode()).isEqualTo(2);
    assertThat(pop.err()).contains("imap://");
    Cli bad = replay(capture, "x", "--no-ignore", "colour");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("unknown --ignore/--no-ignore value 'colour'");
    Cli down =
        RecordingSupport.cli(
            "replay",
            "client",
            "--capture",
            capture.toString(),
            "--upstream",
            "imap://127.0.0.1:1");
    assertThat(down.exitCode()).isEqualTo(2);
  }

  private Cli replay(Path capture, String user, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "replay",
                "client",
                "--capture",
                capture.toString(),
                "--upstream",
                "imap://127.0.0.1:" + dovecot.imapPort(),
                "--user",
                user,
                "--password",
                Dovecot.PASSWORD));
    args.addAll(List.of(extra));
    return RecordingSupport.cli(args.toArray(new String[0]));
  }

  /** Runs {@link #SESSION} through a recording proxy (secrets redacted); returns the capture. */
  private Path record() throws Exception {
    String user = dovecot.newUser("replay-rec");
    Path dir = Files.createTempDirectory(tmp, "captures-");
    CaptureSettings settings =
        new CaptureSettings(
            dir,
            false,
            false,
            CaptureSettings.OnError.CLOSE,
            0,
            0,
            CaptureSettings.DEFAULT_INLINE_LIMIT);
    try (RecordingProxy proxy = RecordingProxy.start(Protocol.IMAP, dovecot.imapPort(), settings)) {
      try (RawClient c = RawClient.connect(proxy.port(), "recorded")) {
        c.line();
        for (String cmd : SESSION) {
          String tag = cmd.split(" ")[0];
          c.sendLine(String.format(java.util.Locale.ROOT, cmd, user, Dovecot.PASSWORD));
          assertThat(c.untilTagged(tag)).contains(tag + " OK");
        }
      }
      proxy.awaitNoSessions();
    }
    Path file = RecordingSupport.onlyCapture(dir).file();
    assertThat(Files.readString(file, StandardCharsets.UTF_8)).doesNotContain(Dovecot.PASSWORD);
    return file;
  }
}
