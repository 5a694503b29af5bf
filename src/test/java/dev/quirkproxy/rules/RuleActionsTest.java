package dev.quirkproxy.rules;

import static dev.quirkproxy.rules.RuleHarness.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.quirkproxy.codec.Literal;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.rules.RuleHarness.Sent;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Every built-in action type, driven through {@link RuleEngine} with real framers and sessions:
 * what goes onward, what goes back, and the parts' shape (a literal announced with its real size).
 */
class RuleActionsTest {

  private RuleHarness h;

  @AfterEach
  void close() {
    if (h != null) {
      h.close();
    }
  }

  private RuleHarness imap(String... rules) {
    h = RuleHarness.imap(file(rules));
    return h;
  }

  private RuleHarness pop3(String... rules) {
    h = RuleHarness.pop3(file(rules));
    return h;
  }

  @Nested
  class Replace {

    @Test
    void editsAServerLine() {
      imap(
          """
          {"id": "brand", "when": {"response": "untagged"},
           "action": {"type": "replace", "pattern": "Dovecot", "replacement": "Cyrus"}}""");
      h.server("* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n");
      assertThat(h.toClient()).isEqualTo("* OK [CAPABILITY IMAP4rev1] Cyrus ready.\r\n");
      assertThat(h.verdicts()).containsExactly("emit");
      assertThat(h.hitDetails())
          .singleElement()
          .satisfies(
              hit -> {
                assertThat(hit.rule()).isEqualTo("brand");
                assertThat(hit.action()).isEqualTo("replace");
                assertThat(hit.detail())
                    .isEqualTo("response * OK [CAPABILITY IMAP4rev1] Dovecot ready.");
              });
    }

    @Test
    void rewriteEditsAClientCommandAndTheTrackerSeesTheNewOne() {
      imap(
          """
          {"id": "peek", "when": {"command": "UID FETCH"},
           "action": {"type": "rewrite", "pattern": "BODY\\\\[\\\\]", "replacement": "BODY.PEEK[]"}}""");
      h.selected("INBOX", 3);
      h.client("a1 UID FETCH 1:3 (UID BODY[])\r\n");
      assertThat(h.toServer()).isEqualTo("a1 UID FETCH 1:3 (UID BODY.PEEK[])\r\n");
      assertThat(h.hits()).containsExactly("peek/rewrite");
      assertThat(h.imap().pending()).containsKey("a1");
      assertThat(h.imap().pending().get("a1").uid()).isTrue();
      // A plain FETCH is another command.
      h.client("a2 FETCH 1 (BODY[])\r\n");
      assertThat(h.toServer()).isEqualTo("a2 FETCH 1 (BODY[])\r\n");
      assertThat(h.verdicts()).containsExactly("emit", "forward");
    }

    @Test
    void fillsTagAndCommand() {
      imap(
          """
          {"id": "t", "when": {"response": "tagged"},
           "action": {"type": "replace", "pattern": "done", "replacement": "{command} {tag} done"}}""");
      h.client("x9 NOOP\r\n").server("x9 OK done\r\n");
      assertThat(h.toClient()).isEqualTo("x9 OK NOOP x9 done\r\n");
    }

    @Test
    void leavesLiteralsAloneByDefault() {
      imap(
          """
          {"id": "w", "when": {"response": "FETCH"},
           "action": {"type": "replace", "pattern": "World|UID 7", "replacement": "UID 8"}}""");
      String fetch = "* 1 FETCH (UID 7 BODY[] {11}\r\nHello World)\r\n";
      h.server(fetch);
      assertThat(h.toClient()).isEqualTo("* 1 FETCH (UID 8 BODY[] {11}\r\nHello World)\r\n");
      assertThat(h.verdicts()).containsExactly("hold", "hold", "emit");
    }

    @Test
    void inLiteralsReannouncesTheNewSize() {
      imap(
          """
          {"id": "w", "when": {"response": "FETCH"},
           "action": {"type": "replace", "pattern": "World", "replacement": "Everyone",
                      "literals": true}}""");
      h.server("* 1 FETCH (UID 7 BODY[] {11}\r\nHello World)\r\n");
      assertThat(h.toClient()).isEqualTo("* 1 FETCH (UID 7 BODY[] {14}\r\nHello Everyone)\r\n");
      assertThat(h.sent())
          .containsExactly(
              new Sent(
                  WirePart.Kind.LINE,
                  true,
                  false,
                  new Literal(14, true, false),
                  "* 1 FETCH (UID 7 BODY[] {14}\r\n"),
              new Sent(WirePart.Kind.LITERAL, false, false, null, "Hello Everyone"),
              new Sent(WirePart.Kind.LINE, false, true, null, ")\r\n"));
      assertThat(h.hits()).containsExactly("w/replace");
    }

