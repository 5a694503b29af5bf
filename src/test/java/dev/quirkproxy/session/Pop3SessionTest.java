package dev.quirkproxy.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.codec.pop3.Pop3FramingContext;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The POP3 tracker (RFC 1939 §3–§6, RFC 2449, RFC 5034). */
class Pop3SessionTest {

  private final Pop3Session s =
      new Pop3Session(new InetSocketAddress("192.0.2.1", 40000), Limits.defaults());
  private final Pop3FramingContext framing = s.serverFraming();

  private void client(String text) {
    WirePart p =
        WirePart.line(
            Unpooled.copiedBuffer(text + "\r\n", StandardCharsets.ISO_8859_1), true, true, null);
    try {
      s.clientSent(p);
    } finally {
      p.release();
    }
  }

  /** The server's status line; returns whether a body follows. */
  private boolean server(String line) {
    return framing.statusLine(line);
  }

  private void login() {
    assertThat(server("+OK ready")).isFalse();
    client("USER bob");
    assertThat(server("+OK")).isFalse();
    client("PASS secret");
    assertThat(server("+OK maildrop has 2 messages")).isFalse();
  }

  @Test
  void startsInAuthorization() {
    assertThat(s.state()).isEqualTo(Pop3State.AUTHORIZATION);
    assertThat(s.authenticated()).isFalse();
    assertThat(s.ending()).isFalse();
    assertThat(s.protocol()).isEqualTo(Protocol.POP3);
    assertThat(s.pendingCount()).isZero();
    assertThat(s.maxClientLine()).isEqualTo(Limits.DEFAULT_MAX_LINE);
    assertThat(framing.maxLineLength()).isEqualTo(Limits.DEFAULT_MAX_SERVER_LINE);
  }

  @Test
  void passOkEntersTransaction() {
    login();
    assertThat(s.state()).isEqualTo(Pop3State.TRANSACTION);
    assertThat(s.authenticated()).isTrue();
    assertThat(s.pendingCount()).isZero();
  }

  @Test
  void passErrStaysInAuthorization() {
    server("+OK ready");
    client("USER bob");
    server("+OK");
    client("PASS wrong");
    server("-ERR [AUTH] invalid");
    assertThat(s.state()).isEqualTo(Pop3State.AUTHORIZATION);
  }

  @Test
  void apopOkEntersTransaction() {
    server("+OK ready <1896.697170952@dbc.mmm.com>");
    client("APOP mrose c4c9334bac560ecc979e58001b3e22fb");
    server("+OK");
    assertThat(s.state()).isEqualTo(Pop3State.TRANSACTION);
  }

  @Test
  void quitAfterLoginEntersUpdate() {
    login();
    client("QUIT");
    assertThat(s.ending()).isTrue();
    assertThat(s.state()).isEqualTo(Pop3State.TRANSACTION);
    server("+OK bye");
    assertThat(s.state()).isEqualTo(Pop3State.UPDATE);
    assertThat(s.authenticated()).isTrue();
  }

  @Test
  void quitBeforeLoginEnds() {
    server("+OK ready");
    client("QUIT");
    server("+OK bye");
    assertThat(s.state()).isEqualTo(Pop3State.AUTHORIZATION);
    assertThat(s.ending()).isTrue();
  }

  @Test
  void authWithSaslExchange() {
    server("+OK ready");
    client("AUTH PLAIN");
    assertThat(server("+ ")).isFalse();
    assertThat(s.pendingCount()).isEqualTo(1);
    client("AGJvYgBzZWNyZXQ=");
    assertThat(s.pendingCount()).isEqualTo(1);
    assertThat(server("+OK Logged in")).isFalse();
    assertThat(s.state()).isEqualTo(Pop3State.TRANSACTION);
    assertThat(s.pendingCount()).isZero();
    client("STAT");
    assertThat(s.pendingCount()).isEqualTo(1);
  }

  @Test
  void authFailureStaysInAuthorization() {
    server("+OK ready");
    client("AUTH PLAIN");
    server("+ ");
    client("*");
    server("-ERR cancelled");
    assertThat(s.state()).isEqualTo(Pop3State.AUTHORIZATION);
    assertThat(s.pendingCount()).isZero();
  }

  @Test
  void continuationOutsideAuthIsIgnored() {
    server("+OK ready");
    client("NOOP");
    assertThat(server("+ what")).isFalse();
    assertThat(s.pendingCount()).isEqualTo(1);
    client("STAT");
    assertThat(s.pendingCount()).isEqualTo(2);
  }

  @ParameterizedTest
  @CsvSource({
    "RETR 1, true",
    "TOP 1 10, true",
    "CAPA, true",
    "LIST, true",
    "UIDL, true",
    "AUTH, true",
    "list, true",
    "LIST 1, false",
    "UIDL 1, false",
    "STAT, false",
    "DELE 1, false",
    "NOOP, false",
    "RSET, false",
    "USER bob, false",
    "AUTH PLAIN, false",
  })
  void multiLineDecidedByTheCommand(String command, boolean multiLine) {
    login();
    client(command);
    assertThat(server("+OK")).isEqualTo(multiLine);
  }

  @Test
  void errNeverOpensABody() {
    login();
    client("RETR 9");
    assertThat(server("-ERR no such message")).isFalse();
    assertThat(s.pendingCount()).isZero();
  }

  @Test
  void okWithNothingPendingIsOneLine() {
    login();
    assertThat(server("+OK unsolicited")).isFalse();
  }

  @Test
  void describeClientLineNeverRevealsArguments() {
    assertThat(s.describeClientLine("PASS secret")).isEqualTo("PASS");
    assertThat(s.describeClientLine("user bob")).isEqualTo("USER");
    assertThat(s.describeClientLine("APOP mrose c4c9334bac560ecc979e58001b3e22fb"))
        .isEqualTo("APOP");
    assertThat(s.describeClientLine("AUTH PLAIN AGJvYgBzZWNyZXQ=")).isEqualTo("AUTH");
    assertThat(s.describeClientLine("")).isEqualTo("(empty line)");
    assertThat(s.describeClientLine("   ")).isEqualTo("(empty line)");
    server("+OK ready");
    client("AUTH LOGIN");
    server("+ VXNlcm5hbWU6");
    assertThat(s.describeClientLine("Ym9i")).isEqualTo("(SASL response)");
  }
}
