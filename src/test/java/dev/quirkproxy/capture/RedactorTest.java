package dev.quirkproxy.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.codec.Literal;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.Limits;
import dev.quirkproxy.session.Pop3Session;
import dev.quirkproxy.session.Session;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What the recorder writes instead of credentials, line by line as the relay sees them. */
class RedactorTest {

  private final ImapSession imap =
      new ImapSession(new InetSocketAddress("127.0.0.1", 1), Limits.defaults());
  private final Pop3Session pop3 =
      new Pop3Session(new InetSocketAddress("127.0.0.1", 1), Limits.defaults());
  private final Redactor redactor = new Redactor(false);

  private static WirePart line(String text, boolean start, boolean end) {
    return WirePart.line(
        Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1),
        start,
        end,
        Literal.atEndOf(text.strip()));
  }

  /** Redacts, then lets the session see the part as the relay would, and releases it. */
  private String run(Session session, WirePart part) {
    try {
      String r = redactor.redact(session, part);
      session.clientSent(part);
      return r;
    } finally {
      part.release();
    }
  }

  private void server(Session session, String text) {
    if (session instanceof Pop3Session p3) {
      // POP3 status lines reach the tracker through the framer, as in the relay.
      p3.serverFraming().statusLine(text);
      return;
    }
    WirePart p = line(text, true, true);
    try {
      session.serverSent(p);
    } finally {
      p.release();
    }
  }

  @Test
  void loginPasswordAsAtomOrQuotedString() {
    assertThat(run(imap, line("a1 LOGIN alice s3cret\r\n", true, true)))
        .isEqualTo("a1 LOGIN alice [REDACTED]\r\n");
    assertThat(run(imap, line("a2 login \"alice\" \"s3 \\\"cr\\\"et\"\r\n", true, true)))
        .isEqualTo("a2 login \"alice\" \"[REDACTED]\"\r\n");
  }

  @Test
  void loginPasswordAsLiteralKeepsAConsistentSize() {
    assertThat(run(imap, line("a1 LOGIN {5}\r\n", true, false))).isNull();
    server(imap, "+ go");
    WirePart user =
        WirePart.literalChunk(Unpooled.copiedBuffer("alice", StandardCharsets.US_ASCII));
    assertThat(run(imap, user)).isNull();
    assertThat(run(imap, line(" {6}\r\n", false, false))).isEqualTo(" {10}\r\n");
    server(imap, "+ go");
    assertThat(
            run(
                imap,
                WirePart.literalChunk(Unpooled.copiedBuffer("s3c", StandardCharsets.US_ASCII))))
        .isEqualTo("[REDACTED]");
    assertThat(
            run(
                imap,
                WirePart.literalChunk(Unpooled.copiedBuffer("ret", StandardCharsets.US_ASCII))))
        .isEmpty();
    assertThat(run(imap, line("\r\n", false, true))).isNull();
    assertThat(run(imap, line("a2 NOOP\r\n", true, true))).isNull();
  }

  @Test
  void userNamesOnlyWhenAsked() {
    Redactor users = new Redactor(true);
    WirePart p = line("a1 LOGIN alice s3cret\r\n", true, true);
    try {
      assertThat(users.redact(imap, p)).isEqualTo("a1 LOGIN [REDACTED] [REDACTED]\r\n");
    } finally {
      p.release();
    }
  }

  @Test
  void authenticateInitialResponseAndEverySaslLine() {
    assertThat(run(imap, line("a1 AUTHENTICATE PLAIN AGFsaWNlAHMzY3JldA==\r\n", true, true)))
        .isEqualTo("a1 AUTHENTICATE PLAIN [REDACTED]\r\n");
    server(imap, "a1 NO bad");
    assertThat(run(imap, line("a2 AUTHENTICATE CRAM-MD5\r\n", true, true))).isNull();
    server(imap, "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+");
    assertThat(run(imap, line("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n", true, true)))
        .isEqualTo("[REDACTED]\r\n");
    server(imap, "a2 OK done");
    assertThat(run(imap, line("a3 AUTHENTICATE PLAIN =\r\n", true, true))).isNull();
  }

  @Test
  void cancelledSaslExchangeKeepsTheStar() {
    run(imap, line("a1 AUTHENTICATE LOGIN\r\n", true, true));
    server(imap, "+ VXNlcm5hbWU6");
    assertThat(run(imap, line("*\r\n", true, true))).isNull();
  }

  @Test
  void pop3Credentials() {
    server(pop3, "+OK ready");
    assertThat(run(pop3, line("USER alice\r\n", true, true))).isNull();
    server(pop3, "+OK");
    assertThat(run(pop3, line("PASS s3cret word\r\n", true, true)))
        .isEqualTo("PASS [REDACTED]\r\n");
    assertThat(run(pop3, line("APOP alice c4c9334bac560ecc979e58001b3e22fb\r\n", true, true)))
        .isEqualTo("APOP alice [REDACTED]\r\n");
    assertThat(run(pop3, line("AUTH PLAIN AGFsaWNlAHMzY3JldA==\r\n", true, true)))
        .isEqualTo("AUTH PLAIN [REDACTED]\r\n");
  }

  @Test
  void pop3SaslLines() {
    server(pop3, "+OK ready");
    assertThat(run(pop3, line("AUTH LOGIN\r\n", true, true))).isNull();
    server(pop3, "+ VXNlcm5hbWU6");
    assertThat(run(pop3, line("YWxpY2U=\r\n", true, true))).isEqualTo("[REDACTED]\r\n");
    server(pop3, "+ UGFzc3dvcmQ6");
    assertThat(run(pop3, line("czNjcmV0\r\n", true, true))).isEqualTo("[REDACTED]\r\n");
  }
}