    @Test
    void inLiteralsShrinksABinaryLiteralAndEditsEveryLiteral() {
      imap(
          """
          {"id": "w", "when": {"response": "FETCH"},
           "action": {"type": "replace", "pattern": "xx", "replacement": "",
                      "literals": true}}""");
      h.server("* 2 FETCH (BINARY[1] ~{6}\r\nabxxcd BODY[HEADER] {4}\r\nxxyy)\r\n");
      assertThat(h.toClient())
          .isEqualTo("* 2 FETCH (BINARY[1] ~{4}\r\nabcd BODY[HEADER] {2}\r\nyy)\r\n");
    }

    @Test
    void inAClientLiteralKeepsItNonSynchronizing() {
      imap(
          """
          {"id": "subj", "when": {"command": "APPEND"},
           "action": {"type": "replace", "pattern": "Subject: hi", "replacement": "Subject: hello",
                      "literals": true}}""");
      h.selected("INBOX", 1);
      String message = "Subject: hi\r\n\r\nx\r\n";
      String edited = "Subject: hello\r\n\r\nx\r\n";
      h.client("a1 APPEND Drafts (\\Seen) {" + message.length() + "+}\r\n" + message + "\r\n");
      assertThat(h.toServer())
          .isEqualTo("a1 APPEND Drafts (\\Seen) {" + edited.length() + "+}\r\n" + edited + "\r\n");
      assertThat(h.verdicts()).containsExactly("hold", "hold", "emit");
      assertThat(h.sent().get(0).literal()).isEqualTo(new Literal(edited.length(), false, false));
      assertThat(h.imap().pending()).containsKey("a1");
    }

    @Test
    void thatMatchesNothingIsNoHit() {
      imap(
          """
          {"id": "w", "action": {"type": "replace", "pattern": "nowhere", "replacement": "x"}}""");
      h.server("* OK ready\r\n");
      assertThat(h.toClient()).isEqualTo("* OK ready\r\n");
      assertThat(h.verdicts()).containsExactly("forward");
      assertThat(h.hits()).isEmpty();
    }
  }

  @Nested
  class ReplaceFrame {

    @Test
    void replacesATaggedResponseWithItsTag() {
      imap(
          """
          {"id": "ok", "when": {"response": {"kind": "tagged", "status": "NO"}},
           "action": {"type": "replace-frame",
                      "lines": ["* OK [ALERT] pretend it worked", "{tag} OK {command} done"]}}""");
      h.client("a4 CREATE Foo\r\n").server("a4 NO [ALREADYEXISTS] exists\r\n");
      assertThat(h.toClient()).isEqualTo("* OK [ALERT] pretend it worked\r\na4 OK CREATE done\r\n");
      assertThat(h.hits()).containsExactly("ok/replace-frame");
    }

    @Test
    void replacesAWholeFetchAnnouncingItsLiteral() {
      imap(
          """
          {"id": "f", "when": {"response": "FETCH"},
           "action": {"type": "replace-frame", "lines": ["* 1 FETCH (BODY[] {3}", "abc)"]}}""");
      h.server("* 1 FETCH (BODY[] {5}\r\nhello)\r\n");
      assertThat(h.toClient()).isEqualTo("* 1 FETCH (BODY[] {3}\r\nabc)\r\n");
      assertThat(h.sent())
          .extracting(Sent::kind)
          .containsExactly(WirePart.Kind.LINE, WirePart.Kind.LITERAL, WirePart.Kind.LINE);
    }

    @Test
    void identicalReplacementIsNoHit() {
      imap(
          """
          {"id": "same", "action": {"type": "replace-frame", "lines": ["* OK ready"]}}""");
      h.server("* OK ready\r\n");
      assertThat(h.toClient()).isEqualTo("* OK ready\r\n");
      assertThat(h.hits()).isEmpty();
      assertThat(h.verdicts()).containsExactly("forward");
    }

    @Test
    void pop3Body() {
      pop3(
          """
          {"id": "msg", "when": {"command": "RETR", "direction": "server"},
           "action": {"type": "replace-frame",
                      "lines": ["+OK 9 octets", "Subject: x", "", "..dot", "."]}}""");
      h.loggedIn();
      h.client("RETR 1\r\n").drain();
      h.server("+OK 20 octets\r\nSubject: y\r\n\r\nbody\r\n.\r\n");
      assertThat(h.toClient()).isEqualTo("+OK 9 octets\r\nSubject: x\r\n\r\n..dot\r\n.\r\n");
      assertThat(h.sent())
          .extracting(Sent::kind, Sent::start, Sent::end)
          .containsExactly(
              tuple(WirePart.Kind.LINE, true, false), tuple(WirePart.Kind.BODY, false, true));
    }
  }

  @Nested
  class Drop {

    @Test
    void dropsAServerResponse() {
      imap(
          """
          {"id": "d", "when": {"response": "RECENT"}, "action": {"type": "drop"}}""");
      h.selected("INBOX", 2);
      h.server("* 1 RECENT\r\n* 3 EXISTS\r\n");
      assertThat(h.toClient()).isEqualTo("* 3 EXISTS\r\n");
      assertThat(h.steps()).isEmpty();
      assertThat(h.hits()).containsExactly("d/drop");
    }

