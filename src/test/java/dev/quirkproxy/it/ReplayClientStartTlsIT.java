package dev.quirkproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.it.RecordingSupport.Cli;
import dev.quirkproxy.it.RecordingSupport.RecordingProxy;
import dev.quirkproxy.session.Protocol;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quirkproxy replay client} with {@code ?tls=starttls} against a Dovecot that offers
 * STARTTLS/STLS ({@link Dovecot.Option#TLS}): sessions recorded in plain text on the plain ports
 * are replayed with STARTTLS (IMAP) / STLS (POP3) done by the replay after the greeting, trusting
 * Dovecot's CA with {@code --upstream-ca}: no difference, and Dovecot logs the logins as TLS.
 * Without the CA the certificate is not trusted: exit 2 and a message that says what to do.
 */
class ReplayClientStartTlsIT {

  private static final List<String> IMAP_SESSION =
      List.of(
          "a1 LOGIN %s %s",
          "a2 SELECT INBOX",
          "a3 FETCH 1:* (FLAGS UID ENVELOPE RFC822.SIZE)",
          "a4 UID FETCH 2 BODY.PEEK[]",
          "a5 LOGOUT");

  private static final List<String> POP3_SESSION =
      List.of("USER %s", "PASS %s", "STAT", "LIST", "UIDL", "RETR 2", "QUIT");

  private static final Duration WAIT = Duration.ofSeconds(10);

  private static Dovecot dovecot;

  @TempDir Path tmp;

  @BeforeAll
  static void startDovecot() throws Exception {
    dovecot = Dovecot.start(Dovecot.Option.TLS);
  }

  @AfterAll
  static void stopDovecot() {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  @Test
  void imapWithStartTlsAndTheCaAnswersTheSame() throws Exception {
    Path capture = recordImap();
    String user = dovecot.newUser("starttls-imap");
    Cli r =
        replay(
            capture,
            "imap://127.0.0.1:" + dovecot.imapPort() + "?tls=starttls",
            user,
            "--upstream-ca",
            dovecot.tlsCaFile().toString());
    assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("greeting: same")
        .contains("a4 UID FETCH 2 BODY.PEEK[]: same")
        .contains("6 steps replayed: 6 same, 0 differ")
        .doesNotContain("QPRTLS")
        .doesNotContain(Dovecot.PASSWORD);
    assertThat(awaitLogin(user)).contains(", TLS");
  }

  @Test
  void pop3WithStlsAndTheCaAnswersTheSame() throws Exception {
    Path capture = recordPop3();
    String user = dovecot.newUser("starttls-pop");
    Cli r =
        replay(
            capture,
            "pop3://127.0.0.1:" + dovecot.pop3Port() + "?tls=starttls",
            user,
            "--upstream-ca",
            dovecot.tlsCaFile().toString());
    assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("greeting: same")
        .contains("RETR 2: same")
        .contains("8 steps replayed: 8 same, 0 differ")
        .doesNotContain("STLS")
        .doesNotContain(Dovecot.PASSWORD);
    assertThat(awaitLogin(user)).contains(", TLS");
  }

  @Test
  void pop3sWithTheCaAnswersTheSame() throws Exception {
    Path capture = recordPop3();
    String user = dovecot.newUser("implicit-pop");
    Cli r =
        replay(
            capture,
            "pop3s://127.0.0.1:" + dovecot.pop3sPort(),
            user,
            "--upstream-ca",
            dovecot.tlsCaFile().toString());
    assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("8 steps replayed: 8 same, 0 differ");
    assertThat(awaitLogin(user)).contains(", TLS");
  }

  @Test
  void anUntrustedCertificateIsAnErrorThatNamesTheOptions() throws Exception {
    Path imap = recordImap();
    Cli r =
        replay(
            imap,
            "imap://127.0.0.1:" + dovecot.imapPort() + "?tls=starttls",
            dovecot.newUser("untrusted-imap"));
    assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.err())
        .contains("?tls=starttls: TLS handshake failed: the server's certificate is not trusted")
        .contains("--upstream-ca FILE")
        .doesNotContain("Exception");
    Path pop3 = recordPop3();
    Cli p =
        replay(
            pop3,
            "pop3://127.0.0.1:" + dovecot.pop3Port() + "?tls=starttls",
            dovecot.newUser("untrusted-pop"));
    assertThat(p.exitCode()).as(p.out() + p.err()).isEqualTo(2);
    assertThat(p.err())
        .contains("the server's certificate is not trusted")
        .contains("--upstream-ca");
  }

  @Test
  void insecureSkipsVerification() throws Exception {
    Path capture = recordPop3();
    Cli r =
        replay(
            capture,
            "pop3://127.0.0.1:" + dovecot.pop3Port() + "?tls=starttls",
            dovecot.newUser("insecure-pop"),
            "--upstream-insecure");
    assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
    assertThat(r.err()).contains("NOT verified");
  }

  @Test
  void caOptionsNeedTls() throws Exception {
    Path capture = recordPop3();
    Cli r =
        replay(
            capture,
            "pop3://127.0.0.1:" + dovecot.pop3Port(),
            dovecot.newUser("plain-pop"),
            "--upstream-ca",
            dovecot.tlsCaFile().toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("need TLS");
  }

  private Cli replay(Path capture, String upstream, String user, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "replay",
                "client",
                "--capture",
                capture.toString(),
                "--upstream",
                upstream,
                "--user",
                user,
                "--password",
                Dovecot.PASSWORD,
                "--timeout",
                "20s"));
    args.addAll(List.of(extra));
    return RecordingSupport.cli(args.toArray(new String[0]));
  }

  /** Dovecot's login line for {@code user} (its log is written asynchronously). */
  private static String awaitLogin(String user) throws InterruptedException {
    String marker = "Login: user=<" + user + ">";
    long deadline = System.nanoTime() + WAIT.toNanos();
    for (; ; ) {
      List<String> lines = dovecot.log().lines().filter(l -> l.contains(marker)).toList();
      if (!lines.isEmpty()) {
        return lines.get(0);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no Dovecot login of " + user + ":\n" + dovecot.log());
      }
      Thread.sleep(50);
    }
  }

  private CaptureSettings settings(Path dir) {
    return new CaptureSettings(
        dir,
        false,
        false,
        CaptureSettings.OnError.CLOSE,
        0,
        0,
        CaptureSettings.DEFAULT_INLINE_LIMIT);
  }

  /** {@link #IMAP_SESSION} in plain text through a recording proxy; returns the capture. */
  private Path recordImap() throws Exception {
    String user = dovecot.newUser("starttls-rec");
    Path dir = Files.createTempDirectory(tmp, "captures-");
    try (RecordingProxy proxy =
        RecordingProxy.start(Protocol.IMAP, dovecot.imapPort(), settings(dir))) {
      try (RawClient c = RawClient.connect(proxy.port(), "recorded")) {
        c.line();
        for (String cmd : IMAP_SESSION) {
          String tag = cmd.split(" ")[0];
          c.sendLine(String.format(Locale.ROOT, cmd, user, Dovecot.PASSWORD));
          assertThat(c.untilTagged(tag)).contains(tag + " OK");
        }
      }
      proxy.awaitNoSessions();
    }
    Path file = RecordingSupport.onlyCapture(dir).file();
    assertThat(Files.readString(file, StandardCharsets.UTF_8)).doesNotContain(Dovecot.PASSWORD);
    return file;
  }

  /** {@link #POP3_SESSION} in plain text through a recording proxy; returns the capture. */
  private Path recordPop3() throws Exception {
    String user = dovecot.newUser("stls-rec");
    Path dir = Files.createTempDirectory(tmp, "captures-");
    try (RecordingProxy proxy =
        RecordingProxy.start(Protocol.POP3, dovecot.pop3Port(), settings(dir))) {
      try (RawClient c = RawClient.connect(proxy.port(), "recorded")) {
        assertThat(c.line()).startsWith("+OK");
        for (String cmd : POP3_SESSION) {
          c.sendLine(cmd.replace("%s", cmd.startsWith("USER") ? user : Dovecot.PASSWORD));
          assertThat(c.line()).as(cmd).startsWith("+OK");
          if (cmd.equals("LIST") || cmd.equals("UIDL") || cmd.startsWith("RETR")) {
            for (String l = c.line(); !l.equals("."); l = c.line()) {
              // the body
            }
          }
        }
      }
      proxy.awaitNoSessions();
    }
    return RecordingSupport.onlyCapture(dir).file();
  }
}
