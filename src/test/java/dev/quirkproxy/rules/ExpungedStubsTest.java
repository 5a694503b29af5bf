package dev.quirkproxy.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code expunged-stubs}: stub FETCH data for messages the upstream no longer has, and EXPUNGEs
 * held back while RFC 9051 §7.5.1 forbids them, with sequence numbers translated meanwhile.
 */
class ExpungedStubsTest {

  private static final String RULE =
      """
      {"id": "stubs", "action": {"type": "expunged-stubs"}}""";

  private RuleHarness h;

  @AfterEach
  void close() {
    if (h != null) {
      h.close();
    }
  }

  private RuleHarness selectedWithUids() {
    h = RuleHarness.imap(RuleHarness.file(RULE)).selected("INBOX", 4);
    h.client("f0 FETCH 1:4 (UID FLAGS)\r\n");
    h.server("* 1 FETCH (UID 10 FLAGS (\\Seen))\r\n");
    h.server("* 2 FETCH (UID 20 FLAGS ())\r\n");
    h.server("* 3 FETCH (UID 30 FLAGS (\\Flagged))\r\n");
    h.server("* 4 FETCH (UID 40 FLAGS ())\r\n");
    h.server("f0 OK done\r\n");
    return h.drain();
  }

  @Test
  void aFetchTheUpstreamRefusesIsAnsweredWithStubs() {
    selectedWithUids();
    h.client("a1 FETCH 2:3 (UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE BODY.PEEK[])\r\n");
    h.server("* 3 FETCH (UID 30 FLAGS (\\Flagged) RFC822.SIZE 3)\r\n");
    h.server("a1 NO [EXPUNGEISSUED] Some messages were expunged\r\n");
    assertThat(h.toClient())
        .isEqualTo(
            "* 3 FETCH (UID 30 FLAGS (\\Flagged) RFC822.SIZE 3)\r\n"
                + "* 2 FETCH (UID 20 FLAGS () ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)"
                + " RFC822.SIZE 0 INTERNALDATE \"01-Jan-1970 00:00:00 +0000\" BODY[] NIL)\r\n"
                + "a1 OK FETCH completed (quirkproxy: stubs for expunged messages)\r\n");
  }

  @Test
  void aUidFetchAnsweredOkWithExpungeIssuedGetsStubsForWhatWasLeftOut() {
    selectedWithUids();
    h.client("a1 UID FETCH 10:40 (FLAGS)\r\n");
    h.server("* 1 FETCH (UID 10 FLAGS (\\Seen))\r\n");
    h.server("* 4 FETCH (UID 40 FLAGS ())\r\n");
    h.server("a1 OK [EXPUNGEISSUED] Some messages were already expunged\r\n");
    assertThat(h.toClient())
        .contains("* 2 FETCH (UID 20 FLAGS ())\r\n")
        .contains("* 3 FETCH (UID 30 FLAGS (\\Flagged))\r\n")
        .endsWith("a1 OK UID FETCH completed (quirkproxy: stubs for expunged messages)\r\n");
  }

  @Test
  void anAnswerThatLeavesNothingOutIsUntouched() {
    selectedWithUids();
    h.client("a1 FETCH 1 (FLAGS)\r\n");
    h.server("* 1 FETCH (FLAGS (\\Seen))\r\n");
    h.server("a1 OK Fetch completed\r\n");
    assertThat(h.toClient()).isEqualTo("* 1 FETCH (FLAGS (\\Seen))\r\na1 OK Fetch completed\r\n");
    assertThat(h.hits()).isEmpty();
  }

  @Test
  void anExpungeDuringFetchIsHeldBackAndTranslatedUntilAnAllowedPoint() {
    selectedWithUids();
    // A server that breaks RFC 9051 7.5.1: EXPUNGE while answering FETCH.
    h.client("a1 FETCH 1 (FLAGS)\r\n");
    h.server("* 2 EXPUNGE\r\n");
    h.server("* 1 FETCH (FLAGS (\\Seen))\r\n");
    h.server("a1 OK done\r\n");
    assertThat(h.toClient()).isEqualTo("* 1 FETCH (FLAGS (\\Seen))\r\na1 OK done\r\n");
    assertThat(h.toServer()).isEqualTo("a1 FETCH 1 (FLAGS)\r\n");
    // The client still numbers 4 messages: its 3 is the upstream's 2.
    h.client("a2 FETCH 3:4 (FLAGS)\r\n");
    assertThat(h.toServer()).isEqualTo("a2 FETCH 2:3 (FLAGS)\r\n");
    h.server("* 2 FETCH (FLAGS (\\Flagged))\r\n");
    h.server("* 3 FETCH (FLAGS ())\r\n");
    h.server("* 4 EXISTS\r\n");
    h.server("a2 OK done\r\n");
    assertThat(h.toClient())
        .isEqualTo(
            "* 3 FETCH (FLAGS (\\Flagged))\r\n* 4 FETCH (FLAGS ())\r\n* 5 EXISTS\r\na2 OK done\r\n");
    // Its 2 exists only for the client: the proxy answers with a stub.
    h.client("a3 FETCH 2 (UID FLAGS)\r\n");
    assertThat(h.toServer()).isEmpty();
    assertThat(h.toClient())
        .isEqualTo(
            "* 2 FETCH (UID 20 FLAGS ())\r\n"
                + "a3 OK FETCH completed (quirkproxy: expunged messages)\r\n");
    // NOOP allows EXPUNGE: the client is told now, and the views agree again.
    h.client("a4 NOOP\r\n");
    assertThat(h.toServer()).isEqualTo("a4 NOOP\r\n");
    h.server("a4 OK NOOP completed\r\n");
    assertThat(h.toClient()).isEqualTo("* 2 EXPUNGE\r\na4 OK NOOP completed\r\n");
    h.client("a5 FETCH 2 (FLAGS)\r\n");
    assertThat(h.toServer()).isEqualTo("a5 FETCH 2 (FLAGS)\r\n");
  }

  @Test
  void anExpungeWhereItIsAllowedGoesThroughAfterTheHeldOnes() {
    selectedWithUids();
    h.client("a1 STORE 1 +FLAGS (\\Seen)\r\n");
    h.server("* 4 EXPUNGE\r\n");
    h.server("a1 OK done\r\n");
    assertThat(h.toClient()).isEqualTo("a1 OK done\r\n");
    h.client("a2 UID FETCH 10 (FLAGS)\r\n");
    h.server("* 1 EXPUNGE\r\n");
    assertThat(h.toClient()).isEqualTo("* 4 EXPUNGE\r\n* 1 EXPUNGE\r\n");
  }
}
