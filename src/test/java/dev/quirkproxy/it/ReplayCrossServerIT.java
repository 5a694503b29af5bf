package dev.quirkproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.capture.CaptureReader;
import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.demo.DemoUpstream;
import dev.quirkproxy.it.RecordingSupport.Cli;
import dev.quirkproxy.replay.ReplayClient;
import dev.quirkproxy.replay.ReplayClientConfig;
import dev.quirkproxy.replay.ReplayClientReport;
import dev.quirkproxy.replay.ReplayClientResult;
import dev.quirkproxy.replay.SemanticDiffIgnore;
import dev.quirkproxy.session.Protocol;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code replay client} across servers: a scripted IMAP session is recorded through the proxy in
 * front of GreenMail ({@link DemoUpstream}: five messages of its own, Sent/Drafts/Trash/Archive),
 * then replayed against a fresh Dovecot user ({@link MailSeed}: five other messages, Archive).
 * Every reported difference must be a real difference between the two servers (capabilities,
 * mailboxes, message sizes, envelopes and flags); nothing may be a mere ordering, date, timing,
 * RECENT or UIDVALIDITY artefact, which the default ignores hide (and a replay with no ignores
 * shows).
 */
class ReplayCrossServerIT {

  private static final List<String> SESSION =
      List.of(
          "a1 CAPABILITY",
          "a2 LOGIN " + DemoUpstream.USER + " " + DemoUpstream.PASSWORD,
          "a3 SELECT INBOX",
          "a4 FETCH 1:* (FLAGS RFC822.SIZE ENVELOPE)",
          "a5 UID FETCH 2 BODY.PEEK[HEADER]",
          "a6 LIST \"\" \"*\"",
          "a7 LOGOUT");

  /** Dates and Dovecot's timings, as free text shows them. */
  private static final Pattern DATE_LIKE =
      Pattern.compile(
          "\\(\\d+\\.\\d+( \\+ \\d+\\.\\d+)* secs\\)"
              + "|\\d{1,2}-[A-Za-z]{3}-\\d{4}( \\d{2}:\\d{2}:\\d{2} [+-]\\d{4})?"
              + "|(Mon|Tue|Wed|Thu|Fri|Sat|Sun), +\\d{1,2} [A-Za-z]{3} \\d{4}"
              + "( \\d{2}:\\d{2}(:\\d{2})? [+-]\\d{4}( \\([A-Z]+\\))?)?");