    @Test
    void droppedCommandNeverReachesTheServerOrTheTracker() {
      imap(
          """
          {"id": "d", "when": {"command": "NOOP"}, "action": {"type": "drop"}}""");
      h.client("a1 NOOP\r\n");
      assertThat(h.toServer()).isEmpty();
      assertThat(h.imap().pending()).isEmpty();
    }

    @Test
    void dropsAHeldMultiPartFrame() {
      imap(
          """
          {"id": "d", "when": {"response": "FETCH"}, "action": {"type": "drop"}}""");
      h.server("* 1 FETCH (BODY[] {5}\r\nhello)\r\n* 2 EXISTS\r\n");
      assertThat(h.toClient()).isEqualTo("* 2 EXISTS\r\n");
      assertThat(h.verdicts()).containsExactly("hold", "hold", "emit", "forward");
    }
  }

  @Nested
  class Inject {

    @Test
    void beforeAndAfterAServerResponse() {
      imap(
          """
          {"id": "i", "when": {"response": "tagged"},
           "action": {"type": "inject", "before": ["* OK [ALERT] hi"],
                      "after": ["* 5 EXISTS", "* 1 RECENT"]}}""");
      h.client("a1 NOOP\r\n").server("a1 OK done\r\n");
      assertThat(h.toClient())
          .isEqualTo("* OK [ALERT] hi\r\na1 OK done\r\n* 5 EXISTS\r\n* 1 RECENT\r\n");
      assertThat(h.steps())
          .containsExactly(
              "send:* OK [ALERT] hi\r\n",
              "send:a1 OK done\r\n",
              "send:* 5 EXISTS\r\n",
              "send:* 1 RECENT\r\n");
    }

    @Test
    void beforeAClientCommandIsTrackedAsSent() {
      imap(
          """
          {"id": "i", "when": {"command": "LOGOUT"},
           "action": {"type": "inject", "before": ["q0 NOOP"]}}""");
      h.client("q1 LOGOUT\r\n");
      assertThat(h.toServer()).isEqualTo("q0 NOOP\r\nq1 LOGOUT\r\n");
      assertThat(h.imap().pending()).containsOnlyKeys("q0", "q1");
    }

    @Test
    void afterAPop3Answer() {
      pop3(
          """
          {"id": "i", "when": {"command": "NOOP"}, "action": {"type": "inject", "after": ["+OK extra"]}}""");
      h.loggedIn();
      h.client("NOOP\r\n").server("+OK\r\n");
      assertThat(h.toClient()).isEqualTo("+OK\r\n+OK extra\r\n");
    }
  }

  @Nested
  class Answer {

    @Test
    void answersACommandInTheServersPlace() {
      imap(
          """
          {"id": "no-idle", "when": {"command": "IDLE"},
           "action": {"type": "answer", "lines": ["{tag} NO [CANNOT] IDLE is off ({command})"]}}""");
      h.selected("INBOX", 1);
      h.client("a7 IDLE\r\n");
      assertThat(h.toServer()).isEmpty();
      assertThat(h.toClient()).isEqualTo("a7 NO [CANNOT] IDLE is off (IDLE)\r\n");
      assertThat(h.steps()).containsExactly("reply:a7 NO [CANNOT] IDLE is off (IDLE)\r\n");
      assertThat(h.imap().pending()).isEmpty();
    }

    @Test
    void severalLinesGoBackAsOneReply() {
      pop3(
          """
          {"id": "a", "when": {"command": "CAPA"},
           "action": {"type": "answer", "lines": ["+OK", "USER", "."]}}""");
      h.server("+OK ready\r\n").drain();
      h.client("CAPA\r\n");
      assertThat(h.steps()).containsExactly("reply:+OK\r\nUSER\r\n.\r\n");
      assertThat(h.toServer()).isEmpty();
      assertThat(h.pop3().pendingCount()).isZero();
    }

    @Test
    void doesNothingToAResponse() {
      imap(
          """
          {"id": "a", "action": {"type": "answer", "lines": ["{tag} NO nope"]}}""");
      h.server("* OK ready\r\n");
      assertThat(h.toClient()).isEqualTo("* OK ready\r\n");
      assertThat(h.hits()).isEmpty();
    }
  }

  @Nested
  class Capabilities {

    private static final String EDIT =
        """
        {"id": "caps", "action": {"type": "capabilities",
          "remove": ["IDLE", "compress=deflate", "STLS", "SASL"], "add": ["XQUIRK", "MOVE"]}}""";

