package dev.quirkproxy.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.testing.LineClient;
import dev.quirkproxy.testing.TestTls;
import dev.quirkproxy.tls.CertificateAuthority;
import dev.quirkproxy.tls.TlsContexts;
import io.netty.handler.ssl.SslContext;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code replay server --client-tls starttls}: the replay offers STARTTLS/STLS, answers it itself,
 * starts TLS on the connection, and then plays the recorded answers over TLS. A STARTTLS in the
 * capture (answered by the recording proxy, or by the server) does not disturb matching.
 */
class ReplayStartTlsTest {

  @TempDir Path dir;

  private SslContext serverTls;
  private SSLContext clientTls;

  @BeforeEach
  void ca() throws Exception {
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir.resolve("ca"));
    serverTls = TlsContexts.server(ca.issue(List.of()), false, null);
    clientTls = TestTls.clientTrusting(ca.certificate());
  }

  /**
   * As the recording proxy writes it: the client's STARTTLS is there, no answer from the server.
   */
  private static final String[] IMAP_VIA_TLS_PROXY = {
    "S: * OK [CAPABILITY IMAP4rev1 IDLE] ready",
    "C: a0 CAPABILITY",
    "S: * CAPABILITY IMAP4rev1 IDLE",
    "S: a0 OK done",
    "C: a1 STARTTLS",
    "C: a2 CAPABILITY",
    "S: * CAPABILITY IMAP4rev1 IDLE",
    "S: a2 OK [CAPABILITY IMAP4rev1 IDLE] done",
    "C: a3 LOGIN bob \"[REDACTED]\"",
    "S: a3 OK logged in",
    "C: a4 SELECT INBOX",
    "S: * 2 EXISTS",
    "S: a4 OK [READ-WRITE] selected",
    "C: a5 LOGOUT",
    "S: * BYE bye",
    "S: a5 OK logged out"
  };

  private ReplayServer server(String protocol, boolean startTls, String... script) {
    return new ReplayServer(
        List.of(Script.recording(dir, protocol, script)),
        ReplayOptions.defaults(),
        startTls ? serverTls : null,
        startTls);
  }

  @Test
  void imapStartTlsThenRecordedAnswersOverTls() throws Exception {
    try (ReplayServer replay = server("imap", true, IMAP_VIA_TLS_PROXY)) {
      int port = replay.start("127.0.0.1", 0).getPort();
      try (LineClient c = new LineClient(port)) {
        assertThat(c.readLine()).isEqualTo("* OK [CAPABILITY IMAP4rev1 IDLE STARTTLS] ready");
        c.send("x0 CAPABILITY\r\n");
        assertThat(c.readLine()).isEqualTo("* CAPABILITY IMAP4rev1 IDLE STARTTLS");
        assertThat(c.readLine()).isEqualTo("x0 OK done");
        c.send("x1 STARTTLS\r\n");
        assertThat(c.readLine()).isEqualTo("x1 OK Begin TLS negotiation now");
        c.startTls(clientTls);
        c.send("x2 CAPABILITY\r\n");
        assertThat(c.readLine()).isEqualTo("* CAPABILITY IMAP4rev1 IDLE");
        assertThat(c.readLine()).isEqualTo("x2 OK [CAPABILITY IMAP4rev1 IDLE] done");
        c.send("x3 LOGIN bob secret\r\n");
        assertThat(c.readLine()).isEqualTo("x3 OK logged in");
        c.send("x4 SELECT INBOX\r\n");
        assertThat(c.readLine()).isEqualTo("* 2 EXISTS");
        assertThat(c.readLine()).isEqualTo("x4 OK [READ-WRITE] selected");
        c.send("x5 STARTTLS\r\n");
        assertThat(c.readLine())
            .isEqualTo("x5 BAD quirkproxy replay: STARTTLS is not available inside TLS");
        c.send("x6 LOGOUT\r\n");
        assertThat(c.readLine()).isEqualTo("* BYE bye");
        assertThat(c.readLine()).isEqualTo("x6 OK logged out");
      }
      assertThat(replay.misses()).isZero();
      assertThat(replay.answered()).isEqualTo(5);
    }
  }

  @Test
  void aRecordedStartTlsAnswerIsLeftOutAndOfferedStartTlsKept() throws Exception {
    try (ReplayServer replay =
        server(
            "imap",
            true,
            "S: * OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready",
            "C: a1 STARTTLS",
            "S: a1 OK Begin TLS negotiation now",
            "C: a2 LOGIN bob \"[REDACTED]\"",
            "S: a2 OK [CAPABILITY IMAP4rev1 IDLE] logged in")) {
      int port = replay.start("127.0.0.1", 0).getPort();
      try (LineClient c = new LineClient(port)) {
        assertThat(c.readLine())
            .as("STARTTLS already offered: the list is left as recorded")
            .isEqualTo("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready");
        c.send("t1 STARTTLS\r\n");
        assertThat(c.readLine()).isEqualTo("t1 OK Begin TLS negotiation now");
        c.startTls(clientTls);
        c.send("t2 LOGIN bob pw\r\n");
        assertThat(c.readLine()).isEqualTo("t2 OK [CAPABILITY IMAP4rev1 IDLE] logged in");
      }
      assertThat(replay.misses()).isZero();
    }
  }

  @Test
  void bytesPipelinedBehindStartTlsAreDiscarded() throws Exception {
    try (ReplayServer replay = server("imap", true, IMAP_VIA_TLS_PROXY)) {
      int port = replay.start("127.0.0.1", 0).getPort();
      try (LineClient c = new LineClient(port)) {
        c.readLine();
        c.send("x1 STARTTLS\r\nx2 SELECT INBOX\r\n");
        assertThat(c.readLine()).isEqualTo("x1 OK Begin TLS negotiation now");
        c.startTls(clientTls);
        c.send("x3 LOGIN bob pw\r\n");
        assertThat(c.readLine()).as("no answer to the plain x2").isEqualTo("x3 OK logged in");
      }
      assertThat(replay.answered()).isEqualTo(1);
    }
  }

  @Test
  void withoutStartTlsModeStartTlsIsRefused() throws Exception {
    try (ReplayServer replay = server("imap", false, IMAP_VIA_TLS_PROXY)) {
      int port = replay.start("127.0.0.1", 0).getPort();
      try (LineClient c = new LineClient(port)) {
        assertThat(c.readLine()).isEqualTo("* OK [CAPABILITY IMAP4rev1 IDLE] ready");
        c.send("x1 STARTTLS\r\n");
        assertThat(c.readLine())
            .isEqualTo("x1 BAD quirkproxy replay: STARTTLS is not available on this listener");
        c.send("x2 CAPABILITY\r\n");
        assertThat(c.readLine()).isEqualTo("* CAPABILITY IMAP4rev1 IDLE");
        assertThat(c.readLine()).isEqualTo("x2 OK done");
      }
      assertThat(replay.misses()).isZero();
    }
  }

  @Test
  void pop3StlsThenRecordedAnswersOverTls() throws Exception {
    try (ReplayServer replay =
        server(
            "pop3",
            true,
            "S: +OK POP3 ready",
            "C: CAPA",
            "SB: +OK capabilities",
            "B: TOP\r\nUSER\r\nUIDL\r\n.\r\n",
            "C: STLS",
            "S: +OK Begin TLS negotiation",
            "C: CAPA",
            "SB: +OK capabilities",
            "B: TOP\r\nUSER\r\nUIDL\r\n.\r\n",
            "C: USER bob",
            "S: +OK bob",
            "C: PASS [REDACTED]",
            "S: +OK logged in",
            "C: STAT",
            "S: +OK 2 320",
            "C: QUIT",
            "S: +OK bye")) {
      int port = replay.start("127.0.0.1", 0).getPort();
      try (LineClient c = new LineClient(port)) {
        assertThat(c.readLine()).isEqualTo("+OK POP3 ready");
        c.send("CAPA\r\n");
        assertThat(multiline(c))
            .containsExactly("+OK capabilities", "TOP", "USER", "UIDL", "STLS", ".");
        c.send("STLS\r\n");
        assertThat(c.readLine()).isEqualTo("+OK Begin TLS negotiation");
        c.startTls(clientTls);
        c.send("CAPA\r\n");
        assertThat(multiline(c)).containsExactly("+OK capabilities", "TOP", "USER", "UIDL", ".");
        c.send("USER bob\r\n");
        assertThat(c.readLine()).isEqualTo("+OK bob");
        c.send("PASS pw\r\n");
        assertThat(c.readLine()).isEqualTo("+OK logged in");
        c.send("STAT\r\n");
        assertThat(c.readLine()).isEqualTo("+OK 2 320");
        c.send("STLS\r\n");
        assertThat(c.readLine())
            .isEqualTo("-ERR quirkproxy replay: STLS is not available inside TLS");
        c.send("QUIT\r\n");
        assertThat(c.readLine()).isEqualTo("+OK bye");
      }
      assertThat(replay.misses()).isZero();
    }
  }

  private static List<String> multiline(LineClient c) throws java.io.IOException {
    List<String> lines = new java.util.ArrayList<>();
    for (String l = c.readLine(); l != null; l = c.readLine()) {
      lines.add(l);
      if (l.equals(".")) {
        break;
      }
    }
    return lines;
  }

  @Test
  void capaEditLeavesOtherAnswersAlone() {
    assertThat(ReplaySession.editCapa("-ERR no\r\n", true)).isEqualTo("-ERR no\r\n");
    assertThat(ReplaySession.editCapa("+OK\r\nSTLS\r\nTOP\r\n.\r\n", true))
        .isEqualTo("+OK\r\nSTLS\r\nTOP\r\n.\r\n");
    assertThat(ReplaySession.editCapa("+OK\r\nSTLS\r\nTOP\r\n.\r\n", false))
        .isEqualTo("+OK\r\nTOP\r\n.\r\n");
  }
}
