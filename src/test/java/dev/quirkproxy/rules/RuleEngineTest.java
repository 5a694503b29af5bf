package dev.quirkproxy.rules;

import static dev.quirkproxy.rules.RuleHarness.file;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.codec.Literal;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.rules.RuleHarness.Sent;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the engine picks, orders and counts rules, and how it holds frames: whole when a rule may
 * match, never beyond {@link RuleEngine#MAX_HELD}, never a client command waiting for a {@code +}.
 */
class RuleEngineTest {

  private final List<RuleHarness> harnesses = new ArrayList<>();

  @AfterEach
  void close() {
    harnesses.forEach(RuleHarness::close);
  }

  private RuleHarness open(Protocol p, RuleEngine engine) {
    RuleHarness h = new RuleHarness(p, engine);
    harnesses.add(h);
    return h;
  }

  private RuleHarness imap(String... rules) {
    return open(Protocol.IMAP, RuleHarness.engine(file(rules)));
  }

  private RuleHarness pop3(String... rules) {
    return open(Protocol.POP3, RuleHarness.engine(file(rules)));
  }

  private static String replace(String id, String extra, String pattern, String replacement) {
    return "{\"id\": \""
        + id
        + "\""
        + extra
        + ", \"action\": {\"type\": \"replace\", \"pattern\": \""
        + pattern
        + "\", \"replacement\": \""
        + replacement
        + "\"}}";
  }

  @Test
  void higherPriorityActsFirstAndActionsCompose() {
    RuleHarness h =
        imap(replace("low", "", "B", "C"), replace("high", ", \"priority\": 10", "A", "B"));
    h.server("* OK A\r\n");
    assertThat(h.toClient()).isEqualTo("* OK C\r\n");
    assertThat(h.hits()).containsExactly("high/replace", "low/replace");
  }

  @Test
  void equalPrioritiesKeepListOrder() {
    RuleHarness h = imap(replace("first", "", "B", "C"), replace("second", "", "A", "B"));
    h.server("* OK A\r\n");
    assertThat(h.toClient()).isEqualTo("* OK B\r\n");
    // The first rule found no B when its turn came: no hit.
    assertThat(h.hits()).containsExactly("second/replace");
  }

  @Test
  void negativePriorityGoesLast() {
    RuleHarness h =
        imap(replace("last", ", \"priority\": -1", "A", "Z"), replace("normal", "", "A", "B"));
    h.server("* OK A\r\n");
    assertThat(h.toClient()).isEqualTo("* OK B\r\n");
    assertThat(h.hits()).containsExactly("normal/replace");
  }

  @Test
  void timesAndOnceCountPerSession() {
    RuleEngine engine =
        RuleHarness.engine(
            file(
                """
                {"id": "once", "once": true, "action": {"type": "inject", "after": ["* OK once"]}}""",
                """
                {"id": "twice", "times": 2, "action": {"type": "inject", "after": ["* OK twice"]}}"""));
    for (int session = 0; session < 2; session++) {
      RuleHarness h = open(Protocol.IMAP, engine);
      h.server("* OK 1\r\n* OK 2\r\n* OK 3\r\n");
      assertThat(h.toClient())
          .as("session %d", session)
          .isEqualTo("* OK 1\r\n* OK once\r\n* OK twice\r\n* OK 2\r\n* OK twice\r\n* OK 3\r\n");
      assertThat(h.hits()).containsExactly("once/inject", "twice/inject", "twice/inject");
    }
  }

  @Test
  void anActionThatChangesNothingIsNoHitAndDoesNotCount() {
    RuleHarness h = imap(replace("x", ", \"once\": true", "X", "Y"));
    h.server("* OK a\r\n");
    assertThat(h.hits()).isEmpty();
    assertThat(h.verdicts()).containsExactly("forward");
    h.server("* OK X\r\n* OK X\r\n");
    assertThat(h.toClient()).isEqualTo("* OK a\r\n* OK Y\r\n* OK X\r\n");
    assertThat(h.hits()).containsExactly("x/replace");
  }

  @Test
  void probabilityZeroNeverActsOneAlwaysHalfSometimes() {
    RuleHarness h =
        imap(
            replace("never", ", \"probability\": 0", "never", "X"),
            replace("always", ", \"probability\": 1.0", "always", "X"),
            replace("half", ", \"probability\": 0.5", "half", "X"));
    int half = 0;
    for (int i = 0; i < 200; i++) {
      h.server("* OK never always half\r\n");
      String out = h.toClient();
      assertThat(out).startsWith("* OK never X ");
      if (out.endsWith("X\r\n")) {
        half++;
      }
    }
    assertThat(half).isBetween(1, 199);
  }

  @Test
  void disabledRulesNeverAct() {
    RuleHarness h =
        imap(
            """
            {"id": "off", "enabled": false, "action": {"type": "drop"}}""");
    h.server("* OK ready\r\n");
    assertThat(h.toClient()).isEqualTo("* OK ready\r\n");
    assertThat(h.verdicts()).containsExactly("forward");
  }

  @Test
  void noCandidateRulesMeansEveryPartIsForwarded() {
    RuleHarness h =
        imap(
            """
            {"id": "pop", "when": {"protocol": "pop3"}, "action": {"type": "drop"}}""");
    h.server("* 1 FETCH (BODY[] {5}\r\nhello)\r\n");
    assertThat(h.verdicts()).containsExactly("forward", "forward", "forward");
  }

  @Test
  void hitDetailsNeverShowACommandsArguments() {
    RuleHarness h =
        imap(
            """
            {"id": "login", "when": {"command": "LOGIN"}, "action": {"type": "delay", "ms": 1}}""");
    h.client("a1 LOGIN bob hunter2\r\n");
    assertThat(h.hitDetails())
        .singleElement()
        .satisfies(
            hit -> {
              assertThat(hit.detail()).isEqualTo("command a1 LOGIN");
              assertThat(hit.detail()).doesNotContain("hunter2");
            });
  }

  // ---- holding

  private static final String HEADER = "Subject: hello\r\n\r\n";
  private static final String FETCH_LINE =
      "* 1 FETCH (UID 4 BODY[HEADER] {" + HEADER.length() + "}\r\n";
  private static final String MIDDLE = " BODY[TEXT] ~{6}\r\n";
  private static final String FETCH_END = ")\r\n";

  /** A FETCH with two literals, in several reads (one literal split across two). */
  private static void fetch(RuleHarness h) {
    h.server(FETCH_LINE + HEADER.substring(0, 7));
    h.server(HEADER.substring(7) + MIDDLE);
    h.server("body\r\n" + FETCH_END);
  }

  @Test
  void aMultiPartFrameAnyRuleMayMatchIsHeldAndReleasedWholeUnchanged() {
    RuleHarness plain = imap();
    fetch(plain);
    List<Sent> asReceived = plain.sent();
    assertThat(asReceived).hasSizeGreaterThan(5);

    RuleHarness h =
        imap(
            """
            {"id": "never", "when": {"response": "FETCH", "text": "NEVER"},
             "action": {"type": "drop"}}""");
    fetch(h);
    h.server("* 2 EXISTS\r\n");
    List<String> verdicts = h.verdicts();
    assertThat(verdicts.subList(0, verdicts.size() - 2)).containsOnly("hold");
    assertThat(verdicts.subList(verdicts.size() - 2, verdicts.size()))
        .containsExactly("emit", "forward");
    assertThat(h.toClient())
        .isEqualTo(FETCH_LINE + HEADER + MIDDLE + "body\r\n" + FETCH_END + "* 2 EXISTS\r\n");
    assertThat(h.hits()).isEmpty();
    List<Sent> sent = h.sent();
    assertThat(sent.subList(0, sent.size() - 1)).containsExactlyElementsOf(asReceived);
  }

  @Test
  void aMultiPartFrameNoRuleMayMatchIsNotHeld() {
    RuleHarness h =
        imap(
            """
            {"id": "tagged", "when": {"response": "tagged"}, "action": {"type": "drop"}}""");
    fetch(h);
    assertThat(h.verdicts()).containsOnly("forward");
    assertThat(h.toClient()).isEqualTo(FETCH_LINE + HEADER + MIDDLE + "body\r\n" + FETCH_END);
  }

  @Test
  void aFrameBiggerThanMaxHeldGoesOnUnchangedInOrder() {
    RuleHarness h =
        imap(
            """
            {"id": "up", "when": {"response": "FETCH"},
             "action": {"type": "replace", "pattern": "hello", "replacement": "HELLO",
                        "literals": true}}""");
    int size = RuleEngine.MAX_HELD + 10;
    String line = "* 1 FETCH (BODY[] {" + size + "}\r\n";
    StringBuilder literal = new StringBuilder(size);
    while (literal.length() < size) {
      literal.append("hello world\r\n");
    }
    literal.setLength(size);
    StringBuilder expected = new StringBuilder(line);
    h.server(line);
    int chunk = 256 * 1024;
    for (int at = 0; at < size; at += chunk) {
      String piece = literal.substring(at, Math.min(size, at + chunk));
      h.server(piece);
      expected.append(piece);
    }
    h.server(")\r\n");
    expected.append(")\r\n");
    String out = h.toClient();
    assertThat(out.length()).isEqualTo(expected.length());
    assertThat(out.equals(expected.toString())).as("the bytes as received, in order").isTrue();
    assertThat(h.hits()).isEmpty();
    // The line and three chunks are held; the fourth makes it too big: all go out as they came,
    // and the rest is forwarded.
    assertThat(h.verdicts())
        .containsExactly("hold", "hold", "hold", "hold", "emit", "forward", "forward");
    // The next frame is judged again.
    h.server("* 2 FETCH (BODY[] {5}\r\nhello)\r\n");
    assertThat(h.toClient()).isEqualTo("* 2 FETCH (BODY[] {5}\r\nHELLO)\r\n");
  }

  @Test
  void aClientCommandWithASynchronizingLiteralIsJudgedOnItsFirstLineAndNeverHeld() {
    RuleHarness h =
        imap(
            """
            {"id": "drafts", "when": {"command": "APPEND"},
             "action": {"type": "replace", "pattern": "INBOX", "replacement": "Drafts",
                        "literals": true}}""",
            """
            {"id": "secret", "when": {"direction": "client", "text": "secret"},
             "action": {"type": "drop"}}""");
    h.selected("INBOX", 1);
    h.client("a1 APPEND INBOX (\\Seen) {12}\r\n");
    assertThat(h.verdicts()).containsExactly("emit");
    assertThat(h.toServer()).isEqualTo("a1 APPEND Drafts (\\Seen) {12}\r\n");
    assertThat(h.sent())
        .containsExactly(
            new Sent(
                WirePart.Kind.LINE,
                true,
                false,
                new Literal(12, true, false),
                "a1 APPEND Drafts (\\Seen) {12}\r\n"));
    assertThat(h.imap().syncLiteral()).isEqualTo(ImapSession.SyncLiteral.PENDING);
    h.server("+ go ahead\r\n");
    assertThat(h.imap().syncLiteral()).isEqualTo(ImapSession.SyncLiteral.ACCEPTED);
    h.client("INBOX secret\r\n");
    assertThat(h.verdicts()).containsExactly("forward", "forward", "forward");
    assertThat(h.toServer()).isEqualTo("INBOX secret\r\n");
    assertThat(h.hits()).containsExactly("drafts/replace");
    h.server("a1 OK [APPENDUID 7 3] done\r\n");
    assertThat(h.imap().pending()).isEmpty();
  }

  @Test
  void aClientCommandWithANonSynchronizingLiteralIsHeldWhole() {
    RuleHarness h =
        imap(
            """
            {"id": "secret", "when": {"direction": "client", "text": "secret"},
             "action": {"type": "drop"}}""");
    h.client("a1 APPEND INBOX {6+}\r\n");
    assertThat(h.verdicts()).containsExactly("hold");
    assertThat(h.toServer()).isEmpty();
    h.client("secret\r\n");
    assertThat(h.verdicts()).containsExactly("hold", "emit");
    assertThat(h.toServer()).isEmpty();
    assertThat(h.hits()).containsExactly("secret/drop");
  }

  @Test
  void pop3BodiesAreHeldOnlyWhenARuleMayMatch() {
    RuleHarness h =
        pop3(
            """
            {"id": "top", "when": {"command": "TOP", "direction": "server"},
             "action": {"type": "replace", "pattern": "secret", "replacement": "public"}}""");
    h.loggedIn();
    h.client("RETR 1\r\n").drain();
    h.server("+OK 30 octets\r\nSubject: secret\r\n");
    h.server("\r\nbody\r\n.\r\n");
    assertThat(h.verdicts()).containsExactly("forward", "forward", "forward");
    assertThat(h.toClient()).isEqualTo("+OK 30 octets\r\nSubject: secret\r\n\r\nbody\r\n.\r\n");
    h.client("TOP 1 0\r\n").drain();
    h.server("+OK\r\nSubject: secret\r\n");
    h.server("\r\n.\r\n");
    assertThat(h.verdicts()).containsExactly("hold", "hold", "emit");
    assertThat(h.toClient()).isEqualTo("+OK\r\nSubject: public\r\n\r\n.\r\n");
    h.client("RETR 2\r\n").server("+OK\r\nx\r\n.\r\n").drain();
  }

  @Test
  void aFrameIsJudgedWholeByTheRuleSetItStartedWith() {
    RuleSet first =
        RuleHarness.load(
            file(
                """
                {"id": "up", "when": {"response": "FETCH"},
                 "action": {"type": "replace", "pattern": "a", "replacement": "A",
                            "literals": true}}"""));
    AtomicReference<RuleSet> current = new AtomicReference<>(first);
    RuleHarness h = open(Protocol.IMAP, new RuleEngine(current::get));
    h.server("* 1 FETCH (BODY[] {3}\r\n");
    current.set(RuleSet.EMPTY);
    h.server("abc)\r\n");
    assertThat(h.toClient()).isEqualTo("* 1 FETCH (BODY[] {3}\r\nAbc)\r\n");
    h.server("* 2 FETCH (BODY[] {3}\r\nabc)\r\n");
    assertThat(h.toClient()).isEqualTo("* 2 FETCH (BODY[] {3}\r\nabc)\r\n");
  }

  // ---- regressions

  /**
   * A client command with a LITERAL+ literal is held while a server FETCH is held too: each
   * direction keeps its own frame (the server's used to replace the client's, which was lost).
   */
  @Test
  void framesHeldInBothDirectionsAtOnceStayApart() {
    RuleHarness h =
        imap(
            """
            {"id": "c", "when": {"command": "APPEND"},
             "action": {"type": "replace", "pattern": "hi", "replacement": "hello",
                        "literals": true}}""",
            """
            {"id": "s", "when": {"response": "FETCH"},
             "action": {"type": "replace", "pattern": "abc", "replacement": "xyz",
                        "literals": true}}""");
    h.client("a1 APPEND Drafts {2+}\r\n");
    h.server("* 1 FETCH (BODY[] {3}\r\nabc)\r\n");
    h.client("hi\r\n");
    assertThat(h.toClient()).isEqualTo("* 1 FETCH (BODY[] {3}\r\nxyz)\r\n");
    assertThat(h.toServer()).isEqualTo("a1 APPEND Drafts {5+}\r\nhello\r\n");
    assertThat(h.hits()).containsExactly("s/replace", "c/replace");
  }

  /** A {@code not} over a whole-frame condition must not keep the frame from being held. */
  @Test
  void notOverTextStillHoldsTheFrame() {
    RuleHarness h =
        imap(
            """
            {"id": "unseen", "when": {"response": "FETCH", "not": {"text": "[\\\\\\\\]Seen"}},
             "action": {"type": "inject", "after": ["* OK [ALERT] unseen"]}}""");
    h.server("* 1 FETCH (FLAGS () BODY[] {5}\r\nhello)\r\n");
    assertThat(h.toClient())
        .isEqualTo("* 1 FETCH (FLAGS () BODY[] {5}\r\nhello)\r\n* OK [ALERT] unseen\r\n");
    h.server("* 2 FETCH (FLAGS (\\Seen) BODY[] {5}\r\nhello)\r\n");
    assertThat(h.toClient()).isEqualTo("* 2 FETCH (FLAGS (\\Seen) BODY[] {5}\r\nhello)\r\n");
    assertThat(h.hits()).containsExactly("unseen/inject");
  }

  /**
   * The first line a {@code line} condition sees is the same whether the engine is deciding to hold
   * the frame or judging it whole: with the literal's announcement.
   */
  @Test
  void lineConditionSeesTheLiteralAnnouncementOfAHeldFrame() {
    RuleHarness h =
        imap(
            """
            {"id": "big", "when": {"line": "BODY\\\\[\\\\] [{][0-9]+[}]$"},
             "action": {"type": "inject", "after": ["* OK [ALERT] body"]}}""");
    h.server("* 1 FETCH (BODY[] {5}\r\nhello)\r\n");
    assertThat(h.toClient()).isEqualTo("* 1 FETCH (BODY[] {5}\r\nhello)\r\n* OK [ALERT] body\r\n");
    assertThat(h.hitDetails())
        .singleElement()
        .satisfies(hit -> assertThat(hit.detail()).isEqualTo("response * 1 FETCH (BODY[] {5}"));
  }

  /**
   * A held client command that goes on to announce a synchronizing literal (LITERAL+ for a small
   * literal, {@code {n}} for the next): the client waits for a {@code +} the server can only send
   * once it has the line, so the engine stops holding and lets what it has go on as it came.
   */
  @Test
  void aHeldClientCommandAnnouncingASynchronizingLiteralIsLetGo() {
    RuleHarness h =
        imap(
            """
            {"id": "secret", "when": {"direction": "client", "text": "secret"},
             "action": {"type": "drop"}}""");
    h.client("a1 APPEND INBOX {3+}\r\nabc INBOX {6}\r\n");
    assertThat(h.verdicts()).containsExactly("hold", "hold", "emit");
    assertThat(h.toServer()).isEqualTo("a1 APPEND INBOX {3+}\r\nabc INBOX {6}\r\n");
    assertThat(h.imap().syncLiteral()).isEqualTo(ImapSession.SyncLiteral.PENDING);
    h.server("+ go ahead\r\n");
    h.client("secret\r\n");
    assertThat(h.toServer()).isEqualTo("secret\r\n");
    assertThat(h.verdicts()).containsExactly("forward", "forward", "forward");
    assertThat(h.hits()).isEmpty();
  }

  /** Nothing may go between a command's first line and the literal the client sends later. */
  @Test
  void nothingIsInjectedAfterTheFirstLineOfACommandWaitingForPlus() {
    RuleHarness h =
        imap(
            """
            {"id": "more", "when": {"command": "APPEND"},
             "action": {"type": "inject", "before": ["x0 NOOP"], "after": ["x1 NOOP"]}}""",
            """
            {"id": "twice", "when": {"command": "APPEND"}, "action": {"type": "duplicate"}}""");
    h.client("a1 APPEND INBOX {3}\r\n");
    assertThat(h.toServer()).isEqualTo("x0 NOOP\r\na1 APPEND INBOX {3}\r\n");
    h.server("+ go ahead\r\n");
    h.client("abc\r\n");
    assertThat(h.toServer()).isEqualTo("abc\r\n");
  }

  /** A session that ends in the middle of a held frame leaves no buffer behind. */
  @Test
  void aSessionEndingMidFrameReleasesWhatWasHeld() {
    RuleHarness h =
        imap(
            """
            {"id": "fetch", "when": {"response": "FETCH"}, "action": {"type": "drop"}}""");
    h.selected("INBOX", 1);
    h.server("* 1 FETCH (BODY[] {10}\r\n01234");
    assertThat(h.verdicts()).containsOnly("hold");
    h.endSession();
    h.close();
  }

  /**
   * A command announcing a synchronizing literal that a rule answers or drops never reaches the
   * server, so no {@code +} will come and the client sends no literal: its next line is a new
   * command (it used to be read as the literal's octets and sent upstream as such).
   */
  @Test
  void anAnsweredOrDroppedCommandsSynchronizingLiteralIsRefused() {
    RuleHarness h =
        imap(
            """
            {"id": "no", "when": {"command": "APPEND"},
             "action": {"type": "answer", "lines": ["{tag} NO [CANNOT] not here"]}}""",
            """
            {"id": "gone", "when": {"command": "SELECT"}, "action": {"type": "drop"}}""");
    h.client("a1 APPEND INBOX {5}\r\n");
    assertThat(h.toClient()).isEqualTo("a1 NO [CANNOT] not here\r\n");
    assertThat(h.imap().syncLiteral()).isEqualTo(ImapSession.SyncLiteral.REFUSED);
    h.client("a2 NOOP\r\n");
    assertThat(h.sent())
        .containsExactly(new Sent(WirePart.Kind.LINE, true, true, null, "a2 NOOP\r\n"));
    h.client("a3 SELECT {5}\r\n").client("a4 NOOP\r\n");
    assertThat(h.toServer()).isEqualTo("a2 NOOP\r\na4 NOOP\r\n");
    assertThat(h.imap().pending()).containsOnlyKeys("a2", "a4");
  }
}
