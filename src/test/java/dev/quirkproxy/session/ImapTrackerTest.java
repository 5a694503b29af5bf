package dev.quirkproxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.codec.Literal;
import dev.quirkproxy.codec.WirePart;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the passive tracker learns from the traffic: capabilities before and after login, ENABLE,
 * the selected mailbox's UIDVALIDITY, counts, flags and the sequence number ↔ UID map across
 * EXPUNGE, VANISHED and EXISTS.
 */
class ImapTrackerTest {

  private final ImapSession s =
      new ImapSession(new InetSocketAddress("192.0.2.1", 40000), Limits.defaults());

  private void client(String text) {
    line(text, true, true, true);
  }

  private void server(String text) {
    line(text, false, true, true);
  }

  private void line(String text, boolean fromClient, boolean start, boolean endUnlessLiteral) {
    Literal literal = Literal.atEndOf(text);
    WirePart p =
        WirePart.line(
            Unpooled.copiedBuffer(text + "\r\n", StandardCharsets.ISO_8859_1),
            start,
            endUnlessLiteral && literal == null,
            literal);
    feed(p, fromClient);
  }

  private void literal(String octets, boolean fromClient) {
    feed(
        WirePart.literalChunk(Unpooled.copiedBuffer(octets, StandardCharsets.ISO_8859_1)),
        fromClient);
  }

  private void feed(WirePart p, boolean fromClient) {
    try {
      if (fromClient) {
        s.clientSent(p);
      } else {
        s.serverSent(p);
      }
    } finally {
      p.release();
    }
  }

  private void selectInbox(int exists) {
    server("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready");
    client("a1 LOGIN bob secret");
    server("a1 OK [CAPABILITY IMAP4rev1 IDLE UIDPLUS CONDSTORE QRESYNC ENABLE] Logged in");
    client("a2 SELECT INBOX");
    server("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)");
    server("* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Flags permitted.");
    server("* " + exists + " EXISTS");
    server("* 0 RECENT");
    server("* OK [UIDVALIDITY 1700000000] UIDs valid");
    server("* OK [UIDNEXT " + (exists + 1) + "] Predicted next UID");
    server("a2 OK [READ-WRITE] Select completed");
  }

  @Test
  void capabilitiesBeforeAndAfterLogin() {
    server("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready");
    assertThat(s.capabilitiesBeforeAuth())
        .containsExactly("IMAP4rev1", "STARTTLS", "LOGINDISABLED");
    assertThat(s.capabilitiesAfterAuth()).isNull();
    assertThat(s.hasCapability("starttls")).isTrue();
    client("a0 STARTTLS");
    server("a0 OK Begin TLS");
    s.clientTlsStarted();
    assertThat(s.capabilitiesBeforeAuth()).isNull();
    client("a1 CAPABILITY");
    server("* CAPABILITY IMAP4rev1 AUTH=PLAIN");
    server("a1 OK done");
    assertThat(s.capabilities()).containsExactly("IMAP4rev1", "AUTH=PLAIN");
    client("a2 LOGIN bob secret");
    server("a2 OK [CAPABILITY IMAP4rev1 IDLE MOVE] Logged in");
    assertThat(s.capabilitiesBeforeAuth()).containsExactly("IMAP4rev1", "AUTH=PLAIN");
    assertThat(s.capabilitiesAfterAuth()).containsExactly("IMAP4rev1", "IDLE", "MOVE");
    assertThat(s.hasCapability("MOVE")).isTrue();
    assertThat(s.hasCapability("AUTH=PLAIN")).isFalse();
  }

  @Test
  void anUntaggedCapabilityWhileLoginIsAnsweredCountsAfterASuccessfulLogin() {
    server("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready");
    client("a1 LOGIN bob secret");
    server("* CAPABILITY IMAP4rev1 IDLE MOVE");
    server("a1 OK Logged in");
    assertThat(s.capabilitiesBeforeAuth()).containsExactly("IMAP4rev1", "AUTH=PLAIN");
    assertThat(s.capabilitiesAfterAuth()).containsExactly("IMAP4rev1", "IDLE", "MOVE");
  }

  @Test
  void aFailedLoginKeepsNoCapabilitiesFromItsAnswer() {
    server("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready");
    client("a1 LOGIN bob wrong");
    server("* CAPABILITY IMAP4rev1 IDLE MOVE");
    server("a1 NO [AUTHENTICATIONFAILED] no");
    assertThat(s.capabilitiesBeforeAuth()).containsExactly("IMAP4rev1", "AUTH=PLAIN");
    assertThat(s.capabilitiesAfterAuth()).isNull();
  }

