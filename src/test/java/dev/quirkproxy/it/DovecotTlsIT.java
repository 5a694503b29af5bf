package dev.quirkproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.quirkproxy.relay.Endpoint;
import dev.quirkproxy.relay.ProxyConfig;
import dev.quirkproxy.relay.ProxyServer;
import dev.quirkproxy.relay.ProxyTls;
import dev.quirkproxy.session.Limits;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.testing.LineClient;
import dev.quirkproxy.testing.TestTls;
import dev.quirkproxy.tls.CertificateAuthority;
import dev.quirkproxy.tls.TlsContexts;
import dev.quirkproxy.tls.TlsMode;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * TLS on both sides of the proxy against a real Dovecot that offers STARTTLS and implicit TLS
 * ({@link Dovecot.Option#TLS}), with real clients. Every combination of client-side and upstream
 * TLS mode, for IMAP and POP3, is driven by curl, by Python's imaplib/poplib and by a raw client
 * that checks what the proxy promises about STARTTLS: offered only in {@code starttls} mode,
 * plain-text login refused until TLS is up, nothing pipelined behind STARTTLS executed. Dovecot's
 * log shows whether the upstream leg really used TLS. Two trust anchors are in play and kept apart:
 * the proxy's CA (what clients trust) and Dovecot's (what the proxy trusts), so a client that
 * trusts the wrong one must fail to verify.
 */
class DovecotTlsIT {

  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Pattern TLS_VERSION = Pattern.compile("TLSv1\\.[23]");

  @TempDir static Path tmp;

  private static Dovecot dovecot;
  private static EventLoopGroup group;
  private static CertificateAuthority proxyCa;
  private static Path proxyCaPem;
  private static SslContext proxyServerSide;
  private static SslContext proxyUpstreamSide;
  private static SSLContext trustingProxy;
  private static final LogCapture proxyLog = new LogCapture();

  private final List<ProxyServer> proxies = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    dovecot = Dovecot.start(Dovecot.Option.TLS);
    group = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    // The proxy's own CA, separate from Dovecot's: clients trust this one, the proxy Dovecot's.
    proxyCa = CertificateAuthority.loadOrCreate(tmp.resolve("proxy-ca"));
    proxyCaPem = Files.write(tmp.resolve("proxy-ca.pem"), proxyCa.pem());
    proxyServerSide = TlsContexts.server(proxyCa.issue(List.of()), false, null);
    proxyUpstreamSide = TlsContexts.client(List.of(dovecot.tlsCaFile()), false, null);
    trustingProxy = TestTls.clientTrusting(proxyCa.certificate());
    proxyLog.attach();
  }

  @AfterAll
  static void stop() {
    proxyLog.detach();
    if (group != null) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
    if (dovecot != null) {
      dovecot.close();
    }
  }

  @AfterEach
  void closeProxies() {
    for (ProxyServer p : proxies) {
      p.shutdown(Duration.ofSeconds(2));
    }
  }

  // ---------------------------------------------------------------- the matrix

  static Stream<Arguments> matrix() {
    List<Arguments> all = new ArrayList<>();
    for (Protocol protocol : List.of(Protocol.IMAP, Protocol.POP3)) {
      for (TlsMode client : TlsMode.values()) {
        for (TlsMode upstream : TlsMode.values()) {
          all.add(Arguments.of(protocol, client, upstream));
        }
      }
    }
    return all.stream();
  }

  /**
   * One combination: a raw client checks the STARTTLS rules and logs in, then curl and Python do
   * what mail clients do; all get the seeded messages. Dovecot must have seen exactly these three
   * logins, over TLS exactly when the upstream mode asks for it.
   */
  @ParameterizedTest(name = "{0}: client {1}, upstream {2}")
  @MethodSource("matrix")
  void realClientsInEveryCombination(Protocol protocol, TlsMode client, TlsMode upstream)
      throws Exception {
    ProxyServer proxy = proxy(protocol, client, upstream, proxyServerSide);
    int port = proxy.endpoint().port();
    String name = (protocol + "-" + client + "-" + upstream).toLowerCase(Locale.ROOT);
    String user = dovecot.newUser(name);
    Path work = Files.createDirectories(tmp.resolve(user));
    try {
      if (protocol == Protocol.IMAP) {
        rawImap(client, upstream, port, user);
      } else {
        rawPop3(client, port, user);
      }
      Exec.Result curl = curl(work, protocol, client, port, user, proxyCaPem).expectExit(0);
      Transcripts.assertIdentical(
          name + ": message 1 as curl got it", MailSeed.PLAIN.crlf(), curl.stdout());
      // curl -v tells whether it spoke TLS.
      if (client == TlsMode.NONE) {
        assertThat(curl.stderr()).doesNotContain("SSL connection using");
      } else {
        assertThat(curl.stderr()).containsPattern("SSL connection using TLSv1\\.[23]");
      }
      String summary =
          python(work, protocol, client, port, proxyCaPem, user).expectExit(0).stdoutText();
      checkPythonSummary(protocol, client, summary);
    } catch (AssertionError | Exception e) {
      throw new AssertionError(
          name + " failed: " + e.getMessage() + "\n--- Dovecot log tail ---\n" + logTail(), e);
    }
    awaitNoSessions(proxy);
    // The raw client, curl and Python each logged in once, all through the proxy's upstream leg.
    List<String> logins = awaitDovecotLogins(user, 3);
    assertThat(logins)
        .as("Dovecot's logins of %s (TLS marks a TLS connection)", user)
        .hasSize(3)
        .allSatisfy(
            l -> {
              if (upstream == TlsMode.NONE) {
                assertThat(l).contains(", secured, ").doesNotContain(", TLS");
              } else {
                assertThat(l).contains(", TLS, ").doesNotContain(", secured, ");
              }
            });
  }

  // ---------------------------------------------------------------- raw IMAP

  private void rawImap(TlsMode mode, TlsMode upstream, int port, String user) throws Exception {
    // Someone the injected command could log in as, were it ever executed.
    String injected = mode == TlsMode.STARTTLS ? dovecot.newUser("injected-imap") : null;
    proxyLog.clear();
    try (LineClient c = connect(mode, port)) {
      String greeting = c.readLine();
      assertThat(greeting).as("greeting").startsWith("* OK ");
      if (upstream == TlsMode.STARTTLS) {
        // It described Dovecot before the proxy's STARTTLS: dropped.
        assertThat(greeting)
            .as("greeting after an upstream STARTTLS")
            .doesNotContain("[CAPABILITY");
      } else {
        checkImapCapabilities("greeting", mode == TlsMode.STARTTLS, capabilities(greeting));
      }
      checkImapCapabilities("CAPABILITY", mode == TlsMode.STARTTLS, imapCapability(c, "a1"));
      if (mode == TlsMode.STARTTLS) {
        c.send("a2 LOGIN " + user + " " + Dovecot.PASSWORD + "\r\n");
        assertThat(c.readLine()).as("LOGIN before TLS").startsWith("a2 NO [PRIVACYREQUIRED] ");
        c.send("a2b AUTHENTICATE PLAIN " + saslPlain(user) + "\r\n");
        assertThat(c.readLine())
            .as("AUTHENTICATE (SASL-IR) before TLS")
            .startsWith("a2b NO [PRIVACYREQUIRED] ");
        // A command pipelined behind STARTTLS, in the same write: it must never run.
        c.send("a3 STARTTLS\r\na4 LOGIN " + injected + " " + Dovecot.PASSWORD + "\r\n");
        assertThat(c.readLine()).as("STARTTLS answer").startsWith("a3 OK ");
        c.startTls(trustingProxy);
        List<String> after = imapCommand(c, "a5", "CAPABILITY");
        assertThat(after).as("answers after TLS").noneMatch(l -> l.startsWith("a4 "));
        checkImapCapabilities("CAPABILITY after TLS", false, capabilities(after));
        awaitDiscardWarning();
      } else {
        List<String> refused = imapCommand(c, "a5", "STARTTLS");
        assertThat(refused.get(refused.size() - 1))
            .startsWith(
                mode == TlsMode.NONE
                    ? "a5 BAD quirkproxy: STARTTLS is not available on this listener"
                    : "a5 BAD quirkproxy: STARTTLS is not available inside TLS");
      }
      assertThat(last(imapCommand(c, "a6", "LOGIN " + user + " " + Dovecot.PASSWORD)))
          .startsWith("a6 OK ");
      assertThat(imapCommand(c, "a7", "EXAMINE INBOX")).contains("* 5 EXISTS");
      c.send("a8 UID FETCH 1 BODY.PEEK[]\r\n");
      String fetch = c.readLine();
      Matcher m = Pattern.compile("^\\* 1 FETCH \\(UID 1 BODY\\[\\] \\{(\\d+)}$").matcher(fetch);
      assertThat(m.matches()).as("FETCH line: %s", fetch).isTrue();
      byte[] body = c.readBytes(Integer.parseInt(m.group(1)));
      Transcripts.assertIdentical("message 1 over the raw client", MailSeed.PLAIN.crlf(), body);
      assertThat(c.readLine()).isEqualTo(")");
      assertThat(c.readLine()).startsWith("a8 OK ");
      assertThat(imapCommand(c, "a9", "LOGOUT")).anyMatch(l -> l.startsWith("* BYE"));
      assertThat(c.closedByPeer()).as("closed after LOGOUT").isTrue();
    }
    if (mode == TlsMode.STARTTLS) {
      // The real login is logged after the injected one would have been, on the same connection.
      awaitDovecotLogins(user, 1);
      assertThat(dovecot.log()).doesNotContain("user=<" + injected + ">");
    }
  }

  /** Capabilities offered before TLS in starttls mode, or at any time otherwise. */
  private static void checkImapCapabilities(String where, boolean beforeTls, List<String> caps) {
    if (beforeTls) {
      assertThat(caps)
          .as("%s before STARTTLS", where)
          .contains("STARTTLS", "LOGINDISABLED")
          .noneMatch(c -> c.startsWith("AUTH="));
    } else {
      assertThat(caps)
          .as(where)
          .contains("IMAP4REV1", "AUTH=PLAIN")
          .doesNotContain("STARTTLS", "LOGINDISABLED");
    }
  }

  private static List<String> imapCapability(LineClient c, String tag) throws IOException {
    List<String> caps = capabilities(imapCommand(c, tag, "CAPABILITY"));
    assertThat(caps).as("CAPABILITY answer").isNotEmpty();
    return caps;
  }

  /**
   * The capabilities in a greeting's code or in a {@code * CAPABILITY} line among {@code lines}.
   */
  private static List<String> capabilities(List<String> lines) {
    for (String l : lines) {
      List<String> caps = capabilities(l);
      if (!caps.isEmpty()) {
        return caps;
      }
    }
    return List.of();
  }

  private static List<String> capabilities(String line) {
    Matcher code = Pattern.compile("^\\* OK \\[CAPABILITY ([^\\]]*)]").matcher(line);
    if (code.find()) {
      return Arrays.asList(code.group(1).toUpperCase(Locale.ROOT).split(" "));
    }
    if (line.startsWith("* CAPABILITY ")) {
      return Arrays.asList(line.substring(13).toUpperCase(Locale.ROOT).split(" "));
    }
    return List.of();
  }

  /** Sends one command and reads until its tagged answer; returns all lines read. */
  private static List<String> imapCommand(LineClient c, String tag, String command)
      throws IOException {
    c.send(tag + " " + command + "\r\n");
    List<String> lines = new ArrayList<>();
    for (; ; ) {
      String l = c.readLine();
      assertThat(l).as("answer to %s %s (so far %s)", tag, command, lines).isNotNull();
      lines.add(l);
      if (l.startsWith(tag + " ")) {
        return lines;
      }
    }
  }

  // ---------------------------------------------------------------- raw POP3

  private void rawPop3(TlsMode mode, int port, String user) throws Exception {
    String injected = mode == TlsMode.STARTTLS ? dovecot.newUser("injected-pop3") : null;
    proxyLog.clear();
    try (LineClient c = connect(mode, port)) {
      assertThat(c.readLine()).as("greeting").startsWith("+OK ");
      List<String> before = capa(c);
      if (mode == TlsMode.STARTTLS) {
        assertThat(before)
            .as("CAPA before STLS")
            .contains("STLS")
            .doesNotContain("USER")
            .noneMatch(l -> l.startsWith("SASL"));
        c.send("USER " + user + "\r\n");
        assertThat(c.readLine())
            .as("USER before TLS")
            .isEqualTo("-ERR quirkproxy: plain-text login is disabled; send STLS first");
        c.send("AUTH PLAIN " + saslPlain(user) + "\r\n");
        assertThat(c.readLine())
            .as("AUTH before TLS")
            .isEqualTo("-ERR quirkproxy: plain-text login is disabled; send STLS first");
        // Commands pipelined behind STLS, in the same write: they must never run.
        c.send("STLS\r\nUSER " + injected + "\r\nPASS " + Dovecot.PASSWORD + "\r\n");
        assertThat(c.readLine()).as("STLS answer").startsWith("+OK ");
        c.startTls(trustingProxy);
        checkPop3Capa("CAPA after TLS", capa(c));
        awaitDiscardWarning();
      } else {
        checkPop3Capa("CAPA", before);
        c.send("STLS\r\n");
        assertThat(c.readLine())
            .isEqualTo(
                mode == TlsMode.NONE
                    ? "-ERR quirkproxy: STLS is not available on this listener"
                    : "-ERR quirkproxy: STLS is not available inside TLS");
      }
      // Had the injected USER/PASS run, these answers would be off by two.
      c.send("USER " + user + "\r\n");
      assertThat(c.readLine()).as("USER").startsWith("+OK");
      c.send("PASS " + Dovecot.PASSWORD + "\r\n");
      assertThat(c.readLine()).as("PASS").startsWith("+OK Logged in");
      c.send("STAT\r\n");
      assertThat(c.readLine()).as("STAT").startsWith("+OK 5 ");
      c.send("RETR 1\r\n");
      assertThat(c.readLine()).isEqualTo("+OK " + MailSeed.PLAIN.crlfSize() + " octets");
      StringBuilder body = new StringBuilder();
      for (String l = c.readLine(); !".".equals(l); l = c.readLine()) {
        assertThat(l).as("RETR body line").isNotNull();
        body.append(l.startsWith(".") ? l.substring(1) : l).append("\r\n");
      }
      Transcripts.assertIdentical(
          "message 1 over the raw client",
          MailSeed.PLAIN.crlf(),
          body.toString().getBytes(StandardCharsets.ISO_8859_1));
      c.send("QUIT\r\n");
      assertThat(c.readLine()).startsWith("+OK ");
      assertThat(c.closedByPeer()).as("closed after QUIT").isTrue();
    }
    if (mode == TlsMode.STARTTLS) {
      awaitDovecotLogins(user, 1);
      assertThat(dovecot.log()).doesNotContain("user=<" + injected + ">");
    }
  }

  private static void checkPop3Capa(String where, List<String> capa) {
    assertThat(capa).as(where).contains("USER", "SASL PLAIN LOGIN").doesNotContain("STLS");
  }

  /** Sends CAPA and returns the capability lines (upper case). */
  private static List<String> capa(LineClient c) throws IOException {
    c.send("CAPA\r\n");
    assertThat(c.readLine()).as("CAPA status").startsWith("+OK");
    List<String> lines = new ArrayList<>();
    for (String l = c.readLine(); !".".equals(l); l = c.readLine()) {
      assertThat(l).as("CAPA line after %s", lines).isNotNull();
      lines.add(l.toUpperCase(Locale.ROOT));
    }
    return lines;
  }

  // ---------------------------------------------------------------- shared raw-client helpers

  private LineClient connect(TlsMode mode, int port) throws IOException {
    return mode == TlsMode.IMPLICIT ? LineClient.tls(port, trustingProxy) : new LineClient(port);
  }

  /** The SASL PLAIN initial response for {@code user} (RFC 4616), base64. */
  private static String saslPlain(String user) {
    return Base64.getEncoder()
        .encodeToString(
            ("\0" + user + "\0" + Dovecot.PASSWORD).getBytes(StandardCharsets.US_ASCII));
  }

  private static void awaitDiscardWarning() throws InterruptedException {
    await(
        "the proxy's warning about octets discarded after STARTTLS",
        () ->
            proxyLog.events.stream()
                .anyMatch(
                    e ->
                        e.getLevel() == Level.WARN
                            && e.getFormattedMessage()
                                .matches(
                                    "discarded \\d+ octets the client sent after STARTTLS"
                                        + " before the TLS handshake")));
  }

  // ---------------------------------------------------------------- Python

  private static void checkPythonSummary(Protocol protocol, TlsMode mode, String summary) {
    assertThat(summary).startsWith("mode " + protocol.name().toLowerCase(Locale.ROOT) + " " + mode);
    String tls = line(summary, "tls ");
    if (mode == TlsMode.NONE) {
      assertThat(tls).isEqualTo("tls none");
    } else {
      assertThat(tls).containsPattern(TLS_VERSION);
    }
    String caps = line(summary, "caps ");
    if (protocol == Protocol.IMAP) {
      assertThat(List.of(caps.split(" ")))
          .as("imaplib's capabilities (after TLS, if any)")
          .contains("AUTH=PLAIN")
          .doesNotContain("STARTTLS", "LOGINDISABLED");
      if (mode == TlsMode.STARTTLS) {
        assertThat(line(summary, "tls-before ")).isEqualTo("tls-before none");
        assertThat(List.of(line(summary, "caps-before ").split(" ")))
            .contains("STARTTLS", "LOGINDISABLED")
            .noneMatch(c -> c.startsWith("AUTH="));
        assertThat(line(summary, "login-before-tls "))
            .startsWith("login-before-tls refused ")
            .contains("[PRIVACYREQUIRED]");
        assertThat(summary).contains("\nstarttls OK\n");
      }
      assertThat(summary).contains("\nlogin OK\n").contains("\nlogout BYE\n");
      assertThat(line(summary, "select ")).isEqualTo("select OK [b'5']");
      for (MailSeed.Message m : MailSeed.INBOX) {
        assertThat(summary)
            .contains(
                "\nbody "
                    + m.uid()
                    + " OK "
                    + m.crlfSize()
                    + " "
                    + MailSeed.sha256(m.crlf())
                    + "\n");
      }
    } else {
      assertThat(List.of(caps.split(" ")))
          .as("poplib's CAPA (after TLS, if any)")
          .contains("USER", "SASL")
          .doesNotContain("STLS");
      if (mode == TlsMode.STARTTLS) {
        assertThat(line(summary, "tls-before ")).isEqualTo("tls-before none");
        assertThat(List.of(line(summary, "caps-before ").split(" ")))
            .contains("STLS")
            .doesNotContain("USER", "SASL");
        assertThat(line(summary, "user-before-tls "))
            .isEqualTo(
                "user-before-tls refused b'-ERR quirkproxy: plain-text login is disabled;"
                    + " send STLS first'");
        assertThat(line(summary, "stls ")).startsWith("stls b'+OK ");
      }
      assertThat(line(summary, "pass ")).startsWith("pass b'+OK Logged in");
      assertThat(line(summary, "stat ")).startsWith("stat (5, ");
      assertThat(line(summary, "quit ")).startsWith("quit b'+OK Logging out");
      for (MailSeed.Message m : MailSeed.INBOX) {
        assertThat(summary)
            .contains(
                "\nretr "
                    + m.uid()
                    + " b'+OK "
                    + m.crlfSize()
                    + " octets' "
                    + m.crlfSize()
                    + " "
                    + m.crlfSize()
                    + " "
                    + MailSeed.sha256(m.crlf())
                    + "\n");
      }
    }
  }

  /** The one line of the summary that starts with {@code prefix}. */
  private static String line(String summary, String prefix) {
    List<String> found = summary.lines().filter(l -> l.startsWith(prefix)).toList();
    assertThat(found).as("lines starting with '%s' in:\n%s", prefix, summary).hasSize(1);
    return found.get(0);
  }

  private static Exec.Result python(
      Path work, Protocol protocol, TlsMode mode, int port, Path caFile, String user)
      throws IOException, InterruptedException, URISyntaxException {
    URL resource = DovecotTlsIT.class.getResource("/clients/tls_client.py");
    assertThat(resource).as("test resource clients/tls_client.py").isNotNull();
    return Exec.run(
        CLIENT_TIMEOUT,
        work,
        Map.of("PYTHONDONTWRITEBYTECODE", "1", "PYTHONIOENCODING", "utf-8"),
        List.of(
            "python3",
            Path.of(resource.toURI()).toString(),
            protocol.name().toLowerCase(Locale.ROOT),
            mode.toString(),
            "127.0.0.1",
            Integer.toString(port),
            caFile.toString(),
            user,
            Dovecot.PASSWORD));
  }

  // ---------------------------------------------------------------- curl

  /** Fetches message 1: {@code INBOX;UID=1} (IMAP) or {@code RETR 1} (POP3). */
  private static Exec.Result curl(
      Path work, Protocol protocol, TlsMode mode, int port, String user, Path caFile)
      throws IOException, InterruptedException {
    String scheme =
        protocol == Protocol.IMAP
            ? (mode == TlsMode.IMPLICIT ? "imaps" : "imap")
            : (mode == TlsMode.IMPLICIT ? "pop3s" : "pop3");
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            "curl",
            "--verbose",
            "--silent",
            "--show-error",
            "--max-time",
            Long.toString(CLIENT_TIMEOUT.toSeconds() - 5),
            "--cacert",
            caFile.toString(),
            "--user",
            user + ":" + Dovecot.PASSWORD));
    if (mode == TlsMode.STARTTLS) {
      cmd.add("--ssl-reqd");
    }
    cmd.add(scheme + "://127.0.0.1:" + port + (protocol == Protocol.IMAP ? "/INBOX;UID=1" : "/1"));
    return Exec.run(CLIENT_TIMEOUT, work, Map.of(), cmd);
  }

  // ---------------------------------------------------------------- certificate verification

  static Stream<Arguments> clientTls() {
    return Stream.of(
        Arguments.of(Protocol.IMAP, TlsMode.IMPLICIT),
        Arguments.of(Protocol.IMAP, TlsMode.STARTTLS),
        Arguments.of(Protocol.POP3, TlsMode.IMPLICIT),
        Arguments.of(Protocol.POP3, TlsMode.STARTTLS));
  }

  /**
   * The proxy presents its own certificate, not Dovecot's: clients that trust only Dovecot's CA
   * refuse it (curl exit 60, Python's SSLCertVerificationError), with the proxy's CA they succeed.
   */
  @ParameterizedTest(name = "{0}: client {1}")
  @MethodSource("clientTls")
  void clientsVerifyTheProxysCertificate(Protocol protocol, TlsMode mode) throws Exception {
    ProxyServer proxy = proxy(protocol, mode, TlsMode.IMPLICIT, proxyServerSide);
    int port = proxy.endpoint().port();
    String user = dovecot.newUser("verify-" + protocol.name().toLowerCase(Locale.ROOT));
    Path work = Files.createDirectories(tmp.resolve(user));
    Path wrongCa = dovecot.tlsCaFile();

    Exec.Result curlWrong = curl(work, protocol, mode, port, user, wrongCa);
    assertThat(curlWrong.exitCode())
        .as("curl trusting Dovecot's CA only; stderr:\n%s", curlWrong.stderr())
        .isEqualTo(60);
    assertThat(curlWrong.stdout()).isEmpty();
    Exec.Result pythonWrong = python(work, protocol, mode, port, wrongCa, user);
    assertThat(pythonWrong.exitCode())
        .as("Python trusting Dovecot's CA only; output:\n%s", pythonWrong.stdoutText())
        .isEqualTo(3);
    assertThat(pythonWrong.stdoutText())
        .containsPattern("\nverify-error [^\n]*certificate")
        .doesNotContain("\nlogin ")
        .doesNotContain("\nuser ");

    Exec.Result curlRight = curl(work, protocol, mode, port, user, proxyCaPem).expectExit(0);
    Transcripts.assertIdentical("message 1", MailSeed.PLAIN.crlf(), curlRight.stdout());
    checkPythonSummary(
        protocol,
        mode,
        python(work, protocol, mode, port, proxyCaPem, user).expectExit(0).stdoutText());
    awaitNoSessions(proxy);
    // Only the two trusting clients got as far as logging in.
    assertThat(awaitDovecotLogins(user, 2)).hasSize(2);
  }

  // ---------------------------------------------------------------- legacy TLS

  /**
   * {@code --client-tls-legacy}: TLS 1.1 towards clients only when asked for. openssl s_client
   * offers TLS 1.1 only (at security level 0, which TLS 1.1's SHA-1 signatures need).
   */
  @Test
  void tls11OnlyWithLegacyClientTls() throws Exception {
    Path openssl;
    try {
      openssl = Dovecot.findBinary("openssl");
    } catch (IllegalStateException e) {
      throw new AssertionError(
          "the openssl command is not installed; CI installs it: apt-get install -y openssl", e);
    }
    Path work = Files.createDirectories(tmp.resolve("legacy"));
    ProxyServer legacy =
        proxy(
            Protocol.IMAP,
            TlsMode.IMPLICIT,
            TlsMode.NONE,
            TlsContexts.server(proxyCa.issue(List.of()), true, null));
    ProxyServer modern = proxy(Protocol.IMAP, TlsMode.IMPLICIT, TlsMode.NONE, proxyServerSide);

    Exec.Result ok = sClient(openssl, work, legacy.endpoint().port());
    String okOut = ok.stdoutText() + ok.stderr();
    assertThat(ok.exitCode())
        .as("s_client against the legacy listener (engine %s):\n%s", TlsContexts.engine(), okOut)
        .isZero();
    assertThat(okOut)
        .containsPattern("Protocol\\s*:\\s*TLSv1\\.1\\b")
        .contains("Verify return code: 0 (ok)");

    Exec.Result refused = sClient(openssl, work, modern.endpoint().port());
    String refusedOut = refused.stdoutText() + refused.stderr();
    assertThat(refused.exitCode())
        .as("s_client against the modern listener:\n%s", refusedOut)
        .isNotZero();
    assertThat(refusedOut).contains("alert protocol version");
    awaitNoSessions(legacy);
    awaitNoSessions(modern);
  }

  private static Exec.Result sClient(Path openssl, Path work, int port)
      throws IOException, InterruptedException {
    // Standard input is /dev/null: s_client handshakes, meets end of input and closes.
    return Exec.run(
        CLIENT_TIMEOUT,
        work,
        Map.of(),
        List.of(
            openssl.toString(),
            "s_client",
            "-connect",
            "127.0.0.1:" + port,
            "-tls1_1",
            "-cipher",
            "DEFAULT@SECLEVEL=0",
            "-CAfile",
            proxyCaPem.toString(),
            "-verify_return_error"));
  }

  // ---------------------------------------------------------------- harness

  private ProxyServer proxy(
      Protocol protocol, TlsMode client, TlsMode upstream, SslContext clientSide)
      throws InterruptedException {
    int upstreamPort =
        switch (upstream) {
          case NONE, STARTTLS ->
              protocol == Protocol.IMAP ? dovecot.imapPort() : dovecot.pop3Port();
          case IMPLICIT -> protocol == Protocol.IMAP ? dovecot.imapsPort() : dovecot.pop3sPort();
        };
    ProxyServer p =
        new ProxyServer(
            new ProxyConfig(
                new Endpoint(protocol, client, "127.0.0.1", 0),
                new Endpoint(protocol, upstream, "127.0.0.1", upstreamPort),
                Limits.defaults(),
                Duration.ofSeconds(5),
                true),
            new ProxyTls(
                client == TlsMode.NONE ? null : clientSide,
                upstream == TlsMode.NONE ? null : proxyUpstreamSide),
            List.of(),
            group);
    proxies.add(p);
    p.start();
    return p;
  }

  private static void awaitNoSessions(ProxyServer proxy) throws InterruptedException {
    await("the proxy to have no open session", () -> proxy.openSessions() == 0);
  }

  /**
   * Waits until Dovecot has logged at least {@code n} logins of {@code user} (its log is written
   * asynchronously) and returns those log lines.
   */
  private static List<String> awaitDovecotLogins(String user, int n) throws InterruptedException {
    String marker = "Login: user=<" + user + ">";
    await(
        n + " Dovecot logins of " + user,
        () -> dovecot.log().lines().filter(l -> l.contains(marker)).count() >= n);
    return dovecot.log().lines().filter(l -> l.contains(marker)).toList();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "waited "
                + WAIT.toSeconds()
                + " s for "
                + what
                + "\n--- Dovecot log tail ---\n"
                + logTail());
      }
      Thread.sleep(20);
    }
  }

  private static String last(List<String> lines) {
    return lines.get(lines.size() - 1);
  }

  private static String logTail() {
    String log = dovecot.log();
    return log.length() > 3000 ? log.substring(log.length() - 3000) : log;
  }

  /** Collects the proxy's log events (everything under {@code dev.quirkproxy}). */
  private static final class LogCapture extends AppenderBase<ILoggingEvent> {
    final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
      events.add(event);
    }

    void clear() {
      events.clear();
    }

    void attach() {
      ch.qos.logback.classic.Logger logger =
          (ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.quirkproxy");
      setContext(logger.getLoggerContext());
      start();
      logger.addAppender(this);
    }

    void detach() {
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.quirkproxy"))
          .detachAppender(this);
      stop();
    }
  }
}
