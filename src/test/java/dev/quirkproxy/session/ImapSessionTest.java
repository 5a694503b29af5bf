package dev.quirkproxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.codec.Literal;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.session.ImapSession.SyncLiteral;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The IMAP tracker (RFC 9051 §3 states, §5.5 tags, §6.2.2 SASL, RFC 2177 IDLE). */
class ImapSessionTest {

  private final ImapSession s =
      new ImapSession(new InetSocketAddress("192.0.2.1", 40000), Limits.defaults());

  /** The client's one-line command or continuation line, as its framer emits it. */
  private void client(String text) {
    client(text, true);
  }

  private void client(String text, boolean frameStart) {
    Literal literal = Literal.atEndOf(text);
    WirePart p =
        WirePart.line(
            Unpooled.copiedBuffer(text + "\r\n", StandardCharsets.ISO_8859_1),
            frameStart,
            literal == null,
            literal);
    try {
      s.clientSent(p);
    } finally {
      p.release();
    }
  }

  private void server(String text) {
    WirePart p =
        WirePart.line(
            Unpooled.copiedBuffer(text + "\r\n", StandardCharsets.ISO_8859_1), true, true, null);
    try {
      s.serverSent(p);
    } finally {
      p.release();
    }
  }

  private void login() {
    server("* OK IMAP4rev1 ready");
    client("a1 LOGIN bob secret");
    server("a1 OK LOGIN completed");
  }

  @Test
  void startsNotAuthenticated() {
    assertThat(s.state()).isEqualTo(ImapState.NOT_AUTHENTICATED);
    assertThat(s.authenticated()).isFalse();
    assertThat(s.ending()).isFalse();
    assertThat(s.protocol()).isEqualTo(Protocol.IMAP);
    assertThat(s.id()).matches("s\\d{6}");
    assertThat(s.selectedMailbox()).isNull();
    assertThat(s.pending()).isEmpty();
    assertThat(s.syncLiteral()).isEqualTo(SyncLiteral.NONE);
  }

  @Test
  void loginOkAuthenticates() {
    login();
    assertThat(s.state()).isEqualTo(ImapState.AUTHENTICATED);
    assertThat(s.authenticated()).isTrue();
    assertThat(s.pending()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"NO [AUTHENTICATIONFAILED] bad", "BAD syntax"})
  void loginRefusedStaysNotAuthenticated(String answer) {
    server("* OK ready");
    client("a1 LOGIN bob wrong");
    server("a1 " + answer);
    assertThat(s.state()).isEqualTo(ImapState.NOT_AUTHENTICATED);
    assertThat(s.pending()).isEmpty();
  }

