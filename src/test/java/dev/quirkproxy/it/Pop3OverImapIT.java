package dev.quirkproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.capture.CaptureReader;
import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.capture.CaptureStore;
import dev.quirkproxy.flow.Interceptor;
import dev.quirkproxy.relay.Endpoint;
import dev.quirkproxy.relay.ProxyConfig;
import dev.quirkproxy.relay.ProxyServer;
import dev.quirkproxy.relay.ProxyTls;
import dev.quirkproxy.rules.RuleEngine;
import dev.quirkproxy.rules.RuleLoader;
import dev.quirkproxy.session.Limits;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.tls.CertificateAuthority;
import dev.quirkproxy.tls.TlsContexts;
import dev.quirkproxy.tls.TlsMode;
import dev.quirkproxy.translate.Pop3Translation;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * POP3 clients served from Dovecot's IMAP by the translating proxy: real clients (Python's poplib,
 * curl, fetchmail, getmail6) get every message byte for byte as IMAP {@code BODY[]} gives it;
 * unique-ids stay the same across sessions and after other messages go; DELE + QUIT removes exactly
 * the marked messages (checked over a direct IMAP connection), with and without UIDPLUS; RSET and a
 * dropped connection delete nothing; a 20 MB message streams through a small heap.
 */
@Timeout(240)
class Pop3OverImapIT {

  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(60);

  private static Dovecot dovecot;

  @TempDir Path work;

  @BeforeAll
  static void startDovecot() throws Exception {
    dovecot = Dovecot.start();
  }

