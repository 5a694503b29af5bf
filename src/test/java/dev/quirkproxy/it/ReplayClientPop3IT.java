package dev.quirkproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.it.RecordingSupport.Cli;
import dev.quirkproxy.it.RecordingSupport.RecordingProxy;
import dev.quirkproxy.session.Protocol;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quirkproxy replay client} over POP3: a scripted session (USER, PASS, STAT, LIST, UIDL, TOP
 * 1 0, RETR 2, QUIT) is recorded through the proxy in front of Dovecot's POP3, PASS redacted, then
 * replayed with the password given again against another user seeded the same way: no difference.
 * After the last message is deleted over a direct connection, the replay reports exactly that;
 * after the first is, too: later messages are found under their new numbers (by size and
 * Message-ID), so only message 1 differs, and TOP 1 0 is reported as missing rather than sent.
 */
class ReplayClientPop3IT {

  private static final List<String> SESSION =
      List.of("USER %s", "PASS %s", "STAT", "LIST", "UIDL", "TOP 1 0", "RETR 2", "QUIT");

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
  void anUnchangedMaildropAnswersTheSame() throws Exception {
    Path capture = record();
    Path report = tmp.resolve("replay.xml");
    Cli r = replay(capture, dovecot.newUser("pop-same"), "--report", report.toString());
    assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("greeting: same")
        .contains("USER pop-same-")
        .contains("PASS [REDACTED]: same")
        .contains("UIDL: same")
        .contains("TOP 1 0: same")
        .contains("RETR 2: same")
        .contains("9 steps replayed: 9 same, 0 differ")
        .doesNotContain(Dovecot.PASSWORD);
    assertThat(Files.readString(report, StandardCharsets.UTF_8))
        .contains("tests=\"9\" failures=\"0\"")
        .doesNotContain("<failure");
  }

  @Test
  void aDeletedMessageIsExactlyTheDifference() throws Exception {
    Path capture = record();
    String user = dovecot.newUser("pop-changed");
    MailSeed.Message last = MailSeed.INBOX.get(MailSeed.INBOX.size() - 1);
    long total = MailSeed.INBOX.stream().mapToLong(MailSeed.Message::crlfSize).sum();
    try (RawClient c = RawClient.connect(dovecot.pop3Port(), "direct")) {
      assertThat(c.line()).startsWith("+OK");
      for (String cmd :
          List.of(
              "USER " + user,
              "PASS " + Dovecot.PASSWORD,
              "DELE " + MailSeed.INBOX.size(),
              "QUIT")) {
        c.sendLine(cmd);
        assertThat(c.line()).as(cmd).startsWith("+OK");
      }
    }
    Cli r = replay(capture, user);
    assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
    int n = MailSeed.INBOX.size();
    assertThat(r.out())
        .contains("9 steps replayed: 6 same, 3 differ")
        .contains(
            "STAT: differs\n"
                + "    ~ count: recorded "
                + n
                + ", live "
                + (n - 1)
                + "\n"
                + "    ~ size: recorded "
                + total
                + ", live "
                + (total - last.crlfSize())
                + "\n")
        .contains("LIST: differs\n    - " + n + " " + last.crlfSize() + "\n")
        .contains("UIDL: differs\n    - " + n + " *\n")
        .contains("TOP 1 0: same")
        .contains("RETR 2: same")
        .contains("QUIT: same");
    assertThat(r.out().lines().filter(l -> l.startsWith("    ")).toList()).hasSize(4);
  }

  @Test
  void aDeletedFirstMessageIsMissingNotAShift() throws Exception {
    Path capture = record();
    String user = dovecot.newUser("pop-first");
    MailSeed.Message first = MailSeed.INBOX.get(0);
    long total = MailSeed.INBOX.stream().mapToLong(MailSeed.Message::crlfSize).sum();
    try (RawClient c = RawClient.connect(dovecot.pop3Port(), "direct")) {
      assertThat(c.line()).startsWith("+OK");
      for (String cmd : List.of("USER " + user, "PASS " + Dovecot.PASSWORD, "DELE 1", "QUIT")) {
        c.sendLine(cmd);
        assertThat(c.line()).as(cmd).startsWith("+OK");
      }
    }
    Cli r = replay(capture, user);
    assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
    int n = MailSeed.INBOX.size();
    assertThat(r.out())
        .contains("9 steps replayed: 5 same, 4 differ")
        .contains(
            "STAT: differs\n"
                + "    ~ count: recorded "
                + n
                + ", live "
                + (n - 1)
                + "\n"
                + "    ~ size: recorded "
                + total
                + ", live "
                + (total - first.crlfSize())
                + "\n")
        .contains("LIST: differs\n    - 1 " + first.crlfSize() + "\n")
        .contains("UIDL: differs\n    - 1 *\n")
        .contains("TOP 1 0: differs\n    - message 1 (size " + first.crlfSize())
        .contains("): not in the live maildrop, not sent\n")
        .contains("RETR 2: same")
        .contains("QUIT: same");
    assertThat(r.out().lines().filter(l -> l.startsWith("    ")).toList()).hasSize(5);
  }

  @Test
  void aPop3CaptureNeedsAPop3Upstream() throws Exception {
    Path capture = record();
    Cli imap =
        RecordingSupport.cli(
            "replay",
            "client",
            "--capture",
            capture.toString(),
            "--upstream",
            "imap://127.0.0.1:" + dovecot.imapPort());
    assertThat(imap.exitCode()).isEqualTo(2);
    assertThat(imap.err()).contains("pop3://");
  }

  private Cli replay(Path capture, String user, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "replay",
                "client",
                "--capture",
                capture.toString(),
                "--upstream",
                "pop3://127.0.0.1:" + dovecot.pop3Port(),
                "--user",
                user,
                "--password",
                Dovecot.PASSWORD));
    args.addAll(List.of(extra));
    return RecordingSupport.cli(args.toArray(new String[0]));
  }

  /** Runs {@link #SESSION} through a recording proxy (PASS redacted); returns the capture. */
  private Path record() throws Exception {
    String user = dovecot.newUser("pop-rec");
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
    try (RecordingProxy proxy = RecordingProxy.start(Protocol.POP3, dovecot.pop3Port(), settings)) {
      try (RawClient c = RawClient.connect(proxy.port(), "recorded")) {
        assertThat(c.line()).startsWith("+OK");
        for (String cmd : SESSION) {
          c.sendLine(cmd.replace("%s", cmd.startsWith("USER") ? user : Dovecot.PASSWORD));
          String status = c.line();
          assertThat(status).as(cmd).startsWith("+OK");
          if (cmd.equals("LIST")
              || cmd.equals("UIDL")
              || cmd.startsWith("TOP")
              || cmd.startsWith("RETR")) {
            for (String l = c.line(); !l.equals("."); l = c.line()) {
              // the body
            }
          }
        }
      }
      proxy.awaitNoSessions();
    }
    Path file = RecordingSupport.onlyCapture(dir).file();
    assertThat(Files.readString(file, StandardCharsets.UTF_8)).doesNotContain(Dovecot.PASSWORD);
    return file;
  }
}
