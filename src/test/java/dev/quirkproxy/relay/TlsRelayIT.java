package dev.quirkproxy.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.session.Limits;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.testing.LineClient;
import dev.quirkproxy.testing.MiniImap;
import dev.quirkproxy.testing.RelayFixture;
import dev.quirkproxy.testing.ScriptedServer;
import dev.quirkproxy.testing.TestTls;
import dev.quirkproxy.tls.CertificateAuthority;
import dev.quirkproxy.tls.KeyLog;
import dev.quirkproxy.tls.TlsContexts;
import dev.quirkproxy.tls.TlsMode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on both sides against scripted peers: STARTTLS/STLS handled by the proxy itself with
 * plain-text injection discarded on either side (the CVE-2011-0411 class), capability lists kept
 * honest, upstream verification failures refused clearly, broken handshakes closed cleanly, and the
 * key log written.
 */
class TlsRelayIT {

  @TempDir static Path dir;
  private static CertificateAuthority ca;
  private static SSLContext clientTrustingCa;
  private static SSLContext upstreamServer;

  private final RelayFixture fx = new RelayFixture();
  private final List<String> upstreamSaw = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void makeCa() throws Exception {
    ca = CertificateAuthority.loadOrCreate(dir.resolve("ca"));
    clientTrustingCa = TestTls.clientTrusting(ca.certificate());
    upstreamServer = TestTls.server(ca.issue(List.of()));
  }

  @AfterEach
  void closeAll() throws Exception {
    fx.close();
  }

  private Endpoint proxy(
      Protocol protocol, TlsMode clientTls, TlsMode upstreamTls, int upstreamPort, ProxyTls tls)
      throws InterruptedException {
    return fx.proxy(protocol, clientTls, upstreamTls, upstreamPort, Limits.defaults(), tls);
  }

  private static ProxyTls contexts(boolean insecure, KeyLog keyLog) throws Exception {
    return new ProxyTls(
        TlsContexts.server(ca.issue(List.of()), false, keyLog),
        TlsContexts.client(List.of(ca.certificateFile()), insecure, keyLog));
  }

  private LineClient client(Endpoint e) throws IOException {
    return fx.client(e);
  }

  private ScriptedServer server(ScriptedServer.Script script) throws IOException {
    return fx.server(script);
  }

  @Test
  void clientStartTlsIsTheProxysAndPipelinedCommandsAreDiscarded() throws Exception {
    ScriptedServer up =
        server(
            s ->
                MiniImap.serve(
                    s, "* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] hi", upstreamSaw));
    LineClient c =
        client(
            proxy(Protocol.IMAP, TlsMode.STARTTLS, TlsMode.NONE, up.port(), contexts(false, null)));
    assertThat(c.readLine()).isEqualTo("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi");
    c.send("a1 LOGIN user secret\r\n");
    assertThat(c.readLine()).startsWith("a1 NO [PRIVACYREQUIRED] quirkproxy:");
    c.send("a2 STARTTLS\r\na3 LOGIN evil injected\r\n");
    assertThat(c.readLine()).isEqualTo("a2 OK quirkproxy: begin TLS negotiation now");
    c.startTls(clientTrustingCa);
    c.send("a4 CAPABILITY\r\n");
    assertThat(c.readLine()).isEqualTo("* CAPABILITY IMAP4rev1 IDLE AUTH=PLAIN");
    assertThat(c.readLine()).isEqualTo("a4 OK done");
    c.send("a5 STARTTLS\r\n");
    assertThat(c.readLine()).isEqualTo("a5 BAD quirkproxy: STARTTLS is not available inside TLS");
    c.send("a6 NOOP\r\n");
    assertThat(c.readLine()).isEqualTo("a6 OK done");
    assertThat(upstreamSaw).containsExactly("a4 CAPABILITY", "a6 NOOP");
  }

  @Test
  void plainListenerHidesTheUpstreamsStartTlsAndNeverForwardsIt() throws Exception {
    ScriptedServer up =
        server(s -> MiniImap.serve(s, "* OK [CAPABILITY IMAP4rev1 STARTTLS] hi", upstreamSaw));
    LineClient c =
        client(proxy(Protocol.IMAP, TlsMode.NONE, TlsMode.NONE, up.port(), ProxyTls.NONE));
    assertThat(c.readLine()).isEqualTo("* OK [CAPABILITY IMAP4rev1] hi");
    c.send("a1 STARTTLS\r\n");
    assertThat(c.readLine())
        .isEqualTo("a1 BAD quirkproxy: STARTTLS is not available on this listener");
    assertThat(upstreamSaw).isEmpty();
  }