    @Test
    void inUntaggedCapability() {
      imap(EDIT);
      h.server("* OK ready\r\n").client("a1 CAPABILITY\r\n").drain();
      h.server("* CAPABILITY IMAP4rev1 IDLE COMPRESS=DEFLATE LITERAL+\r\n");
      assertThat(h.toClient()).isEqualTo("* CAPABILITY IMAP4rev1 LITERAL+ XQUIRK MOVE\r\n");
      // The tracker keeps what the upstream said.
      assertThat(h.imap().hasCapability("IDLE")).isTrue();
      assertThat(h.imap().hasCapability("XQUIRK")).isFalse();
    }

    @Test
    void inTheGreetingCode() {
      imap(EDIT);
      h.server("* OK [CAPABILITY IMAP4rev1 SASL-IR IDLE] Dovecot ready.\r\n");
      assertThat(h.toClient())
          .isEqualTo("* OK [CAPABILITY IMAP4rev1 SASL-IR XQUIRK MOVE] Dovecot ready.\r\n");
    }

    @Test
    void inTheLoginAnswerCode() {
      imap(EDIT);
      h.server("* OK ready\r\n").client("a1 LOGIN bob secret\r\n").drain();
      h.server("a1 OK [CAPABILITY IMAP4rev1 IDLE MOVE] Logged in\r\n");
      assertThat(h.toClient()).isEqualTo("a1 OK [CAPABILITY IMAP4rev1 MOVE XQUIRK] Logged in\r\n");
      assertThat(h.hitDetails())
          .singleElement()
          .satisfies(hit -> assertThat(hit.detail()).startsWith("response a1 OK [CAPABILITY"));
      assertThat(h.imap().capabilitiesAfterAuth()).containsExactly("IMAP4rev1", "IDLE", "MOVE");
    }

    @Test
    void addingWhatIsThereAndRemovingWhatIsNotIsNoHit() {
      imap(
          """
          {"id": "caps", "action": {"type": "capabilities", "add": ["idle"], "remove": ["X"]}}""");
      h.server("* CAPABILITY IMAP4rev1 IDLE\r\n");
      assertThat(h.toClient()).isEqualTo("* CAPABILITY IMAP4rev1 IDLE\r\n");
      assertThat(h.hits()).isEmpty();
    }

    @Test
    void leavesOtherResponsesAndCommandsAlone() {
      imap(EDIT);
      h.client("a1 CAPABILITY IDLE\r\n");
      h.server("* OK [ALERT] IDLE soon\r\n");
      assertThat(h.toServer()).isEqualTo("a1 CAPABILITY IDLE\r\n");
      assertThat(h.toClient()).isEqualTo("* OK [ALERT] IDLE soon\r\n");
      assertThat(h.hits()).isEmpty();
    }

    @Test
    void inAPop3CapaAnswerHeldWhole() {
      pop3(EDIT);
      h.server("+OK POP3 ready\r\n").drain();
      h.client("CAPA\r\n");
      h.server("+OK Capability list follows\r\nTOP\r\nUSER\r\nSASL PLAIN LOGIN\r\n");
      h.server("STLS\r\nPIPELINING\r\n.\r\n");
      assertThat(h.verdicts()).containsExactly("forward", "hold", "hold", "emit");
      assertThat(h.toClient())
          .isEqualTo(
              "+OK Capability list follows\r\nTOP\r\nUSER\r\nPIPELINING\r\nXQUIRK\r\nMOVE\r\n.\r\n");
      assertThat(h.hits()).containsExactly("caps/capabilities");
    }

    @Test
    void notInOtherPop3Answers() {
      pop3(EDIT);
      h.loggedIn();
      h.client("UIDL\r\n").server("+OK\r\n1 STLS\r\n.\r\n");
      assertThat(h.toClient()).isEqualTo("+OK\r\n1 STLS\r\n.\r\n");
      assertThat(h.hits()).isEmpty();
    }
  }

  @Nested
  class RenameMailbox {

    private static final String SENT =
        """
        {"id": "ren", "action": {"type": "rename-mailbox", "upstream": "Sent", "client": "Outbox"}}""";

    @Test
    void selectByAtomQuotedStringAndLiteral() {
      imap(SENT);
      h.server("* OK ready\r\n").client("a0 LOGIN bob pw\r\n").server("a0 OK in\r\n").drain();
      h.client("a1 SELECT Outbox\r\n");
      assertThat(h.toServer()).isEqualTo("a1 SELECT Sent\r\n");
      h.client("a2 SELECT \"Outbox\"\r\n");
      assertThat(h.toServer()).isEqualTo("a2 SELECT \"Sent\"\r\n");
      assertThat(h.verdicts()).containsExactly("emit", "emit");
      h.client("a3 EXAMINE {6+}\r\nOutbox\r\n");
      assertThat(h.toServer()).isEqualTo("a3 EXAMINE {4+}\r\nSent\r\n");
      assertThat(h.verdicts()).containsExactly("hold", "hold", "emit");
      assertThat(h.hits())
          .containsExactly("ren/rename-mailbox", "ren/rename-mailbox", "ren/rename-mailbox");
      // The tracker knows the mailbox by the upstream's name.
      h.server("* 0 EXISTS\r\na3 OK [READ-ONLY] done\r\n");
      assertThat(h.imap().selectedMailbox()).isEqualTo("Sent");
      assertThat(h.toClient()).isEqualTo("* 0 EXISTS\r\na3 OK [READ-ONLY] done\r\n");
    }