  @AfterAll
  static void stopDovecot() {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  // ---------------------------------------------------------------- real clients

  @Test
  void poplibGetsEveryMessageAsImapBodyGivesIt() throws Exception {
    String user = dovecot.newUser("poplib");
    Path script = work.resolve("pop.py");
    Files.writeString(
        script,
        String.join(
            "\n",
            "import poplib, sys",
            "p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=30)",
            "print('CAPA', sorted(p.capa().keys()))",
            "p.user(sys.argv[2]); p.pass_(sys.argv[3])",
            "count, size = p.stat()",
            "print('STAT', count, size)",
            "for line in p.uidl()[1]: print('UIDL', line.decode())",
            "for n in range(1, count + 1):",
            "    lines = p.retr(n)[1]",
            "    open(sys.argv[4] + '/msg-%d' % n, 'wb').write(b''.join(l + b'\\r\\n' for l in lines))",
            "top = p.top(3, 2)[1]",
            "open(sys.argv[4] + '/top-3', 'wb').write(b''.join(l + b'\\r\\n' for l in top))",
            "p.quit()",
            ""),
        StandardCharsets.US_ASCII);
    String out;
    try (ProxyServer proxy = translating(Pop3Translation.defaults(), List.of(), null)) {
      out =
          Exec.run(
                  CLIENT_TIMEOUT,
                  work,
                  Map.of(),
                  List.of(
                      "python3",
                      script.toString(),
                      String.valueOf(proxy.endpoint().port()),
                      user,
                      Dovecot.PASSWORD,
                      work.toString()))
              .expectExit(0)
              .stdoutText();
    }
    assertThat(out).contains("STAT 5 ");
    assertThat(out)
        .contains("'IMPLEMENTATION'", "'PIPELINING'", "'RESP-CODES'", "'TOP'", "'UIDL'", "'USER'");
    try (DirectImap imap = DirectImap.login(dovecot.imapPort(), user)) {
      long validity = imap.uidValidity();
      for (int n = 1; n <= 5; n++) {
        assertThat(out).contains("UIDL " + n + " " + validity + "." + n);
        Transcripts.assertIdentical(
            "message " + n + " via poplib vs IMAP BODY[]",
            imap.body(n),
            Files.readAllBytes(work.resolve("msg-" + n)));
      }
      byte[] whole = imap.body(3);
      String text = new String(whole, StandardCharsets.ISO_8859_1);
      int headerEnd = text.indexOf("\r\n\r\n") + 4;
      int afterTwo = text.indexOf("\r\n", text.indexOf("\r\n", headerEnd) + 2) + 2;
      Transcripts.assertIdentical(
          "TOP 3 2: the header and the first two body lines",
          text.substring(0, afterTwo).getBytes(StandardCharsets.ISO_8859_1),
          Files.readAllBytes(work.resolve("top-3")));
      assertThat(imap.flags(2))
          .as("RETR leaves messages unseen by default")
          .doesNotContain("\\Seen");
    }
  }

  @Test
  void curlListsAndRetrieves() throws Exception {
    String user = dovecot.newUser("curl");
    Path captures = work.resolve("captures");
    CaptureStore store = new CaptureStore(CaptureSettings.in(captures));
    try (ProxyServer proxy = translating(Pop3Translation.defaults(), List.of(), store);
        DirectImap imap = DirectImap.login(dovecot.imapPort(), user)) {
      String base = "pop3://127.0.0.1:" + proxy.endpoint().port();
      String list = RealClientsIT.curl(work, user, base + "/");
      assertThat(list.split("\r\n")).hasSize(5);
      for (int n = 1; n <= 5; n++) {
        assertThat(list).contains(n + " " + imap.size(n));
        Transcripts.assertIdentical(
            "curl RETR " + n + " vs IMAP BODY[] (curl removes the dot-stuffing)",
            imap.body(n),
            RealClientsIT.curl(work, user, base + "/" + n).getBytes(StandardCharsets.ISO_8859_1));
      }
      awaitNoSessions(proxy);
    } finally {
      store.close();
    }
    // The POP3 client is fingerprinted as in plain relaying: every session's footer says curl.
    try (Stream<Path> files = Files.walk(captures)) {
      List<Path> all = files.filter(p -> p.toString().endsWith(".jsonl")).toList();
      assertThat(all).hasSize(6);
      for (Path f : all) {
        assertThat(
                CaptureReader.read(f).footer().path("fingerprint").path("family").asText("(none)"))
            .as("client family in %s", f)
            .isEqualTo("curl");
      }
    }
  }

  @Test
  void fetchmailDeliversEveryMessage() throws Exception {
    String user = dovecot.newUser("fetchmail");
    Path delivered = work.resolve("delivered");
    Path rc = work.resolve("fetchmailrc");
    try (ProxyServer proxy = translating(Pop3Translation.defaults(), List.of(), null);
        DirectImap imap = DirectImap.login(dovecot.imapPort(), user)) {
      Files.writeString(
          rc,
          String.join(
              "\n",
              "set no syslog",
              "poll 127.0.0.1 with protocol POP3 service "
                  + proxy.endpoint().port()
                  + " auth password:",
              "  user \"" + user + "\" there with password \"" + Dovecot.PASSWORD + "\"",
              "  options keep fetchall no rewrite sslproto ''",
              "  mda \"cat >> " + delivered + "\"",
              ""),
          StandardCharsets.US_ASCII);
      Files.setPosixFilePermissions(rc, PosixFilePermissions.fromString("rw-------"));
      Exec.run(
              CLIENT_TIMEOUT,
              work,
              Map.of("FETCHMAILHOME", work.toString()),
              List.of(
                  "fetchmail",
                  "-f",
                  rc.toString(),
                  "--idfile",
                  work.resolve("fetchids").toString(),
                  "--pidfile",
                  work.resolve("fetchmail.pid").toString(),
                  "--invisible",
                  "--nodetach",
                  "-v"))
          .expectExit(0);
      String mbox = Files.readString(delivered, StandardCharsets.ISO_8859_1);
      for (int uid = 1; uid <= 5; uid++) {
        // fetchmail hands the MDA each message with LF line endings and without dot-stuffing.
        String lf = new String(imap.body(uid), StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
        assertThat(mbox.contains(lf)).as("message %d in what fetchmail delivered", uid).isTrue();
      }
      assertThat(imap.uids()).as("keep: nothing deleted").containsExactly(1L, 2L, 3L, 4L, 5L);
    }
  }

  @Test
  void getmail6DeliversEveryMessageAndDeletesThemWhenAsked() throws Exception {
    String user = dovecot.newUser("getmail");
    Path delivered = work.resolve("delivered");
    List<byte[]> bodies = new ArrayList<>();
    try (DirectImap imap = DirectImap.login(dovecot.imapPort(), user)) {
      for (int uid = 1; uid <= 5; uid++) {
        bodies.add(imap.body(uid));
      }
    }
    try (ProxyServer proxy = translating(Pop3Translation.defaults(), List.of(), null)) {
      Path rc = work.resolve("getmailrc");
      Files.writeString(
          rc,
          String.join(
              "\n",
              "[retriever]",
              "type = SimplePOP3Retriever",
              "server = 127.0.0.1",
              "port = " + proxy.endpoint().port(),
              "username = " + user,
              "password = " + Dovecot.PASSWORD,
              "[destination]",
              // Maildir and mbox deliveries refuse to run as root (as CI does); a command may.
              "type = MDA_external",
              "path = /bin/sh",
              "arguments = (\"-c\", \"cat >> "
                  + delivered
                  + "; printf '\\\\n=====\\\\n' >> "
                  + delivered
                  + "\")",
              "allow_root_commands = true",
              "[options]",
              "delete = true",
              "read_all = true",
              "delivered_to = false",
              "received = false",
              "message_log_syslog = false",
              ""),
          StandardCharsets.US_ASCII);
      Exec.run(
              CLIENT_TIMEOUT,
              work,
              Map.of("HOME", work.toString()),
              List.of("getmail", "--rcfile=" + rc, "--getmaildir=" + work))
          .expectExit(0);
    }
    List<String> got =
        List.of(Files.readString(delivered, StandardCharsets.ISO_8859_1).split("\n=====\n"));
    assertThat(got).hasSize(5);
    for (byte[] body : bodies) {
      // getmail hands the command LF line endings and adds a Return-Path line at the top.
      String lf = new String(body, StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
      assertThat(got.stream().anyMatch(g -> g.endsWith(lf)))
          .as("a delivered message ends with %s...", lf.substring(0, 40))
          .isTrue();
    }
    try (DirectImap imap = DirectImap.login(dovecot.imapPort(), user)) {
      assertThat(imap.uids()).as("getmail deleted what it retrieved").isEmpty();
    }
  }

  // ---------------------------------------------------------------- UIDL, DELE, RSET, drops

  @Test
  void uidlsStayTheSameAcrossSessionsAndDeleQuitRemovesExactlyThoseMessages() throws Exception {
    String user = dovecot.newUser("dele");
    try (ProxyServer proxy = translating(Pop3Translation.defaults(), List.of(), null);
        DirectImap imap = DirectImap.login(dovecot.imapPort(), user)) {
      int port = proxy.endpoint().port();
      // Another client marked message 4 \Deleted without expunging: it must stay so.
      imap.store(4, "+FLAGS.SILENT (\\Deleted)");
      String before;
      try (Pop3 pop = Pop3.login(port, user)) {
        before = pop.multi("UIDL");
        assertThat(pop.single("DELE 2")).startsWith("+OK");
        assertThat(pop.single("DELE 5")).startsWith("+OK");
        assertThat(pop.single("DELE 2")).startsWith("-ERR");
        assertThat(pop.single("STAT")).startsWith("+OK 3 ");
        assertThat(pop.single("LIST 2")).startsWith("-ERR");
        assertThat(pop.single("QUIT")).startsWith("+OK");
      }
      assertThat(imap.uids()).containsExactly(1L, 3L, 4L);
      assertThat(imap.flags(4)).as("the other client's mark is left").contains("\\Deleted");
      try (Pop3 pop = Pop3.login(port, user)) {
        String after = pop.multi("UIDL");
        long v = imap.uidValidity();
        assertThat(before).contains("2 " + v + ".2", "5 " + v + ".5");
        // The same messages keep their unique-ids; only the numbers move up.
        assertThat(after.lines().skip(1).filter(l -> !l.equals(".")).toList())
            .containsExactly("1 " + v + ".1", "2 " + v + ".3", "3 " + v + ".4");
        assertThat(pop.single("QUIT")).startsWith("+OK");
      }
    }
  }

  @Test
  void rsetUndoesAndADroppedConnectionDeletesNothing() throws Exception {
    String user = dovecot.newUser("rset");
    try (ProxyServer proxy = translating(Pop3Translation.defaults(), List.of(), null);
        DirectImap imap = DirectImap.login(dovecot.imapPort(), user)) {
      int port = proxy.endpoint().port();
      try (Pop3 pop = Pop3.login(port, user)) {
        assertThat(pop.single("DELE 1")).startsWith("+OK");
        assertThat(pop.single("DELE 3")).startsWith("+OK");
        assertThat(pop.single("RSET")).startsWith("+OK");
        assertThat(pop.single("STAT")).startsWith("+OK 5 ");
        assertThat(pop.single("QUIT")).startsWith("+OK");
      }
      assertThat(imap.uids()).containsExactly(1L, 2L, 3L, 4L, 5L);
      try (Pop3 pop = Pop3.login(port, user)) {
        assertThat(pop.single("DELE 1")).startsWith("+OK");
        assertThat(pop.single("DELE 2")).startsWith("+OK");
        // Dropped before QUIT: RFC 1939 §6 says nothing is removed.
      }
      awaitNoSessions(proxy);
      assertThat(imap.uids()).containsExactly(1L, 2L, 3L, 4L, 5L);
      assertThat(imap.uidsFlagged("DELETED")).isEmpty();
    }
  }

  @Test
  void withoutUidplusOnlyTheMarkedMessagesGoAndOthersKeepTheirDeletedFlag() throws Exception {
    try (Dovecot old = Dovecot.start(Dovecot.Option.NO_MOVE_NO_UIDPLUS)) {
      String user = old.newUser("nouidplus");
      try (ProxyServer proxy = translatingTo(old.imapPort(), Pop3Translation.defaults());
          DirectImap imap = DirectImap.login(old.imapPort(), user)) {
        assertThat(imap.capabilities()).doesNotContain("UIDPLUS");
        imap.store(2, "+FLAGS.SILENT (\\Deleted)");
        try (Pop3 pop = Pop3.login(proxy.endpoint().port(), user)) {
          assertThat(pop.single("DELE 1")).startsWith("+OK");
          assertThat(pop.single("DELE 4")).startsWith("+OK");
          assertThat(pop.single("QUIT")).startsWith("+OK");
        }
        assertThat(imap.uids()).containsExactly(2L, 3L, 5L);
        assertThat(imap.uidsFlagged("DELETED")).containsExactly(2L);
      }
    }
  }

  // ---------------------------------------------------------------- a 20 MB message

  @Test
  void aTwentyMegabyteMessageStreamsWithoutTheProxyHoldingIt() throws Exception {
    String user = dovecot.newUser("big");
    byte[] big = bigMessage(20 << 20);
    byte[] direct;
    try (DirectImap imap = DirectImap.login(dovecot.imapPort(), user)) {
      imap.append(big);
      direct = imap.body(6);
    }
    String expected = sha256(direct);
    try (ProxyServer proxy = translating(Pop3Translation.defaults(), List.of(), null);
        java.net.Socket socket = new java.net.Socket("127.0.0.1", proxy.endpoint().port())) {
      socket.setSoTimeout(30_000);
      // Not RawClient: it keeps a copy of everything received, which would weigh on the heap.
      var in = new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024);
      var out = socket.getOutputStream();
      assertThat(readLine(in)).startsWith("+OK");
      out.write(
          ("USER " + user + "\r\nPASS " + Dovecot.PASSWORD + "\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      assertThat(readLine(in)).startsWith("+OK");
      assertThat(readLine(in)).startsWith("+OK");
      long baseline = usedMemory();
      out.write("RETR 6\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(readLine(in)).startsWith("+OK ");
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      long peak = 0;
      long lines = 0;
      for (String line = readLine(in); !line.equals("."); line = readLine(in)) {
        String unstuffed = line.startsWith(".") ? line.substring(1) : line;
        sha.update((unstuffed + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        if (++lines % 25_000 == 0) {
          // A slow reader: the proxy must slow Dovecot down rather than buffer the message.
          Thread.sleep(40);
          peak = Math.max(peak, usedMemory() - baseline);
        }
      }
      assertThat(HexFormat.of().formatHex(sha.digest()))
          .as("the 20 MB message through POP3, unstuffed, vs IMAP BODY[]")
          .isEqualTo(expected);
      System.out.printf(
          java.util.Locale.ROOT,
          "20 MB RETR: %d lines, peak growth of heap + Netty direct memory %.1f MiB%n",
          lines,
          peak / 1048576.0);
      assertThat(peak).as("memory growth while streaming 20 MB").isLessThan(8L << 20);
      out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(readLine(in)).startsWith("+OK");
    }
  }

  private static String readLine(java.io.InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed after: " + b);
      }
      b.append((char) c);
    }
    int len = b.length();
    return len > 0 && b.charAt(len - 1) == '\r' ? b.substring(0, len - 1) : b.toString();
  }

  // ---------------------------------------------------------------- answers of the proxy's own

  @Test
  void loginFailuresApopCapaAndAnUnreachableUpstreamGetClearAnswers() throws Exception {
    String user = dovecot.newUser("answers");
    try (ProxyServer proxy = translating(Pop3Translation.defaults(), List.of(), null);
        RawClient c = RawClient.connect(proxy.endpoint().port(), "answers")) {
      assertThat(c.line()).startsWith("+OK");
      c.sendLine("CAPA");
      assertThat(c.pop3(true))
          .contains("\r\nUSER\r\n", "\r\nSASL PLAIN LOGIN\r\n", "\r\nUIDL\r\n", "\r\nTOP\r\n")
          .doesNotContain("STLS", "APOP");
      c.sendLine("APOP " + user + " c4c9334bac560ecc979e58001b3e22fb");
      assertThat(c.line()).startsWith("-ERR").contains("APOP is not available");
      c.sendLine("USER " + user);
      assertThat(c.line()).startsWith("+OK");
      c.sendLine("PASS wrong");
      assertThat(c.line()).startsWith("-ERR [AUTH] ");
      c.sendLine("STAT");
      assertThat(c.line()).startsWith("-ERR");
      // AUTH PLAIN with the SASL exchange, then a pipelined batch.
      c.sendLine("AUTH PLAIN");
      assertThat(c.line()).isEqualTo("+ ");
      c.sendLine(
          java.util.Base64.getEncoder()
              .encodeToString(
                  ("\0" + user + "\0" + Dovecot.PASSWORD).getBytes(StandardCharsets.UTF_8)));
      assertThat(c.line()).startsWith("+OK").contains("5 messages");
      c.send("STAT\r\nLIST 1\r\nUIDL 9\r\nNOOP\r\nQUIT\r\n");
      assertThat(c.line()).startsWith("+OK 5 ");
      assertThat(c.line()).startsWith("+OK 1 ");
      assertThat(c.line()).startsWith("-ERR");
      assertThat(c.line()).isEqualTo("+OK");
      assertThat(c.line()).startsWith("+OK");
    }
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    try (ProxyServer proxy = translatingTo(closedPort, Pop3Translation.defaults());
        RawClient c = RawClient.connect(proxy.endpoint().port(), "unreachable")) {
      assertThat(c.line()).startsWith("-ERR [SYS/TEMP] ");
    }
  }

  @Test
  void stlsOnTheClientSideAndImplicitTlsUpstream() throws Exception {
    try (Dovecot tls = Dovecot.start(Dovecot.Option.TLS)) {
      String user = tls.newUser("stls");
      CertificateAuthority ca = CertificateAuthority.loadOrCreate(work.resolve("ca"));
      ProxyTls contexts =
          new ProxyTls(
              TlsContexts.server(ca.issue(List.of()), false, null),
              TlsContexts.client(List.of(tls.tlsCaFile()), false, null));
      ProxyConfig config =
          new ProxyConfig(
              new Endpoint(Protocol.POP3, TlsMode.STARTTLS, "127.0.0.1", 0),
              new Endpoint(Protocol.IMAP, TlsMode.IMPLICIT, "127.0.0.1", tls.imapsPort()),
              Limits.defaults(),
              Duration.ofSeconds(5),
              true,
              Pop3Translation.defaults());
      try (ProxyServer proxy = new ProxyServer(config, contexts, List.of(), null)) {
        proxy.start();
        int port = proxy.endpoint().port();
        try (RawClient c = RawClient.connect(port, "plain")) {
          assertThat(c.line()).startsWith("+OK");
          c.sendLine("CAPA");
          assertThat(c.pop3(true)).contains("\r\nSTLS\r\n").doesNotContain("USER", "SASL");
          c.sendLine("USER " + user);
          assertThat(c.line()).startsWith("-ERR").contains("STLS first");
        }
        String pem = ca.certificateFile().toString();
        String base = "pop3://127.0.0.1:" + port;
        String list = RealClientsIT.curl(work, user, base + "/", "--ssl-reqd", "--cacert", pem);
        assertThat(list.split("\r\n")).hasSize(5);
        try (DirectImap imap = DirectImap.login(tls.imapPort(), user)) {
          Transcripts.assertIdentical(
              "message 3 over STLS and imaps",
              imap.body(3),
              RealClientsIT.curl(work, user, base + "/3", "--ssl-reqd", "--cacert", pem)
                  .getBytes(StandardCharsets.ISO_8859_1));
        }
      }
    }
  }

  // ---------------------------------------------------------------- rules, capture, options

  @Test
  void rulesMatchThePop3ClientSideAndTheImapServerSide() throws Exception {
    String user = dovecot.newUser("rules");
    String rules =
        """
        {"version": 1, "rules": [
          {"id": "no-retr-2", "when": {"protocol": "pop3", "direction": "client",
              "command": "RETR", "line": "^RETR 2$"},
           "action": {"type": "answer", "lines": "-ERR [SYS/TEMP] not today (rule)"}},
          {"id": "tag-subject", "when": {"protocol": "imap", "direction": "server",
              "response": "FETCH", "command": "UID FETCH"},
           "action": {"type": "replace", "pattern": "Subject: ", "replacement": "Subject: [imap rule] ",
              "literals": true}}
        ]}
        """;
    RuleLoader.Result loaded = RuleLoader.load("rules.json", rules);
    assertThat(loaded.errors()).isEmpty();
    Path captures = work.resolve("captures");
    CaptureStore store = new CaptureStore(CaptureSettings.in(captures));
    try (ProxyServer proxy =
        translating(Pop3Translation.defaults(), List.of(new RuleEngine(loaded::rules)), store)) {
      int port = proxy.endpoint().port();
      try (RawClient c = RawClient.connect(port, "rules")) {
        assertThat(c.line()).startsWith("+OK");
        c.sendLine("USER " + user);
        c.line();
        c.sendLine("PASS " + Dovecot.PASSWORD);
        assertThat(c.line()).startsWith("+OK");
        c.sendLine("RETR 2");
        assertThat(c.line()).isEqualTo("-ERR [SYS/TEMP] not today (rule)");
        c.sendLine("RETR 1");
        assertThat(c.pop3(true))
            .as("the IMAP-side rule rewrote the FETCH literal")
            .startsWith("+OK")
            .contains("\r\nSubject: [imap rule] ");
        c.sendLine("QUIT");
        assertThat(c.line()).startsWith("+OK");
      }
      awaitNoSessions(proxy);
    } finally {
      store.close();
    }
    String capture;
    try (Stream<Path> files = Files.walk(captures)) {
      Path file = files.filter(p -> p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
      capture = Files.readString(file, StandardCharsets.UTF_8);
    }
    assertThat(capture)
        .contains("\"translation\":\"pop3-over-imap\"")
        .contains("\"dir\":\"client>proxy\"", "\"dir\":\"proxy>client\"")
        .contains("\"dir\":\"proxy>upstream\"", "\"dir\":\"upstream>proxy\"")
        .contains("\"rule\":\"no-retr-2\"", "\"rule\":\"tag-subject\"")
        .contains("\"type\":\"footer\"")
        .doesNotContain(Dovecot.PASSWORD);
  }

  @Test
  void descendingOrderAndMarkSeen() throws Exception {
    String user = dovecot.newUser("order");
    try (ProxyServer proxy =
            translating(
                new Pop3Translation("INBOX", true, Pop3Translation.Order.UID_DESC),
                List.of(),
                null);
        DirectImap imap = DirectImap.login(dovecot.imapPort(), user);
        Pop3 pop = Pop3.login(proxy.endpoint().port(), user)) {
      long v = imap.uidValidity();
      assertThat(pop.single("UIDL 1")).isEqualTo("+OK 1 " + v + ".5");
      assertThat(imap.flags(2)).doesNotContain("\\Seen");
      assertThat(pop.multi("RETR 4")).startsWith("+OK");
      assertThat(pop.single("QUIT")).startsWith("+OK");
      assertThat(imap.flags(2)).as("message 4 in descending order is UID 2").contains("\\Seen");
    }
  }

  // ---------------------------------------------------------------- helpers

  private static ProxyServer translating(
      Pop3Translation options, List<Interceptor> extra, CaptureStore store)
      throws InterruptedException {
    ProxyServer proxy =
        new ProxyServer(
            config(dovecot.imapPort(), options), dev.quirkproxy.relay.ProxyTls.NONE, extra, null);
    if (store != null) {
      proxy.recordTo(store, "pop3-over-imap");
    }
    proxy.start();
    return proxy;
  }

  private static ProxyServer translatingTo(int imapPort, Pop3Translation options)
      throws InterruptedException {
    ProxyServer proxy = new ProxyServer(config(imapPort, options));
    proxy.start();
    return proxy;
  }

  private static ProxyConfig config(int imapPort, Pop3Translation options) {
    return new ProxyConfig(
        new Endpoint(Protocol.POP3, false, "127.0.0.1", 0),
        new Endpoint(Protocol.IMAP, false, "127.0.0.1", imapPort),
        Limits.defaults(),
        Duration.ofSeconds(5),
        true,
        options);
  }

  private static void awaitNoSessions(ProxyServer proxy) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (proxy.openSessions() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(proxy.openSessions()).as("sessions still open").isZero();
  }

  /** Heap after a GC plus the direct memory Netty uses, in octets. */
  private static long usedMemory() {
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long direct = PlatformDependent.usedDirectMemory();
    long pooled = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
    return heap + Math.max(direct, pooled);
  }

  /** A message of about {@code size} octets: text lines, some starting with dots. */
  private static byte[] bigMessage(int size) {
    ByteArrayOutputStream b = new ByteArrayOutputStream(size + 200);
    b.writeBytes(
        ("From: big@example.com\r\nTo: you@example.com\r\nSubject: twenty megabytes\r\n"
                + "Message-ID: <big-20@example.com>\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    for (int i = 0; b.size() < size; i++) {
      String line =
          (i % 97 == 0 ? "." : "")
              + (i % 1000 == 0 ? "." : "")
              + "line "
              + i
              + " of the big one"
              + " ".repeat(i % 50)
              + "x".repeat(20);
      b.writeBytes((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }
    return b.toByteArray();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  /** A POP3 client on a raw socket, logged in with USER/PASS. */
  private static final class Pop3 implements AutoCloseable {
    private final RawClient c;

    private Pop3(RawClient c) {
      this.c = c;
    }

    static Pop3 login(int port, String user) throws IOException {
      RawClient c = RawClient.connect(port, "pop3");
      assertThat(c.line()).startsWith("+OK");
      c.sendLine("USER " + user);
      assertThat(c.line()).startsWith("+OK");
      c.sendLine("PASS " + Dovecot.PASSWORD);
      assertThat(c.line()).startsWith("+OK");
      return new Pop3(c);
    }

    String single(String command) throws IOException {
      c.sendLine(command);
      return c.line();
    }

    String multi(String command) throws IOException {
      c.sendLine(command);
      return c.pop3(true);
    }

    void sendLine(String line) throws IOException {
      c.sendLine(line);
    }

    String line() throws IOException {
      return c.line();
    }

    @Override
    public void close() throws IOException {
      c.close();
    }
  }

  /** Dovecot over IMAP directly, to see what the translation did to the mailbox. */
  private static final class DirectImap implements AutoCloseable {
    private final RawClient c;
    private int tag;

    private DirectImap(RawClient c) {
      this.c = c;
    }

    static DirectImap login(int port, String user) throws IOException {
      DirectImap imap = new DirectImap(RawClient.connect(port, "direct-imap"));
      imap.c.line();
      imap.ok("LOGIN " + user + " " + Dovecot.PASSWORD);
      imap.ok("SELECT INBOX");
      return imap;
    }

    String ok(String command) throws IOException {
      String t = "d" + (++tag);
      c.sendLine(t + " " + command);
      String all = c.untilTagged(t);
      assertThat(all).as(command).contains(t + " OK");
      return all;
    }

    List<String> capabilities() throws IOException {
      String all = ok("CAPABILITY");
      String line = all.lines().filter(l -> l.startsWith("* CAPABILITY")).findFirst().orElseThrow();
      return List.of(line.substring(13).split(" "));
    }

    long uidValidity() throws IOException {
      String all = ok("STATUS INBOX (UIDVALIDITY)");
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("UIDVALIDITY (\\d+)").matcher(all);
      assertThat(m.find()).isTrue();
      return Long.parseLong(m.group(1));
    }

    List<Long> uids() throws IOException {
      return search("ALL");
    }

    List<Long> uidsFlagged(String key) throws IOException {
      return search(key);
    }

    private List<Long> search(String key) throws IOException {
      ok("NOOP");
      String all = ok("UID SEARCH " + key);
      String line = all.lines().filter(l -> l.startsWith("* SEARCH")).findFirst().orElseThrow();
      return Stream.of(line.substring(8).trim().split(" "))
          .filter(s -> !s.isEmpty())
          .map(Long::parseLong)
          .sorted()
          .toList();
    }

    String flags(long uid) throws IOException {
      return ok("UID FETCH " + uid + " (FLAGS)");
    }

    long size(long uid) throws IOException {
      String all = ok("UID FETCH " + uid + " (RFC822.SIZE)");
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("RFC822.SIZE (\\d+)").matcher(all);
      assertThat(m.find()).isTrue();
      return Long.parseLong(m.group(1));
    }

    void store(long uid, String what) throws IOException {
      ok("UID STORE " + uid + " " + what);
    }

    /** The message's BODY[] octets, as Dovecot gives them over IMAP. */
    byte[] body(long uid) throws IOException {
      String t = "d" + (++tag);
      c.sendLine(t + " UID FETCH " + uid + " (BODY.PEEK[])");
      byte[] body = null;
      for (String line = c.line(); !line.startsWith(t + " "); line = c.line()) {
        long n = RawClient.literalAtEnd(line);
        if (n >= 0) {
          byte[] octets = c.bytes(n);
          if (line.contains("BODY[]")) {
            body = octets;
          }
        }
      }
      assertThat(body).as("BODY[] of UID %d", uid).isNotNull();
      return body;
    }

    void append(byte[] message) throws IOException {
      String t = "d" + (++tag);
      c.sendLine(t + " APPEND INBOX {" + message.length + "}");
      assertThat(c.line()).startsWith("+");
      c.send(message);
      c.send("\r\n");
      assertThat(c.untilTagged(t)).contains(t + " OK");
    }

    @Override
    public void close() throws IOException {
      c.close();
    }
  }
}