  @Test
  void pop3StlsIsTheProxysAndPipelinedCommandsAreDiscarded() throws Exception {
    ScriptedServer up =
        server(
            s -> {
              OutputStream out = s.getOutputStream();
              out.write("+OK ready\r\n".getBytes(StandardCharsets.US_ASCII));
              out.flush();
              BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
              String line;
              while ((line = in.readLine()) != null) {
                upstreamSaw.add(line);
                out.write(
                    (line.equals("CAPA") ? "+OK\r\nUSER\r\nSTLS\r\nUIDL\r\n.\r\n" : "+OK fine\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
              }
            });
    LineClient c =
        client(
            proxy(Protocol.POP3, TlsMode.STARTTLS, TlsMode.NONE, up.port(), contexts(false, null)));
    assertThat(c.readLine()).isEqualTo("+OK ready");
    c.send("CAPA\r\n");
    assertThat(List.of(c.readLine(), c.readLine(), c.readLine(), c.readLine()))
        .containsExactly("+OK", "UIDL", "STLS", ".");
    c.send("USER alice\r\n");
    assertThat(c.readLine()).startsWith("-ERR quirkproxy: plain-text login is disabled");
    c.send("STLS\r\nUSER evil\r\n");
    assertThat(c.readLine()).isEqualTo("+OK quirkproxy: begin TLS negotiation");
    c.startTls(clientTrustingCa);
    c.send("CAPA\r\n");
    assertThat(List.of(c.readLine(), c.readLine(), c.readLine(), c.readLine()))
        .containsExactly("+OK", "USER", "UIDL", ".");
    c.send("USER alice\r\n");
    assertThat(c.readLine()).isEqualTo("+OK fine");
    assertThat(upstreamSaw).containsExactly("CAPA", "CAPA", "USER alice");
  }

  @Test
  void pop3AnswersOfTheProxyWaitForEarlierAnswers() throws Exception {
    ScriptedServer up =
        server(
            s -> {
              OutputStream out = s.getOutputStream();
              out.write("+OK ready\r\n".getBytes(StandardCharsets.US_ASCII));
              out.flush();
              BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
              String line;
              while ((line = in.readLine()) != null) {
                upstreamSaw.add(line);
                Thread.sleep(200); // slow: the proxy's own -ERR must still come second
                out.write(("+OK " + line + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
              }
            });
    LineClient c =
        client(
            proxy(Protocol.POP3, TlsMode.STARTTLS, TlsMode.NONE, up.port(), contexts(false, null)));
    c.readLine();
    c.send("NOOP\r\nUSER alice\r\nNOOP\r\n");
    assertThat(c.readLine()).isEqualTo("+OK NOOP");
    assertThat(c.readLine()).startsWith("-ERR quirkproxy: plain-text login is disabled");
    assertThat(c.readLine()).isEqualTo("+OK NOOP");
    assertThat(upstreamSaw).containsExactly("NOOP", "NOOP");
  }

  @Test
  void upstreamStartTlsDiscardsWhatTheServerInjectsBeforeTheHandshake() throws Exception {
    ScriptedServer up =
        server(
            s -> {
              OutputStream out = s.getOutputStream();
              out.write(
                  "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] plain hello\r\n"
                      .getBytes(StandardCharsets.US_ASCII));
              out.flush();
              BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
              upstreamSaw.add(in.readLine());
              out.write(
                  "qpTLS OK begin\r\n* 99 EXISTS injected\r\n".getBytes(StandardCharsets.US_ASCII));
              out.flush();
              MiniImap.serveCommands(TestTls.upgrade(upstreamServer, s, false, null), upstreamSaw);
            });
    LineClient c =
        client(
            proxy(Protocol.IMAP, TlsMode.NONE, TlsMode.STARTTLS, up.port(), contexts(false, null)));
    assertThat(c.readLine()).isEqualTo("* OK plain hello");
    c.send("a1 NOOP\r\n");
    assertThat(c.readLine()).isEqualTo("a1 OK done");
    assertThat(new String(c.received(), StandardCharsets.ISO_8859_1)).doesNotContain("injected");
    assertThat(upstreamSaw).containsExactly("qpTLS STARTTLS", "a1 NOOP");
  }

  @Test
  void upstreamRefusingStartTlsIsReported() throws Exception {
    ScriptedServer up =
        server(
            s -> {
              OutputStream out = s.getOutputStream();
              out.write("* OK hi\r\n".getBytes(StandardCharsets.US_ASCII));
              out.flush();
              new BufferedReader(
                      new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                  .readLine();
              out.write("qpTLS BAD no TLS here\r\n".getBytes(StandardCharsets.US_ASCII));
              out.flush();
              s.getInputStream().read();
            });
    LineClient c =
        client(
            proxy(Protocol.IMAP, TlsMode.NONE, TlsMode.STARTTLS, up.port(), contexts(false, null)));
    assertThat(c.readLine())
        .startsWith("* BYE [UNAVAILABLE] quirkproxy: upstream imap://127.0.0.1:")
        .endsWith("refused STARTTLS: qpTLS BAD no TLS here");
    assertThat(c.closedByPeer()).isTrue();
  }

  private ScriptedServer implicitTlsUpstream(SSLContext serverTls) throws IOException {
    return server(
        s ->
            MiniImap.serve(
                TestTls.upgrade(serverTls, s, false, null), "* OK tls hello", upstreamSaw));
  }

  @Test
  void upstreamCertificateForAnotherNameIsRefusedUnlessInsecure() throws Exception {
    ScriptedServer up =
        implicitTlsUpstream(TestTls.server(ca.issueExactly(List.of("mail.example.test"))));
    LineClient c =
        client(
            proxy(Protocol.IMAP, TlsMode.NONE, TlsMode.IMPLICIT, up.port(), contexts(false, null)));
    assertThat(c.readLine())
        .startsWith(
            "* BYE [UNAVAILABLE] quirkproxy: upstream imaps://127.0.0.1:"
                + up.port()
                + " TLS handshake failed: ")
        .contains("127.0.0.1");
    assertThat(c.closedByPeer()).isTrue();

    LineClient insecure =
        client(
            proxy(Protocol.IMAP, TlsMode.NONE, TlsMode.IMPLICIT, up.port(), contexts(true, null)));
    assertThat(insecure.readLine()).isEqualTo("* OK tls hello");
  }

  @Test
  void upstreamFromAnUntrustedCaIsRefused() throws Exception {
    CertificateAuthority stranger = CertificateAuthority.loadOrCreate(dir.resolve("stranger"));
    ScriptedServer up = implicitTlsUpstream(TestTls.server(stranger.issue(List.of())));
    LineClient c =
        client(
            proxy(Protocol.IMAP, TlsMode.NONE, TlsMode.IMPLICIT, up.port(), contexts(false, null)));
    assertThat(c.readLine())
        .startsWith(
            "* BYE [UNAVAILABLE] quirkproxy: upstream imaps://127.0.0.1:"
                + up.port()
                + " TLS handshake failed: ");
    assertThat(c.closedByPeer()).isTrue();
  }

  @Test
  void brokenClientHandshakeIsClosedAndOthersGoOn() throws Exception {
    ScriptedServer up = server(s -> MiniImap.serve(s, "* OK hi", upstreamSaw));
    Endpoint p =
        proxy(Protocol.IMAP, TlsMode.IMPLICIT, TlsMode.NONE, up.port(), contexts(false, null));
    LineClient good = LineClient.tls(p.port(), clientTrustingCa);
    fx.track(good);
    assertThat(good.readLine()).isEqualTo("* OK hi");
    LineClient bad = client(p);
    bad.send("a1 LOGIN not tls\r\n");
    assertThat(bad.closedByPeer()).isTrue();
    good.send("a1 NOOP\r\n");
    assertThat(good.readLine()).isEqualTo("a1 OK done");
  }

  @Test
  void keyLogHasTheSecretsOfBothSides() throws Exception {
    Path file = dir.resolve("keys.log");
    ScriptedServer up = implicitTlsUpstream(upstreamServer);
    try (KeyLog keyLog = new KeyLog(file)) {
      Endpoint p =
          proxy(
              Protocol.IMAP,
              TlsMode.IMPLICIT,
              TlsMode.IMPLICIT,
              up.port(),
              contexts(false, keyLog));
      try (LineClient c = LineClient.tls(p.port(), clientTrustingCa)) {
        assertThat(c.readLine()).isEqualTo("* OK tls hello");
      }
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    // TLS 1.3 logs CLIENT_HANDSHAKE_TRAFFIC_SECRET <client random> <secret>: one random per side.
    assertThat(lines).allMatch(l -> l.matches("[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]+"));
    assertThat(
            lines.stream()
                .filter(l -> l.startsWith("CLIENT_TRAFFIC_SECRET_0"))
                .map(l -> l.split(" ")[1])
                .distinct())
        .hasSize(2);
  }
}