    @Test
    void childrenButNotOtherNames() {
      imap(SENT);
      h.client("a1 SELECT Outbox/2024\r\n");
      assertThat(h.toServer()).isEqualTo("a1 SELECT Sent/2024\r\n");
      h.client("a2 SELECT OutboxOld\r\n");
      h.client("a3 SELECT INBOX\r\n");
      h.client("a4 SELECT \"Outbox Items\"\r\n");
      assertThat(h.toServer())
          .isEqualTo("a2 SELECT OutboxOld\r\na3 SELECT INBOX\r\na4 SELECT \"Outbox Items\"\r\n");
      h.server("* LIST () \"/\" \"Sent Items\"\r\n* LIST () \"/\" Sent-2024\r\n");
      assertThat(h.toClient())
          .isEqualTo("* LIST () \"/\" \"Sent Items\"\r\n* LIST () \"/\" Sent-2024\r\n");
      h.server("* LIST () \".\" Sent.2024\r\n");
      assertThat(h.toClient()).isEqualTo("* LIST () \".\" Outbox.2024\r\n");
    }

    @Test
    void listResponses() {
      imap(SENT);
      h.client("b1 LIST \"\" \"*\"\r\n").drain();
      h.server("* LIST (\\HasChildren) \"/\" Sent\r\n");
      h.server("* LIST (\\HasNoChildren) \"/\" \"Sent/2024\"\r\n");
      h.server("* LIST () \"/\" INBOX\r\n");
      h.server("* LIST () \"/\" {4}\r\nSent\r\n");
      h.server("* LSUB () \"/\" Sent\r\n");
      h.server("b1 OK done\r\n");
      assertThat(h.toClient())
          .isEqualTo(
              "* LIST (\\HasChildren) \"/\" Outbox\r\n"
                  + "* LIST (\\HasNoChildren) \"/\" \"Outbox/2024\"\r\n"
                  + "* LIST () \"/\" INBOX\r\n"
                  + "* LIST () \"/\" {6}\r\nOutbox\r\n"
                  + "* LSUB () \"/\" Outbox\r\n"
                  + "b1 OK done\r\n");
      assertThat(h.hits()).hasSize(4);
    }

    @Test
    void listCommandPatterns() {
      imap(SENT);
      h.client("b1 LIST \"\" \"Outbox/*\"\r\n");
      h.client("b2 LIST \"\" *\r\n");
      h.client("b3 LIST (SUBSCRIBED) \"\" Outbox RETURN (CHILDREN)\r\n");
      assertThat(h.toServer())
          .isEqualTo(
              "b1 LIST \"\" \"Sent/*\"\r\n"
                  + "b2 LIST \"\" *\r\n"
                  + "b3 LIST (SUBSCRIBED) \"\" Sent RETURN (CHILDREN)\r\n");
    }

    @Test
    void statusBothWays() {
      imap(SENT);
      h.client("c1 STATUS Outbox (MESSAGES UNSEEN)\r\n");
      assertThat(h.toServer()).isEqualTo("c1 STATUS Sent (MESSAGES UNSEEN)\r\n");
      h.server("* STATUS Sent (MESSAGES 3 UNSEEN 0)\r\nc1 OK done\r\n");
      assertThat(h.toClient()).isEqualTo("* STATUS Outbox (MESSAGES 3 UNSEEN 0)\r\nc1 OK done\r\n");
    }

    @Test
    void copyMoveRenameAppend() {
      imap(SENT);
      h.selected("INBOX", 3);
      h.client("d1 UID COPY 1:3 Outbox\r\n");
      h.client("d2 MOVE 2 \"Outbox/2024\"\r\n");
      h.client("d3 RENAME Outbox/old Outbox/older\r\n");
      h.client("d4 APPEND Outbox (\\Seen) {3+}\r\nabc\r\n");
      h.client("d5 UID MOVE 4 {6+}\r\nOutbox\r\n");
      assertThat(h.toServer())
          .isEqualTo(
              "d1 UID COPY 1:3 Sent\r\n"
                  + "d2 MOVE 2 \"Sent/2024\"\r\n"
                  + "d3 RENAME Sent/old Sent/older\r\n"
                  + "d4 APPEND Sent (\\Seen) {3+}\r\nabc\r\n"
                  + "d5 UID MOVE 4 {4+}\r\nSent\r\n");
    }