  private static final Pattern CHANGED =
      Pattern.compile("~ (.+?): recorded (.*), live (.*)", Pattern.DOTALL);

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
  void aGreenMailCaptureAgainstDovecotReportsOnlyRealDifferences() throws Exception {
    Path capture = recordAgainstGreenMail();
    String user = dovecot.newUser("cross");
    ReplayClientResult result = replay(capture, user, SemanticDiffIgnore.defaults());
    String text = ReplayClientReport.text(result);
    Map<String, List<String>> by =
        result.steps().stream()
            .collect(
                Collectors.toMap(
                    s -> s.tag().equals("*") ? "greeting" : s.tag(),
                    ReplayClientResult.Step::differences));
    assertThat(result.steps()).as(text).hasSize(SESSION.size() + 1);
    assertThat(result.skipped()).as(text).isEmpty();
    assertThat(text).as(text).endsWith("8 steps replayed: 1 same, 7 differ\n");

    // Greeting: Dovecot announces its capabilities in it, GreenMail does not; the words differ,
    // but text is ignored.
    assertThat(by.get("greeting"))
        .as(text)
        .containsExactly(
            "- * OK",
            "+ * OK [CAPABILITY AUTH=LOGIN AUTH=PLAIN ENABLE ID IDLE IMAP4REV1 LITERAL+"
                + " LOGIN-REFERRALS SASL-IR]");
    // CAPABILITY: the two servers' lists, compared as sets.
    assertThat(by.get("a1")).as(text).hasSize(2);
    assertThat(by.get("a1").get(0))
        .startsWith("- * CAPABILITY ")
        .contains("AUTH=XOAUTH2", "QUOTA", "UIDPLUS", "MOVE");
    assertThat(by.get("a1").get(1))
        .startsWith("+ * CAPABILITY ")
        .contains("AUTH=PLAIN", "LOGIN-REFERRALS", "ENABLE")
        .doesNotContain("XOAUTH2", "QUOTA");
    // LOGIN: Dovecot tells the post-login capabilities, GreenMail nothing.
    assertThat(by.get("a2")).as(text).hasSize(1);
    assertThat(by.get("a2").get(0)).startsWith("+ * CAPABILITY ").contains("CONDSTORE");
    // SELECT: GreenMail's messages are all unseen, Dovecot's first is \Seen. 5 EXISTS on both;
    // RECENT (5 vs 0), UIDVALIDITY (GreenMail's is the time, Dovecot's the seed's), the order
    // and the resp-texts differ but are ignored.
    assertThat(by.get("a3")).as(text).containsExactly("- * OK [UNSEEN 1]", "+ * OK [UNSEEN 2]");
    // FETCH: other messages, so every envelope and size differs; FLAGS only where Dovecot's seed
    // has flags (1 \Seen, 3 \Flagged).
    List<String> fetch = by.get("a4");
    assertThat(fetch).as(text).hasSize(12).allMatch(l -> l.matches("~ \\* [1-5] FETCH .*"));
    for (MailSeed.Message m : MailSeed.INBOX) {
      assertThat(fetch)
          .as(text)
          .anyMatch(l -> l.startsWith("~ * " + m.uid() + " FETCH ENVELOPE: recorded ("))
          .anyMatch(
              l ->
                  l.matches(
                      "~ \\* "
                          + m.uid()
                          + " FETCH RFC822\\.SIZE: recorded \\d+, live "
                          + m.crlfSize()));
    }
    assertThat(fetch)
        .contains(
            "~ * 1 FETCH FLAGS: recorded (), live (\\Seen)",
            "~ * 3 FETCH FLAGS: recorded (), live (\\Flagged)");
    assertThat(fetch)
        .filteredOn(l -> l.contains(" FETCH ENVELOPE: "))
        .anyMatch(
            l -> l.contains("\"Welcome to quirkproxy\"") && l.contains("Plain text greeting"));
    // UID FETCH of one message's header: other headers.
    assertThat(by.get("a5"))
        .as(text)
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith("~ * 2 FETCH BODY[HEADER]: recorded {")
        .endsWith("}");
    // LIST: GreenMail has Sent, Drafts, Trash and Archive, the Dovecot fixture only Archive (and
    // Dovecot says \HasNoChildren, GreenMail no attributes).
    List<String> list = by.get("a6");
    List<String> recordedOnly = list.stream().filter(l -> l.startsWith("- ")).toList();
    List<String> liveOnly = list.stream().filter(l -> l.startsWith("+ ")).toList();
    assertThat(recordedOnly)
        .as(text)
        .anyMatch(l -> l.endsWith("\"Sent\""))
        .anyMatch(l -> l.endsWith("\"Drafts\""))
        .anyMatch(l -> l.endsWith("\"Trash\""))
        .anyMatch(l -> l.endsWith("\"Archive\""));
    assertThat(liveOnly)
        .as(text)
        .containsExactlyInAnyOrder(
            // Names by value: Dovecot's atoms and GreenMail's quoted strings read the same.
            "+ * LIST (\\HasNoChildren) \".\" \"Archive\"",
            "+ * LIST (\\HasNoChildren) \".\" \"INBOX\"");
    assertThat(liveOnly).noneMatch(l -> l.matches(".*(Sent|Drafts|Trash).*"));
    // LOGOUT: BYE and OK on both, the words ignored.
    assertThat(by.get("a7")).as(text).isEmpty();

    // Nothing reported is an artefact of what the defaults ignore.
    List<String> all = result.steps().stream().flatMap(s -> s.differences().stream()).toList();
    assertThat(all)
        .as(text)
        .noneMatch(l -> l.contains("UIDVALIDITY"))
        .noneMatch(l -> l.contains("UIDNEXT"))
        .noneMatch(l -> l.contains("RECENT"))
        .noneMatch(l -> l.contains("INTERNALDATE"))
        .noneMatch(l -> l.contains("another order"))
        .noneMatch(l -> l.contains("secs)"))
        .noneMatch(l -> l.startsWith("~ completion"));
    for (ReplayClientResult.Step s : result.steps()) {
      assertNoMereArtefact(s, text);
    }

    // The same replay with nothing ignored shows what the defaults hid: so they did the hiding.
    String strict = ReplayClientReport.text(replay(capture, user, Set.of()));
    assertThat(strict)
        .contains("- * 5 RECENT")
        .contains("+ * 0 RECENT")
        .contains("+ * OK [UIDVALIDITY " + MailSeed.INBOX_UIDVALIDITY + "] UIDs valid")
        .containsPattern("- \\* OK \\[UIDVALIDITY \\d+\\]")
        .contains("~ completion: recorded a3 OK [READ-WRITE] SELECT completed., live a3 OK")
        .contains("secs)")
        .contains("8 steps replayed: 0 same, 8 differ");

    // The command line gives the same verdict: exit 1, differences.
    Cli cli =
        RecordingSupport.cli(
            "replay",
            "client",
            "--capture",
            capture.toString(),
            "--upstream",
            "imap://127.0.0.1:" + dovecot.imapPort(),
            "--user",
            user,
            "--password",
            Dovecot.PASSWORD);
    assertThat(cli.exitCode()).as(cli.out() + cli.err()).isEqualTo(1);
    assertThat(cli.out())
        .contains("a3 SELECT INBOX: differs\n    - * OK [UNSEEN 1]\n    + * OK [UNSEEN 2]\n")
        .contains("a7 LOGOUT: same")
        .contains("8 steps replayed: 1 same, 7 differ");
  }

