package dev.quirkproxy.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.codec.Literal;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.Limits;
import dev.quirkproxy.session.Pop3Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Conversations with the translator: what the POP3 client says, which IMAP commands go upstream,
 * what the IMAP server answers, what the client is told.
 */
class Pop3OverImapTest {

  private final ImapSession imap =
      new ImapSession(new InetSocketAddress("127.0.0.1", 1), Limits.defaults());
  private final Pop3Session pop3 =
      new Pop3Session(new InetSocketAddress("127.0.0.1", 1), Limits.defaults());
  private final List<String> client = new ArrayList<>();
  private final List<String> upstream = new ArrayList<>();
  private String lastWords;
  private boolean ended;

  private final Pop3OverImap.Port port =
      new Pop3OverImap.Port() {
        @Override
        public void status(String line) {
          client.add(line + "\r\n");
        }

        @Override
        public void body(ByteBuf bytes) {
          client.add(bytes.toString(StandardCharsets.ISO_8859_1));
          bytes.release();
        }

        @Override
        public void command(ByteBuf line) {
          upstream.add(line.toString(StandardCharsets.UTF_8).replace("\r\n", ""));
          WirePart part = WirePart.line(line, true, true, null);
          imap.clientSent(part);
          part.release();
        }

        @Override
        public void end(String words, String reason) {
          ended = true;
          lastWords = words;
        }

        @Override
        public void idle() {}
      };

  private Pop3OverImap translator(Pop3Translation options) {
    return new Pop3OverImap(options, imap, pop3, ByteBufAllocator.DEFAULT, port);
  }

  private void server(Pop3OverImap t, String... lines) {
    for (String line : lines) {
      WirePart part =
          WirePart.line(
              Unpooled.copiedBuffer(line + "\r\n", StandardCharsets.ISO_8859_1), true, true, null);
      imap.serverSent(part);
      t.serverPart(part);
      part.release();
    }
  }

  /** An untagged response with one literal: head line (ending in {n}), octets, tail line. */
  private void serverLiteral(Pop3OverImap t, String head, String octets, String tail) {
    byte[] bytes = octets.getBytes(StandardCharsets.ISO_8859_1);
    WirePart h =
        WirePart.line(
            Unpooled.copiedBuffer(head + "\r\n", StandardCharsets.ISO_8859_1),
            true,
            false,
            new Literal(bytes.length, false, false));
    WirePart body = WirePart.literalChunk(Unpooled.wrappedBuffer(bytes));
    WirePart tl =
        WirePart.line(
            Unpooled.copiedBuffer(tail + "\r\n", StandardCharsets.ISO_8859_1), false, true, null);
    for (WirePart p : List.of(h, body, tl)) {
      imap.serverSent(p);
      t.serverPart(p);
      p.release();
    }
  }

  private String lastClient() {
    return client.get(client.size() - 1);
  }

  private String lastUpstream() {
    return upstream.get(upstream.size() - 1);
  }

  /** Greeting, USER/PASS, LOGIN, SELECT and the listing of two messages, UIDs 10 and 12. */
  private Pop3OverImap loggedIn(String capabilities) {
    Pop3OverImap t = translator(Pop3Translation.defaults());
    server(t, "* OK [CAPABILITY IMAP4rev1 LOGIN-REFERRALS] ready");
    assertThat(lastClient()).startsWith("+OK");
    t.clientLine("USER joe");
    assertThat(upstream).isEmpty();
    t.clientLine("PASS se\"cret");
    assertThat(lastUpstream()).isEqualTo("P1 LOGIN \"joe\" \"se\\\"cret\"");
    assertThat(t.busy()).isTrue();
    server(t, "P1 OK [CAPABILITY " + capabilities + "] Logged in");
    assertThat(lastUpstream()).isEqualTo("P2 SELECT \"INBOX\"");
    server(t, "* 2 EXISTS", "* OK [UIDVALIDITY 77] UIDs valid", "P2 OK [READ-WRITE] Select done");
    assertThat(lastUpstream()).isEqualTo("P3 UID FETCH 1:* (UID RFC822.SIZE)");
    server(
        t,
        "* 1 FETCH (UID 10 RFC822.SIZE 100)",
        "* 2 FETCH (RFC822.SIZE 50 UID 12)",
        "P3 OK Fetch done");
    assertThat(lastClient()).isEqualTo("+OK quirkproxy: maildrop has 2 messages (150 octets)\r\n");
    assertThat(t.busy()).isFalse();
    return t;
  }

  @Test
  void statListUidlFromTheSnapshot() {
    Pop3OverImap t = loggedIn("IMAP4rev1 UIDPLUS");
    t.clientLine("STAT");
    assertThat(lastClient()).isEqualTo("+OK 2 150\r\n");
    t.clientLine("LIST");
    assertThat(lastClient()).isEqualTo("1 100\r\n2 50\r\n.\r\n");
    t.clientLine("UIDL 2");
    assertThat(lastClient()).isEqualTo("+OK 2 77.12\r\n");
    t.clientLine("UIDL 3");
    assertThat(lastClient()).startsWith("-ERR");
    t.clientLine("LIST x");
    assertThat(lastClient()).startsWith("-ERR");
  }