    @Test
    void firstLineOfACommandWithASynchronizingLiteral() {
      imap(SENT);
      h.client("e1 APPEND Outbox (\\Seen) {3}\r\n");
      assertThat(h.toServer()).isEqualTo("e1 APPEND Sent (\\Seen) {3}\r\n");
      h.server("+ go ahead\r\n").client("abc\r\n");
      assertThat(h.toServer()).isEqualTo("abc\r\n");
      // A name sent as a synchronizing literal is not seen (the frame cannot be held).
      h.server("e1 OK done\r\n")
          .client("e2 SELECT {6}\r\n")
          .server("+ go\r\n")
          .client("Outbox\r\n");
      assertThat(h.toServer()).isEqualTo("e2 SELECT {6}\r\nOutbox\r\n");
    }

    @Test
    void aNameThatNeedsQuoting() {
      imap(
          """
          {"id": "ren", "action": {"type": "rename-mailbox", "upstream": "Sent",
                                   "client": "Sent Messages"}}""");
      h.client("a1 SELECT \"Sent Messages\"\r\n");
      assertThat(h.toServer()).isEqualTo("a1 SELECT \"Sent\"\r\n");
      h.server("* LIST () \"/\" Sent\r\n* LIST () \"/\" Sent/a\"b\r\n");
      assertThat(h.toClient())
          .isEqualTo(
              "* LIST () \"/\" \"Sent Messages\"\r\n* LIST () \"/\" \"Sent Messages/a\\\"b\"\r\n");
    }

    @Test
    void inboxIsCaseInsensitive() {
      imap(
          """
          {"id": "ren", "action": {"type": "rename-mailbox", "upstream": "INBOX",
                                   "client": "Posteingang"}}""");
      h.server("* LIST () \"/\" inbox\r\n");
      assertThat(h.toClient()).isEqualTo("* LIST () \"/\" Posteingang\r\n");
      h.client("a1 SELECT Posteingang\r\n");
      assertThat(h.toServer()).isEqualTo("a1 SELECT INBOX\r\n");
    }
  }

  @Nested
  class Delay {

    @Test
    void pausesBeforeTheFrame() {
      imap(
          """
          {"id": "slow", "when": {"response": "tagged"}, "action": {"type": "delay", "ms": 250}}""");
      h.client("a1 NOOP\r\n").server("* 3 EXISTS\r\na1 OK done\r\n");
      assertThat(h.steps()).containsExactly("pause:250ms", "send:a1 OK done\r\n");
      assertThat(h.toClient()).isEqualTo("* 3 EXISTS\r\na1 OK done\r\n");
    }

    @Test
    void randomWithinBounds() {
      imap(
          """
          {"id": "slow", "when": {"direction": "client"},
           "action": {"type": "delay", "minMs": 10, "maxMs": 20}}""");
      for (int i = 0; i < 20; i++) {
        h.client("a" + i + " NOOP\r\n");
        List<String> steps = h.steps();
        assertThat(steps).hasSize(2);
        int ms = Integer.parseInt(steps.get(0).replaceAll("[^0-9]", ""));
        assertThat(ms).isBetween(10, 20);
      }
    }

    @Test
    void twoDelaysAddUp() {
      imap(
          """
          {"id": "a", "action": {"type": "delay", "ms": 100}}""",
          """
          {"id": "b", "action": {"type": "delay", "ms": 50}}""");
      h.server("* OK ready\r\n");
      assertThat(h.steps()).containsExactly("pause:150ms", "send:* OK ready\r\n");
      assertThat(h.hits()).containsExactly("a/delay", "b/delay");
    }
  }

  @Nested
  class Split {

    @Test
    void tricklesEveryPartOfTheFrame() {
      imap(
          """
          {"id": "drip", "when": {"response": "FETCH"},
           "action": {"type": "split", "chunk": 4, "pauseMs": 10}}""");
      h.server("* 1 FETCH (BODY[] {5}\r\nhello)\r\n");
      assertThat(h.steps())
          .containsExactly(
              "trickle 4/10ms:* 1 FETCH (BODY[] {5}\r\n",
              "trickle 4/10ms:hello", "trickle 4/10ms:)\r\n");
      assertThat(h.toClient()).isEqualTo("* 1 FETCH (BODY[] {5}\r\nhello)\r\n");
    }
  }

  @Nested
  class Bye {

    @Test
    void imapInsteadOfTheFrame() {
      imap(
          """
          {"id": "bye", "when": {"command": "LOGIN", "response": "tagged"},
           "action": {"type": "bye", "text": "maintenance"}}""");
      h.server("* OK ready\r\n").client("a1 LOGIN bob pw\r\n").drain();
      h.server("a1 OK Logged in\r\n");
      assertThat(h.steps()).containsExactly("end:a rule ended the session|* BYE maintenance\r\n");
      assertThat(h.toClient()).isEqualTo("* BYE maintenance\r\n");
      assertThat(h.endedBecause()).isEqualTo("a rule ended the session");
    }

    @Test
    void imapAfterForwardingTheFrame() {
      imap(
          """
          {"id": "bye", "when": {"command": "LOGIN", "response": "tagged"},
           "action": {"type": "bye", "forwardFirst": true}}""");
      h.server("* OK ready\r\n").client("a1 LOGIN bob pw\r\n").drain();
      h.server("a1 OK Logged in\r\n");
      assertThat(h.toClient())
          .isEqualTo("a1 OK Logged in\r\n* BYE quirkproxy: closed by a rule\r\n");
      assertThat(h.steps()).hasSize(2).last().asString().startsWith("end:");
    }