  /**
   * No changed value is the same after masking dates and timings, and no response reported as only
   * recorded equals one reported as only live after that masking.
   */
  private static void assertNoMereArtefact(ReplayClientResult.Step step, String text) {
    List<String> minus = new ArrayList<>();
    List<String> plus = new ArrayList<>();
    for (String d : step.differences()) {
      if (d.startsWith("~ ")) {
        Matcher m = CHANGED.matcher(d);
        assertThat(m.matches()).as("%s: %s", step.command(), d).isTrue();
        assertThat(masked(m.group(3)))
            .as("%s: %s is a mere date/timing artefact\n%s", step.command(), d, text)
            .isNotEqualTo(masked(m.group(2)));
      } else if (d.startsWith("- ")) {
        minus.add(masked(d.substring(2)));
      } else {
        assertThat(d).startsWith("+ ");
        plus.add(masked(d.substring(2)));
      }
    }
    for (String p : plus) {
      assertThat(minus)
          .as("%s: %s differs from a recorded response only by a date\n%s", step.command(), p, text)
          .doesNotContain(p);
    }
  }

  private static String masked(String s) {
    return DATE_LIKE.matcher(s).replaceAll("*");
  }

  private ReplayClientResult replay(Path capture, String user, Set<SemanticDiffIgnore> ignore)
      throws Exception {
    return new ReplayClient(
            new ReplayClientConfig(
                "127.0.0.1",
                dovecot.imapPort(),
                false,
                user,
                Dovecot.PASSWORD,
                ignore,
                Duration.ofSeconds(30)))
        .replay(CaptureReader.read(capture));
  }

  /** Runs {@link #SESSION} through a recording proxy in front of GreenMail; returns the capture. */
  private Path recordAgainstGreenMail() throws Exception {
    Path dir = Files.createTempDirectory(tmp, "captures-");
    try (DemoUpstream greenMail = DemoUpstream.start();
        RecordingSupport.RecordingProxy proxy =
            RecordingSupport.RecordingProxy.start(
                Protocol.IMAP, greenMail.imapPort(), CaptureSettings.in(dir))) {
      try (RawClient c = RawClient.connect(proxy.port(), "greenmail")) {
        assertThat(c.line()).contains("GreenMail");
        for (String cmd : SESSION) {
          String tag = cmd.split(" ")[0];
          c.sendLine(cmd);
          assertThat(c.untilTagged(tag)).contains(tag + " OK");
        }
      }
      proxy.awaitNoSessions();
    }
    Path file = RecordingSupport.onlyCapture(dir).file();
    String recorded = Files.readString(file, StandardCharsets.UTF_8);
    assertThat(recorded)
        .contains("a2 LOGIN demo [REDACTED]")
        .doesNotContain("LOGIN demo " + DemoUpstream.PASSWORD);
    return file;
  }
}