  @Test
  void selectOkSelectsTheMailbox() {
    login();
    client("a2 SELECT INBOX");
    assertThat(s.state()).isEqualTo(ImapState.AUTHENTICATED);
    server("* 3 EXISTS");
    server("a2 OK [READ-WRITE] SELECT completed");
    assertThat(s.state()).isEqualTo(ImapState.SELECTED);
    assertThat(s.selectedMailbox()).isEqualTo("INBOX");
    assertThat(s.authenticated()).isTrue();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "a2 SELECT \"Sent Items\"|Sent Items",
        "a2 select Drafts (CONDSTORE)|Drafts",
        "a2 EXAMINE \"Archive/2024\"|Archive/2024",
        "a2 SELECT &AMk-t&AOk-|Été",
      })
  void mailboxNames(String command, String mailbox) {
    login();
    client(command);
    server("a2 OK done");
    assertThat(s.state()).isEqualTo(ImapState.SELECTED);
    assertThat(s.selectedMailbox()).isEqualTo(mailbox);
  }

  @Test
  void selectNoWhileSelectedLeavesNoMailboxSelected() {
    login();
    client("a2 SELECT INBOX");
    server("a2 OK done");
    client("a3 SELECT Nonexistent");
    server("a3 NO [NONEXISTENT] Unknown Mailbox");
    assertThat(s.state()).isEqualTo(ImapState.AUTHENTICATED);
    assertThat(s.selectedMailbox()).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"CLOSE", "UNSELECT"})
  void closeAndUnselectReturnToAuthenticated(String command) {
    login();
    client("a2 SELECT INBOX");
    server("a2 OK done");
    client("a3 " + command);
    server("a3 OK done");
    assertThat(s.state()).isEqualTo(ImapState.AUTHENTICATED);
    assertThat(s.selectedMailbox()).isNull();
  }

  @Test
  void failedCloseKeepsTheMailbox() {
    login();
    client("a2 SELECT INBOX");
    server("a2 OK done");
    client("a3 CLOSE");
    server("a3 BAD not now");
    assertThat(s.state()).isEqualTo(ImapState.SELECTED);
  }

  @Test
  void logout() {
    login();
    client("a9 LOGOUT");
    assertThat(s.ending()).isFalse();
    server("* BYE IMAP4rev1 Server logging out");
    assertThat(s.state()).isEqualTo(ImapState.LOGOUT);
    assertThat(s.ending()).isTrue();
    assertThat(s.authenticated()).isFalse();
    server("a9 OK LOGOUT completed");
    assertThat(s.state()).isEqualTo(ImapState.LOGOUT);
    assertThat(s.pending()).isEmpty();
  }

  @Test
  void taggedLogoutWithoutByeStillEnds() {
    login();
    client("a9 LOGOUT");
    server("a9 OK LOGOUT completed");
    assertThat(s.state()).isEqualTo(ImapState.LOGOUT);
  }

  @Test
  void unsolicitedByeEnds() {
    login();
    server("* BYE Autologout; idle for too long");
    assertThat(s.state()).isEqualTo(ImapState.LOGOUT);
    assertThat(s.ending()).isTrue();
  }

  @Test
  void byeGreetingEnds() {
    server("* BYE too many connections");
    assertThat(s.state()).isEqualTo(ImapState.LOGOUT);
  }

  @Test
  void preauthGreeting() {
    server("* PREAUTH IMAP4rev1 server logged in as Smith");
    assertThat(s.state()).isEqualTo(ImapState.AUTHENTICATED);
    assertThat(s.maxClientLiteral()).isEqualTo(Limits.DEFAULT_MAX_LITERAL);
  }

  @Test
  void preauthLaterIsNotAGreeting() {
    server("* OK ready");
    server("* PREAUTH sneaky");
    assertThat(s.state()).isEqualTo(ImapState.NOT_AUTHENTICATED);
    assertThat(s.maxClientLiteral()).isEqualTo(Limits.DEFAULT_MAX_LITERAL_BEFORE_AUTH);
  }

  @Test
  void pendingTableKeepsOrderAndRemovesOnTaggedResponse() {
    login();
    client("b1 NOOP");
    client("b2 UID FETCH 1:* FLAGS");
    client("b3 STATUS INBOX (MESSAGES)");
    assertThat(s.pending().keySet()).containsExactly("b1", "b2", "b3");
    PendingCommand b2 = s.pending().get("b2");
    assertThat(b2.tag()).isEqualTo("b2");
    assertThat(b2.uid()).isTrue();
    assertThat(b2.name()).isEqualTo("FETCH");
    assertThat(b2.sentNanos()).isPositive().isLessThanOrEqualTo(System.nanoTime());
    server("* 1 FETCH (FLAGS (\\Seen))");
    server("b2 OK done");
    assertThat(s.pending().keySet()).containsExactly("b1", "b3");
    server("zz OK unknown tag is ignored");
    assertThat(s.pending().keySet()).containsExactly("b1", "b3");
    server("b3 NO no");
    server("b1 BAD bad");
    assertThat(s.pending()).isEmpty();
  }

  @Test
  void continuationLinesAreNotCommands() {
    login();
    client("a2 APPEND INBOX {3}");
    assertThat(s.syncLiteral()).isEqualTo(SyncLiteral.PENDING);
    server("+ go");
    assertThat(s.syncLiteral()).isEqualTo(SyncLiteral.ACCEPTED);
    // The line after the literal is part of a2, even when it looks like a command.
    client("a3 NOOP", false);
    assertThat(s.pending().keySet()).containsExactly("a2");
  }

  @Test
  void refusedLiteralIsForgottenWithItsCommand() {
    client("a1 LOGIN {5}");
    assertThat(s.pending()).containsOnlyKeys("a1");
    server("a1 NO too big");
    assertThat(s.syncLiteral()).isEqualTo(SyncLiteral.REFUSED);
    assertThat(s.clientFraming().literalRefused()).isTrue();
    assertThat(s.pending()).isEmpty();
  }

  @Test
  void taggedAnswerToAnotherCommandDoesNotRefuseThePendingLiteral() {
    client("a1 NOOP");
    client("a2 LOGIN {5}");
    server("a1 OK NOOP completed");
    assertThat(s.syncLiteral()).isEqualTo(SyncLiteral.PENDING);
    assertThat(s.clientFraming().literalRefused()).isFalse();
  }

  @Test
  void proxyRefusal() {
    client("a1 NOOP");
    s.refuseSyncLiteral();
    assertThat(s.syncLiteral()).isEqualTo(SyncLiteral.REFUSED);
    assertThat(s.clientFraming().literalRefused()).isTrue();
    assertThat(s.serverFraming().literalRefused()).isFalse();
  }

  @Test
  void framingLimitsByState() {
    Limits l = Limits.defaults();
    assertThat(s.clientFraming().maxLineLength()).isEqualTo(l.maxLineLength());
    assertThat(s.clientFraming().maxLiteralSize()).isEqualTo(l.maxLiteralSizeBeforeAuth());
    assertThat(s.serverFraming().maxLineLength()).isEqualTo(l.maxServerLineLength());
    assertThat(s.serverFraming().maxLiteralSize()).isEqualTo(l.maxServerLiteralSize());
    login();
    assertThat(s.clientFraming().maxLiteralSize()).isEqualTo(l.maxLiteralSize());
    assertThat(s.maxClientLiteral()).isEqualTo(l.maxLiteralSize());
    assertThat(s.serverFraming().maxLiteralSize()).isEqualTo(l.maxServerLiteralSize());
  }

  @Test
  void authenticateWithInitialResponse() {
    server("* OK ready");
    client("a1 AUTHENTICATE PLAIN AGJvYgBzZWNyZXQ=");
    server("a1 OK Logged in");
    assertThat(s.state()).isEqualTo(ImapState.AUTHENTICATED);
    // With no exchange open, "+" lines are not SASL any more.
    client("a2 IDLE");
    server("+ idling");
    assertThat(s.idling()).isTrue();
  }

  @Test
  void idleIsOnlyRecognisedWhenTheServerAccepts() {
    login();
    client("a2 IDLE");
    server("a2 NO not now");
    assertThat(s.idling()).isFalse();
    assertThat(s.pending()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "a LOGIN user secret|a LOGIN",
        "a1 login \"bob\" \"s3cr3t p4ss\"|a1 LOGIN",
        "a2 UID FETCH 1:* (BODY[])|a2 UID FETCH",
        "a3 AUTHENTICATE PLAIN AGJvYgBzZWNyZXQ=|a3 AUTHENTICATE",
        "a4 LOGIN {4}|a4 LOGIN",
        "a5 SELECT \"Private/Letters to Alice\"|a5 SELECT",
        "DONE|DONE",
        "done|DONE",
        "garbage|(unparsed line)",
        "secret-token-without-space|(unparsed line)",
        "a6 UID|(unparsed line)",
      })
  void describeClientLineNeverRevealsArguments(String line, String described) {
    assertThat(s.describeClientLine(line))
        .isEqualTo(described)
        .doesNotContain("secret")
        .doesNotContain("s3cr3t")
        .doesNotContain("AGJv")
        .doesNotContain("Letters")
        .doesNotContain("1:*");
  }

  @Test
  void describeEmptyLine() {
    assertThat(s.describeClientLine("")).isEqualTo("(empty line)");
  }

  @Test
  void describeSaslResponse() {
    client("a1 AUTHENTICATE LOGIN");
    assertThat(s.describeClientLine("a1 AUTHENTICATE LOGIN")).isEqualTo("a1 AUTHENTICATE");
    server("+ VXNlcm5hbWU6");
    assertThat(s.describeClientLine("Ym9i")).isEqualTo("(SASL response)");
    client("Ym9i");
    assertThat(s.describeClientLine("a2 NOOP")).isEqualTo("a2 NOOP");
    server("+ UGFzc3dvcmQ6");
    assertThat(s.describeClientLine("c2VjcmV0 x")).isEqualTo("(SASL response)");
  }
}