  @Test
  void untaggedCapabilityAfterLoginCountsAsAfter() {
    server("* PREAUTH [CAPABILITY IMAP4rev1 IDLE] welcome back");
    assertThat(s.capabilitiesAfterAuth()).containsExactly("IMAP4rev1", "IDLE");
    client("a1 CAPABILITY");
    server("* CAPABILITY IMAP4rev1 IDLE ENABLE");
    assertThat(s.capabilitiesAfterAuth()).containsExactly("IMAP4rev1", "IDLE", "ENABLE");
    assertThat(s.capabilitiesBeforeAuth()).isNull();
  }

  @Test
  void enabledIsWhatTheServerConfirmed() {
    selectInbox(0);
    client("a3 ENABLE QRESYNC UTF8=ACCEPT X-UNKNOWN");
    server("* ENABLED QRESYNC utf8=accept");
    server("a3 OK Enabled");
    assertThat(s.enabled()).containsExactly("QRESYNC", "UTF8=ACCEPT");
  }

  @Test
  void selectRecordsTheMailboxFacts() {
    selectInbox(3);
    MailboxView m = s.mailbox();
    assertThat(m.name()).isEqualTo("INBOX");
    assertThat(m.uidValidity()).isEqualTo(1700000000L);
    assertThat(m.uidNext()).isEqualTo(4);
    assertThat(m.exists()).isEqualTo(3);
    assertThat(m.readOnly()).isFalse();
    assertThat(m.flags()).contains("\\Seen", "\\Draft");
    assertThat(m.permanentFlags()).containsExactly("\\Deleted", "\\Seen", "\\*");
    assertThat(m.uid(1)).isZero();
  }

  @Test
  void examineIsReadOnly() {
    server("* OK ready");
    client("a1 LOGIN bob secret");
    server("a1 OK done");
    client("a2 EXAMINE Archive");
    server("* 2 EXISTS");
    server("a2 OK [READ-ONLY] done");
    assertThat(s.mailbox().readOnly()).isTrue();
    assertThat(s.mailbox().examined()).isTrue();
    assertThat(s.mailbox().exists()).isEqualTo(2);
  }

  @Test
  void aMailboxNameSentAsALiteralIsReadWhole() {
    server("* OK ready");
    client("a1 LOGIN bob secret");
    server("a1 OK done");
    line("a2 SELECT {11+}", true, true, true);
    literal("&AMk-t&AOk-", true);
    line("", true, false, true);
    server("a2 OK done");
    assertThat(s.mailbox().name()).isEqualTo("&AMk-t&AOk-");
    assertThat(s.selectedMailbox()).isEqualTo("\u00c9t\u00e9");
  }

  @Test
  void fetchTeachesUidsAndFlags() {
    selectInbox(4);
    client("a3 FETCH 1:4 (UID FLAGS)");
    server("* 1 FETCH (UID 10 FLAGS (\\Seen))");
    server("* 2 FETCH (FLAGS () UID 11)");
    server("* 4 FETCH (UID 40 FLAGS (\\Seen \\Flagged))");
    server("a3 OK done");
    MailboxView m = s.mailbox();
    assertThat(m.uidMap()).containsExactly(10, 11, 0, 40);
    assertThat(m.flags(1)).containsExactly("\\Seen");
    assertThat(m.flags(2)).isEmpty();
    assertThat(m.flags(3)).isNull();
    assertThat(m.seq(40)).isEqualTo(4);
    assertThat(m.seq(11)).isEqualTo(2);
    assertThat(m.seq(12)).isZero();
  }

  @Test
  void aFetchWithALargeLiteralIsTrackedWithoutCopyingIt() {
    selectInbox(1);
    client("a3 UID FETCH 7 (BODY.PEEK[])");
    int size = 100_000;
    line("* 1 FETCH (UID 7 BODY[] {" + size + "}", false, true, true);
    literal("x".repeat(size), false);
    line(" FLAGS (\\Seen))", false, false, true);
    server("a3 OK done");
    assertThat(s.mailbox().uid(1)).isEqualTo(7);
    assertThat(s.mailbox().flags(1)).containsExactly("\\Seen");
    assertThat(s.unparsedFrames()).isZero();
  }