    @Test
    void pop3OnACommand() {
      pop3(
          """
          {"id": "bye", "when": {"command": "RETR"}, "action": {"type": "bye", "text": "no mail"}}""");
      h.loggedIn();
      h.client("RETR 1\r\n");
      assertThat(h.toServer()).isEmpty();
      assertThat(h.toClient()).isEqualTo("-ERR no mail\r\n");
    }

    @Test
    void pop3ForwardsTheCommandFirst() {
      pop3(
          """
          {"id": "bye", "when": {"command": "DELE"},
           "action": {"type": "bye", "text": "bye", "forwardFirst": true}}""");
      h.loggedIn();
      h.client("DELE 1\r\n");
      assertThat(h.toServer()).isEqualTo("DELE 1\r\n");
      assertThat(h.toClient()).isEqualTo("-ERR bye\r\n");
      assertThat(h.pop3().pendingCount()).isEqualTo(1);
    }

    @Test
    void stopsLaterRules() {
      imap(
          """
          {"id": "bye", "priority": 5, "action": {"type": "bye"}}""",
          """
          {"id": "later", "action": {"type": "inject", "after": ["* OK later"]}}""");
      h.server("* OK ready\r\n");
      assertThat(h.hits()).containsExactly("bye/bye");
      assertThat(h.toClient()).isEqualTo("* BYE quirkproxy: closed by a rule\r\n");
    }
  }

  @Nested
  class ResponseCode {

    @Test
    void insertsIntoAnImapStatus() {
      imap(
          """
          {"id": "rc", "when": {"response": {"status": "NO"}},
           "action": {"type": "response-code", "code": "TRYCREATE"}}""");
      h.client("a1 APPEND Nope {1+}\r\nx\r\n").server("a1 NO no such mailbox\r\n");
      assertThat(h.toClient()).isEqualTo("a1 NO [TRYCREATE] no such mailbox\r\n");
    }

    @Test
    void replacesAnImapCodeAndText() {
      imap(
          """
          {"id": "rc", "when": {"code": "NONEXISTENT"},
           "action": {"type": "response-code", "code": "TRYCREATE", "text": "try {tag}"}}""");
      h.client("a2 SELECT Nope\r\n").server("a2 NO [NONEXISTENT] Mailbox doesn't exist\r\n");
      assertThat(h.toClient()).isEqualTo("a2 NO [TRYCREATE] try a2\r\n");
    }

    @Test
    void untaggedImapStatus() {
      imap(
          """
          {"id": "rc", "when": {"response": "untagged"},
           "action": {"type": "response-code", "code": "ALERT"}}""");
      h.server("* OK Dovecot ready\r\n* 4 EXISTS\r\n");
      assertThat(h.toClient()).isEqualTo("* OK [ALERT] Dovecot ready\r\n* 4 EXISTS\r\n");
      assertThat(h.hits()).containsExactly("rc/response-code");
    }

    @Test
    void insertsIntoAPop3Err() {
      pop3(
          """
          {"id": "rc", "when": {"command": "PASS", "response": {"status": "ERR"}},
           "action": {"type": "response-code", "code": "AUTH"}}""");
      h.server("+OK ready\r\n")
          .client("USER bob\r\n")
          .server("+OK\r\n")
          .client("PASS x\r\n")
          .drain();
      h.server("-ERR invalid password\r\n");
      assertThat(h.toClient()).isEqualTo("-ERR [AUTH] invalid password\r\n");
    }

    @Test
    void replacesAPop3Code() {
      pop3(
          """
          {"id": "rc", "when": {"code": "IN-USE"},
           "action": {"type": "response-code", "code": "SYS/TEMP", "text": "busy"}}""");
      h.server("+OK ready\r\n")
          .client("USER bob\r\n")
          .server("+OK\r\n")
          .client("PASS x\r\n")
          .drain();
      h.server("-ERR [IN-USE] mailbox locked\r\n");
      assertThat(h.toClient()).isEqualTo("-ERR [SYS/TEMP] busy\r\n");
    }

    @Test
    void pop3BodyKeepsItsLines() {
      pop3(
          """
          {"id": "rc", "when": {"command": "UIDL"},
           "action": {"type": "response-code", "code": "X"}}""");
      h.loggedIn();
      h.client("UIDL\r\n").server("+OK list\r\n1 aaa\r\n.\r\n");
      assertThat(h.toClient()).isEqualTo("+OK [X] list\r\n1 aaa\r\n.\r\n");
    }