  @Test
  void retrStreamsTheLiteralDotStuffed() {
    Pop3OverImap t = loggedIn("IMAP4rev1 UIDPLUS");
    t.clientLine("RETR 2");
    assertThat(lastUpstream()).isEqualTo("P4 UID FETCH 12 (BODY.PEEK[])");
    serverLiteral(t, "* 2 FETCH (UID 12 BODY[] {10}", ".a\r\nb\n.\r\n", ")");
    assertThat(t.midBody()).isTrue();
    server(t, "P4 OK Fetch done");
    assertThat(String.join("", client.subList(client.size() - 3, client.size())))
        .isEqualTo("+OK 50 octets\r\n..a\r\nb\r\n..\r\n.\r\n");
    assertThat(t.busy()).isFalse();
  }

  @Test
  void aMessageGoneFromTheServerIsAnErrNotAnEmptyBody() {
    Pop3OverImap t = loggedIn("IMAP4rev1");
    t.clientLine("RETR 1");
    server(t, "P4 OK Fetch done");
    assertThat(lastClient()).startsWith("-ERR").contains("no longer on the server");
  }

  @Test
  void topSendsTheHeaderAndTheFirstLinesOfTheText() {
    Pop3OverImap t = loggedIn("IMAP4rev1");
    t.clientLine("TOP 1 1");
    assertThat(lastUpstream()).isEqualTo("P4 UID FETCH 10 (BODY.PEEK[HEADER])");
    serverLiteral(t, "* 1 FETCH (UID 10 BODY[HEADER] {9}", "A: b\r\n\r\n", ")");
    server(t, "P4 OK done");
    assertThat(lastUpstream()).isEqualTo("P5 UID FETCH 10 (BODY.PEEK[TEXT]<0.65536>)");
    serverLiteral(t, "* 1 FETCH (UID 10 BODY[TEXT]<0> {12}", ".one\r\ntwo\r\n", ")");
    server(t, "P5 OK done");
    int from = client.indexOf("+OK quirkproxy: top of message follows\r\n");
    assertThat(String.join("", client.subList(from, client.size())))
        .isEqualTo("+OK quirkproxy: top of message follows\r\nA: b\r\n\r\n..one\r\n.\r\n");
  }

  @Test
  void aHeaderWithoutItsBlankLineGetsOneAndALiteralNeedNotFollowASpace() {
    Pop3OverImap t = loggedIn("IMAP4rev1");
    t.clientLine("TOP 1 5");
    serverLiteral(t, "* 1 FETCH (UID 10 BODY[HEADER] {6}", "A: b\r\n", ")");
    server(t, "P4 OK done");
    serverLiteral(t, "* 1 FETCH (UID 10 BODY[TEXT]<0>{4}", "text", ")");
    server(t, "P5 OK done");
    int from = client.indexOf("+OK quirkproxy: top of message follows\r\n");
    assertThat(String.join("", client.subList(from + 1, client.size())))
        .isEqualTo("A: b\r\n\r\ntext\r\n.\r\n");
  }

  @Test
  void deleQuitWithUidplusExpungesExactlyTheMarkedUids() {
    Pop3OverImap t = loggedIn("IMAP4rev1 UIDPLUS");
    t.clientLine("DELE 2");
    assertThat(lastClient()).startsWith("+OK");
    t.clientLine("DELE 2");
    assertThat(lastClient()).startsWith("-ERR").contains("already deleted");
    t.clientLine("QUIT");
    assertThat(lastUpstream()).isEqualTo("P4 UID STORE 12 +FLAGS.SILENT (\\Deleted)");
    server(t, "P4 OK Store done");
    assertThat(lastUpstream()).isEqualTo("P5 UID EXPUNGE 12");
    server(t, "* 2 EXPUNGE", "P5 OK Expunge done");
    assertThat(ended).isTrue();
    assertThat(lastWords).startsWith("+OK").contains("1 messages deleted");
    assertThat(lastUpstream()).isEqualTo("P6 LOGOUT");
  }

  @Test
  void withoutUidplusOtherDeletedMessagesAreUnflaggedAroundTheExpunge() {
    Pop3OverImap t = loggedIn("IMAP4rev1");
    t.clientLine("DELE 1");
    t.clientLine("QUIT");
    assertThat(lastUpstream()).isEqualTo("P4 UID SEARCH DELETED");
    server(t, "* SEARCH 10 11", "P4 OK Search done");
    assertThat(upstream.subList(4, upstream.size()))
        .containsExactly("P5 UID STORE 11 -FLAGS.SILENT (\\Deleted)");
    server(t, "P5 OK");
    assertThat(lastUpstream()).isEqualTo("P6 UID STORE 10 +FLAGS.SILENT (\\Deleted)");
    server(t, "P6 OK");
    assertThat(lastUpstream()).isEqualTo("P7 EXPUNGE");
    server(t, "* 1 EXPUNGE", "P7 OK");
    assertThat(lastUpstream()).isEqualTo("P8 UID STORE 11 +FLAGS.SILENT (\\Deleted)");
    server(t, "P8 OK");
    assertThat(lastWords).startsWith("+OK");
  }