  @Test
  void expungeRenumbers() {
    selectInbox(5);
    client("a3 UID SEARCH ALL");
    server("* SEARCH 3 5 8 9 12");
    server("a3 OK done");
    assertThat(s.mailbox().uidMap()).containsExactly(3, 5, 8, 9, 12);
    server("* 2 EXPUNGE");
    server("* 2 EXPUNGE");
    assertThat(s.mailbox().uidMap()).containsExactly(3, 9, 12);
    assertThat(s.mailbox().exists()).isEqualTo(3);
    server("* 4 EXISTS");
    server("* 4 FETCH (UID 13 FLAGS ())");
    assertThat(s.mailbox().uidMap()).containsExactly(3, 9, 12, 13);
  }

  @Test
  void searchThatIsNotAllTeachesNothing() {
    selectInbox(3);
    client("a3 UID SEARCH UNSEEN");
    server("* SEARCH 5 8 9");
    server("a3 OK done");
    client("a4 SEARCH ALL");
    server("* SEARCH 1 2 3");
    server("a4 OK done");
    assertThat(s.mailbox().knownUids()).isZero();
  }

  @Test
  void esearchAllFillsTheMap() {
    selectInbox(5);
    client("a3 UID SEARCH RETURN (ALL) ALL");
    server("* ESEARCH (TAG \"a3\") UID ALL 2:4,9,20");
    server("a3 OK done");
    assertThat(s.mailbox().uidMap()).containsExactly(2, 3, 4, 9, 20);
  }

  @Test
  void vanishedRemovesKnownAndUnknownMessages() {
    selectInbox(6);
    client("a3 ENABLE QRESYNC");
    server("* ENABLED QRESYNC");
    server("a3 OK done");
    client("a4 FETCH 1,2,5,6 (UID)");
    server("* 1 FETCH (UID 10)");
    server("* 2 FETCH (UID 20)");
    server("* 5 FETCH (UID 50)");
    server("* 6 FETCH (UID 60)");
    server("a4 OK done");
    // UIDs 30 and 31 (seq 3, 4) were never seen; 20 was.
    server("* VANISHED 20,30:31");
    MailboxView m = s.mailbox();
    assertThat(m.exists()).isEqualTo(3);
    assertThat(m.uidMap()).containsExactly(10, 50, 60);
    server("* VANISHED (EARLIER) 1:9");
    assertThat(m.exists()).isEqualTo(3);
  }

  @Test
  void vanishedOfAnUnknownUidAtTheEndShrinksOnlyTheCount() {
    selectInbox(4);
    client("a3 FETCH 1 (UID)");
    server("* 1 FETCH (UID 10)");
    server("a3 OK done");
    server("* VANISHED 77");
    assertThat(s.mailbox().exists()).isEqualTo(3);
    assertThat(s.mailbox().uidMap()).containsExactly(10);
  }

  @Test
  void anotherUidValidityForgetsTheUids() {
    selectInbox(2);
    client("a3 FETCH 1:2 (UID)");
    server("* 1 FETCH (UID 1)");
    server("* 2 FETCH (UID 2)");
    server("a3 OK done");
    server("* OK [UIDVALIDITY 42] mailbox was recreated");
    assertThat(s.mailbox().knownUids()).isZero();
    assertThat(s.mailbox().uidValidity()).isEqualTo(42);
  }

  @Test
  void reselectingStartsAFreshView() {
    selectInbox(2);
    client("a3 FETCH 1 (UID)");
    server("* 1 FETCH (UID 1)");
    server("a3 OK done");
    client("a4 SELECT Archive");
    server("* 9 EXISTS");
    server("a4 OK [READ-WRITE] done");
    assertThat(s.mailbox().name()).isEqualTo("Archive");
    assertThat(s.mailbox().exists()).isEqualTo(9);
    assertThat(s.mailbox().knownUids()).isZero();
    client("a5 CLOSE");
    server("a5 OK done");
    assertThat(s.mailbox()).isNull();
  }

  @Test
  void malformedResponsesAreCountedNotFatal() {
    selectInbox(2);
    server("* 1 FETCH (UID");
    server("* CAPABILITY (((");
    server("* OK [UIDNEXT x] odd");
    assertThat(s.unparsedFrames()).isGreaterThanOrEqualTo(1);
    assertThat(s.mailbox().exists()).isEqualTo(2);
    server("* 2 FETCH (UID 9)");
    assertThat(s.mailbox().uid(2)).isEqualTo(9);
  }

  @Test
  void flagSetsAreShared() {
    selectInbox(3);
    server("* 1 FETCH (UID 1 FLAGS (\\Seen))");
    server("* 2 FETCH (UID 2 FLAGS (\\Seen))");
    assertThat(s.mailbox().flags(1)).isSameAs(s.mailbox().flags(2));
    assertThat(s.mailbox().flags(1)).isEqualTo(List.of("\\Seen"));
  }
}