    @Test
    void notADataResponse() {
      imap(
          """
          {"id": "rc", "action": {"type": "response-code", "code": "ALERT"}}""");
      h.server("* 3 EXISTS\r\n");
      h.client("a1 NOOP\r\n");
      assertThat(h.toClient()).isEqualTo("* 3 EXISTS\r\n");
      assertThat(h.toServer()).isEqualTo("a1 NOOP\r\n");
      assertThat(h.hits()).isEmpty();
    }
  }

  @Nested
  class Duplicate {

    @Test
    void sendsALineSeveralTimes() {
      imap(
          """
          {"id": "dup", "when": {"response": "EXISTS"}, "action": {"type": "duplicate", "times": 3}}""");
      h.server("* 3 EXISTS\r\n");
      assertThat(h.toClient()).isEqualTo("* 3 EXISTS\r\n* 3 EXISTS\r\n* 3 EXISTS\r\n");
    }

    @Test
    void sendsAHeldFrameTwiceInOrder() {
      imap(
          """
          {"id": "dup", "when": {"response": "FETCH"}, "action": {"type": "duplicate"}}""");
      String fetch = "* 1 FETCH (UID 4 BODY[] {5}\r\nhello)\r\n";
      h.server(fetch);
      assertThat(h.toClient()).isEqualTo(fetch + fetch);
    }

    @Test
    void aCommandTwice() {
      imap(
          """
          {"id": "dup", "when": {"command": "NOOP"}, "action": {"type": "duplicate"}}""");
      h.client("a1 NOOP\r\n");
      assertThat(h.toServer()).isEqualTo("a1 NOOP\r\na1 NOOP\r\n");
    }
  }

  @Nested
  class InjectExpunge {

    @Test
    void lastFirstAndANumber() {
      imap(
          """
          {"id": "last", "when": {"command": "NOOP", "response": "tagged"},
           "action": {"type": "inject-expunge"}}""",
          """
          {"id": "first", "when": {"command": "CHECK", "response": "tagged"},
           "action": {"type": "inject-expunge", "seq": "first"}}""",
          """
          {"id": "two", "when": {"command": "STATUS", "response": "tagged"},
           "action": {"type": "inject-expunge", "seq": 2}}""");
      h.selected("INBOX", 4);
      h.client("a1 NOOP\r\n").server("a1 OK done\r\n");
      assertThat(h.toClient()).isEqualTo("a1 OK done\r\n* 4 EXPUNGE\r\n");
      h.client("a2 CHECK\r\n").server("a2 OK done\r\n");
      assertThat(h.toClient()).isEqualTo("a2 OK done\r\n* 1 EXPUNGE\r\n");
      h.client("a3 STATUS Sent (MESSAGES)\r\n").server("a3 OK done\r\n");
      assertThat(h.toClient()).isEqualTo("a3 OK done\r\n* 2 EXPUNGE\r\n");
    }

    @Test
    void nothingWithoutASelectedMailbox() {
      imap(
          """
          {"id": "last", "when": {"response": "tagged"}, "action": {"type": "inject-expunge"}}""");
      h.client("a1 NOOP\r\n").server("a1 OK done\r\n");
      assertThat(h.toClient()).isEqualTo("a1 OK done\r\n");
      assertThat(h.hits()).isEmpty();
    }
  }

  @Nested
  class InjectExists {

    @Test
    void fromTheTrackedCount() {
      imap(
          """
          {"id": "more", "when": {"command": "NOOP", "response": "tagged"},
           "action": {"type": "inject-exists", "add": 2}}""",
          """
          {"id": "fixed", "when": {"command": "CHECK", "response": "tagged"},
           "action": {"type": "inject-exists", "count": 10}}""",
          """
          {"id": "same", "when": {"response": "EXPUNGE"},
           "action": {"type": "inject-exists", "add": 0}}""");
      h.selected("INBOX", 4);
      h.client("a1 NOOP\r\n").server("a1 OK done\r\n");
      assertThat(h.toClient()).isEqualTo("a1 OK done\r\n* 6 EXISTS\r\n");
      // The tracker has counted the EXPUNGE before the rule reads it.
      h.server("* 2 EXPUNGE\r\n");
      assertThat(h.toClient()).isEqualTo("* 2 EXPUNGE\r\n* 3 EXISTS\r\n");
      assertThat(h.imap().mailbox().exists()).isEqualTo(3);
      h.client("a2 CHECK\r\n").server("a2 OK done\r\n");
      assertThat(h.toClient()).isEqualTo("a2 OK done\r\n* 10 EXISTS\r\n");
    }

    @Test
    void fillsExistsAndMailboxInInjectedText() {
      imap(
          """
          {"id": "say", "when": {"command": "NOOP", "response": "tagged"},
           "action": {"type": "inject", "before": ["* OK [ALERT] {mailbox} has {exists}"]}}""");
      h.selected("Archive", 12);
      h.client("a1 NOOP\r\n").server("a1 OK done\r\n");
      assertThat(h.toClient()).isEqualTo("* OK [ALERT] Archive has 12\r\na1 OK done\r\n");
    }
  }
}