  @Test
  void rsetAndAQuitWithoutDeletionsTouchNothing() {
    Pop3OverImap t = loggedIn("IMAP4rev1 UIDPLUS");
    t.clientLine("DELE 1");
    t.clientLine("RSET");
    assertThat(lastClient()).startsWith("+OK");
    int sent = upstream.size();
    t.clientLine("QUIT");
    assertThat(upstream.subList(sent, upstream.size())).containsExactly("P4 LOGOUT");
    assertThat(lastWords).startsWith("+OK").contains("no messages deleted");
  }

  @Test
  void aRefusedLoginIsAnAuthError() {
    Pop3OverImap t = translator(Pop3Translation.defaults());
    server(t, "* OK ready");
    t.clientLine("USER joe");
    t.clientLine("PASS nope");
    server(t, "P1 NO [AUTHENTICATIONFAILED] Authentication failed.");
    assertThat(lastClient())
        .isEqualTo(
            "-ERR [AUTH] quirkproxy: the upstream refused the login: [AUTHENTICATIONFAILED]"
                + " Authentication failed.\r\n");
    assertThat(t.busy()).isFalse();
    t.clientLine("USER joe");
    t.clientLine("PASS nope");
    server(t, "P2 NO [UNAVAILABLE] Try later");
    assertThat(lastClient()).startsWith("-ERR [SYS/TEMP] ");
  }

  @Test
  void authPlainWithANonAsciiPasswordGoesUpAsAuthenticatePlain() {
    Pop3OverImap t = translator(Pop3Translation.defaults());
    server(t, "* OK ready");
    t.clientLine("AUTH PLAIN");
    assertThat(lastClient()).isEqualTo("+ \r\n");
    String ir =
        Base64.getEncoder().encodeToString("\0joe\0pässwörd".getBytes(StandardCharsets.UTF_8));
    t.clientLine(ir);
    assertThat(lastUpstream()).isEqualTo("P1 AUTHENTICATE PLAIN");
    server(t, "+ ");
    assertThat(lastUpstream()).isEqualTo(ir);
    server(t, "P1 OK done");
    assertThat(lastUpstream()).startsWith("P2 ");
  }

  @Test
  void authLoginAsksForNameAndPassword() {
    Pop3OverImap t = translator(Pop3Translation.defaults());
    server(t, "* OK ready");
    t.clientLine("AUTH LOGIN");
    assertThat(lastClient()).isEqualTo("+ VXNlcm5hbWU6\r\n");
    t.clientLine(Base64.getEncoder().encodeToString("joe".getBytes(StandardCharsets.US_ASCII)));
    assertThat(lastClient()).isEqualTo("+ UGFzc3dvcmQ6\r\n");
    t.clientLine(Base64.getEncoder().encodeToString("pw".getBytes(StandardCharsets.US_ASCII)));
    assertThat(lastUpstream()).isEqualTo("P1 LOGIN \"joe\" \"pw\"");
  }

  @Test
  void apopAndUnknownMechanismsAreRefusedWithAReason() {
    Pop3OverImap t = translator(Pop3Translation.defaults());
    server(t, "* OK ready");
    t.clientLine("APOP joe 0123456789abcdef0123456789abcdef");
    assertThat(lastClient()).startsWith("-ERR").contains("APOP is not available");
    t.clientLine("AUTH CRAM-MD5");
    assertThat(lastClient()).startsWith("-ERR").contains("PLAIN or LOGIN");
    t.clientLine("AUTH PLAIN not-base64!");
    assertThat(lastClient()).startsWith("-ERR [AUTH]");
    t.clientLine("STAT");
    assertThat(lastClient()).startsWith("-ERR");
    assertThat(upstream).isEmpty();
  }

  @Test
  void aByeGreetingEndsTheSessionWithSysTemp() {
    Pop3OverImap t = translator(Pop3Translation.defaults());
    server(t, "* BYE too many connections");
    assertThat(ended).isTrue();
    assertThat(lastWords).startsWith("-ERR [SYS/TEMP] ").contains("too many connections");
  }

  @Test
  void markSeenFetchesBodyWithoutPeek() {
    Pop3OverImap t = translator(new Pop3Translation("Work", true, Pop3Translation.Order.UID));
    server(t, "* OK ready");
    t.clientLine("USER joe");
    t.clientLine("PASS pw");
    server(t, "P1 OK [CAPABILITY IMAP4rev1] in");
    assertThat(lastUpstream()).isEqualTo("P2 SELECT \"Work\"");
    server(t, "* OK [UIDVALIDITY 5] x", "P2 OK [READ-WRITE] done");
    server(t, "* 1 FETCH (UID 3 RFC822.SIZE 9)", "P3 OK done");
    t.clientLine("RETR 1");
    assertThat(lastUpstream()).isEqualTo("P4 UID FETCH 3 (BODY[])");
  }
}
