package dev.quirkproxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quirkproxy.capture.CaptureReader;
import dev.quirkproxy.cli.Main;
import dev.quirkproxy.testing.LineClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quirkproxy proxy --config FILE} as users run it: the packaged jar in its own JVM with
 * several listeners from one YAML file in front of a real Dovecot, real clients (curl, Python's
 * imaplib and poplib) through each listener, captures that say which listener a session came
 * through, and a SIGHUP that changes the listeners while a session is open.
 */
class ConfigFileIT {

  private static final Duration START = Duration.ofSeconds(60);
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(40);

  private static Dovecot dovecot;

  @TempDir Path tmp;

  @BeforeAll
  static void startDovecot() throws Exception {
    dovecot = Dovecot.start(Dovecot.Option.TLS);
  }

  @AfterAll
  static void stopDovecot() {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  /**
   * IMAP, IMAPS, POP3, POP3S and POP3-served-from-IMAP listeners in one process; curl and Python
   * through each of the first four get what they get from Dovecot directly, curl through the
   * translating one gets the message IMAP holds, and every capture names its listener.
   */
  @Test
  void fiveListenersFromOneFileServeRealClients() throws Exception {
    Path caDir = tmp.resolve("proxy-ca");
    String config =
        fill(
            """
        version: 1
        noRules: true
        captures:
          directory: captures
        tls:
          caDir: proxy-ca
        listeners:
          - name: imap
            listen: imap://127.0.0.1:0
            upstream: imap://127.0.0.1:%d
          - name: imaps
            listen: imaps://127.0.0.1:0
            upstream: imaps://127.0.0.1:%d
            upstreamCa: %s
          - name: pop3
            listen: pop3://127.0.0.1:0
            upstream: pop3://127.0.0.1:%d
          - name: pop3s
            listen: pop3s://127.0.0.1:0
            upstream: pop3s://127.0.0.1:%d
            upstreamCa: [%s]
          - name: pop3-from-imap
            listen: pop3://127.0.0.1:0
            upstream: imap://127.0.0.1:%d
            translate:
              pop3Mailbox: INBOX
              pop3MarkSeen: false
              pop3Order: uid
        """,
            dovecot.imapPort(),
            dovecot.imapsPort(),
            dovecot.tlsCaFile(),
            dovecot.pop3Port(),
            dovecot.pop3sPort(),
            dovecot.tlsCaFile(),
            dovecot.imapPort());
    Path file = Files.writeString(tmp.resolve("proxy.yaml"), config, StandardCharsets.UTF_8);
    assertThat(check(file)).as("config check").startsWith("0 ");

    try (ProxyProcess proxy =
        ProxyProcess.start(tmp, tmp.resolve("proxy.log"), "proxy", "--config", file.toString())) {
      Map<String, String[]> table =
          proxy.awaitTable(Set.of("imap", "imaps", "pop3", "pop3s", "pop3-from-imap"), START);
      proxy.awaitLine(l -> l.startsWith("Stop with"), START);
      assertThat(table.get("imaps")[3]).as("client TLS of imaps").isEqualTo("implicit");
      assertThat(table.get("imaps")[4]).as("upstream TLS of imaps").isEqualTo("implicit");
      assertThat(table.get("pop3")[3]).isEqualTo("none");
      assertThat(table.get("pop3")[6]).as("captures column").isEqualTo("captures");
      Path proxyCa = caDir.resolve("ca.pem");
      assertThat(proxyCa).exists();

      record Door(String listener, String protocol, String mode, int directPort) {}
      List<Door> doors =
          List.of(
              new Door("imap", "imap", "none", dovecot.imapPort()),
              new Door("imaps", "imap", "implicit", dovecot.imapsPort()),
              new Door("pop3", "pop3", "none", dovecot.pop3Port()),
              new Door("pop3s", "pop3", "implicit", dovecot.pop3sPort()));
      for (Door d : doors) {
        int port = port(table.get(d.listener()));
        String user = dovecot.newUser("cfg-" + d.listener());
        Path work = Files.createDirectories(tmp.resolve("work-" + d.listener()));
        Exec.Result curl = curl(work, d.protocol(), d.mode(), port, user, proxyCa).expectExit(0);
        Transcripts.assertIdentical(
            d.listener() + ": message 1 through curl", MailSeed.PLAIN.crlf(), curl.stdout());
        String proxied =
            python(work, d.protocol(), d.mode(), port, proxyCa, user).expectExit(0).stdoutText();
        String directUser = dovecot.newUser("cfg-direct-" + d.listener());
        String direct =
            python(work, d.protocol(), d.mode(), d.directPort(), dovecot.tlsCaFile(), directUser)
                .expectExit(0)
                .stdoutText();
        // A listener without client-side TLS hides the upstream's STARTTLS/STLS (README, TLS).
        assertThat(proxied)
            .as("%s: Python through the proxy vs direct", d.listener())
            .isEqualTo(withoutStartTls(direct));
        assertThat(proxied).contains(d.protocol().equals("imap") ? "body 5 OK" : "retr 5 b'+OK");
      }

      // POP3 served from IMAP: curl's RETR 1 is the message IMAP holds, byte for byte.
      String translatedUser = dovecot.newUser("cfg-translated");
      Path work = Files.createDirectories(tmp.resolve("work-translated"));
      Exec.Result curl =
          curl(work, "pop3", "none", port(table.get("pop3-from-imap")), translatedUser, proxyCa)
              .expectExit(0);
      Transcripts.assertIdentical(
          "pop3-from-imap: message 1 through curl", MailSeed.PLAIN.crlf(), curl.stdout());

      // Two sessions per listener (curl, Python), one through the translating listener (curl),
      // each capture naming its listener.
      Map<String, Integer> perListener = awaitCaptures(tmp.resolve("captures"), 9);
      assertThat(perListener)
          .containsExactlyInAnyOrderEntriesOf(
              Map.of("imap", 2, "imaps", 2, "pop3", 2, "pop3s", 2, "pop3-from-imap", 1));
      assertThat(proxy.stop(Duration.ofSeconds(20))).isEqualTo(143);
    }
  }

  /**
   * A SIGHUP with a changed file while sessions are open: the removed listener stops accepting, the
   * new one works, the changed one is replaced on the same address while its open session goes on
   * with the old settings, the unchanged one is left alone; the rules are reloaded for every
   * listener, open sessions included.
   */
  @Test
  void sighupAppliesAChangedFileWithoutDroppingSessions() throws Exception {
    int changedPort = freePort();
    Path rules = Files.createDirectories(tmp.resolve("rules"));
    Files.writeString(
        rules.resolve("noop.json"), "{\"version\": 1, \"rules\": []}", StandardCharsets.UTF_8);
    String before =
        fill(
            """
        version: 1
        rules: rules
        captures:
          directory: captures
        listeners:
          - name: kept
            listen: imap://127.0.0.1:0
            upstream: imap://127.0.0.1:%1$d
          - name: changed
            listen: imap://127.0.0.1:%2$d
            upstream: imap://127.0.0.1:%1$d
          - name: removed
            listen: pop3://127.0.0.1:0
            upstream: pop3://127.0.0.1:%3$d
        """,
            dovecot.imapPort(), changedPort, dovecot.pop3Port());
    Path file = Files.writeString(tmp.resolve("proxy.yaml"), before, StandardCharsets.UTF_8);
    String user = dovecot.newUser("cfg-hup");
    try (ProxyProcess proxy =
        ProxyProcess.start(tmp, tmp.resolve("proxy.log"), "proxy", "--config", file.toString())) {
      Map<String, String[]> table = proxy.awaitTable(Set.of("kept", "changed", "removed"), START);
      proxy.awaitLine(l -> l.startsWith("Stop with"), START);
      assertThat(table.get("kept")[5]).as("rules column").isEqualTo("rules");
      int keptPort = port(table.get("kept"));
      int removedPort = port(table.get("removed"));
      assertThat(port(table.get("changed"))).isEqualTo(changedPort);

      try (LineClient onChanged = login(changedPort, user, "c");
          LineClient onKept = login(keptPort, user, "k")) {
        Files.writeString(
            file,
            before
                .replace(
                    "listen: imap://127.0.0.1:" + changedPort,
                    "listen: imap://127.0.0.1:" + changedPort + "\n    limits: {idleTimeout: 45m}")
                .replace("name: removed", "name: added"),
            StandardCharsets.UTF_8);
        Files.writeString(
            rules.resolve("noop.json"),
            """
            {"version": 1, "rules": [{"id": "noop-from-proxy",
              "when": {"protocol": "imap", "direction": "client", "command": "NOOP"},
              "action": {"type": "answer", "lines": ["{tag} OK NOOP answered by quirkproxy"]}}]}
            """,
            StandardCharsets.UTF_8);
        proxy.hangUp();
        String reloaded = proxy.awaitLine(l -> l.startsWith("Reloaded "), START);
        assertThat(reloaded)
            .contains("replaced changed (1 open sessions go on)")
            .contains("stopped removed")
            .contains("opened added")
            .contains("unchanged kept");
        Map<String, String[]> after = proxy.awaitTable(Set.of("kept", "changed", "added"), START);
        assertThat(port(after.get("kept"))).isEqualTo(keptPort);
        assertThat(port(after.get("changed"))).isEqualTo(changedPort);

        // The session on the replaced listener goes on, and the new rules reach it.
        onChanged.send("c3 UID FETCH 1 (BODY.PEEK[])\r\n");
        assertThat(onChanged.readUntil("c3 ")).startsWith("c3 OK");
        onChanged.send("c4 NOOP\r\n");
        assertThat(onChanged.readLine()).isEqualTo("c4 OK NOOP answered by quirkproxy");
        onKept.send("k3 NOOP\r\n");
        assertThat(onKept.readLine()).isEqualTo("k3 OK NOOP answered by quirkproxy");

        // New sessions on the same address reach the replacement.
        try (LineClient fresh = login(changedPort, user, "n")) {
          fresh.send("n3 NOOP\r\n");
          assertThat(fresh.readLine()).isEqualTo("n3 OK NOOP answered by quirkproxy");
        }
        assertThatThrownBy(() -> new Socket("127.0.0.1", removedPort).close())
            .as("the removed listener's port")
            .isInstanceOf(ConnectException.class);
        Exec.Result curl =
            curl(
                    Files.createDirectories(tmp.resolve("work-added")),
                    "pop3",
                    "none",
                    port(after.get("added")),
                    user,
                    null)
                .expectExit(0);
        Transcripts.assertIdentical(
            "message 1 through 'added'", MailSeed.PLAIN.crlf(), curl.stdout());

        onChanged.send("c5 LOGOUT\r\n");
        assertThat(onChanged.readUntil("c5 ")).startsWith("c5 OK");
        onKept.send("k5 LOGOUT\r\n");
        assertThat(onKept.readUntil("k5 ")).startsWith("k5 OK");
      }
      Map<String, Integer> perListener = awaitCaptures(tmp.resolve("captures"), 4);
      assertThat(perListener)
          .containsExactlyInAnyOrderEntriesOf(Map.of("kept", 1, "changed", 2, "added", 1));
      assertThat(proxy.alive()).isTrue();
      assertThat(proxy.stop(Duration.ofSeconds(20))).isEqualTo(143);
    }
  }

  // ---------------------------------------------------------------- helpers

  /** {@code quirkproxy config check FILE}: "EXIT OUT ERR". */
  private static String check(Path file) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Main.run(new PrintWriter(out), new PrintWriter(err), "config", "check", file.toString());
    return code + " " + out + err;
  }

  private static String fill(String template, Object... values) {
    return String.format(Locale.ROOT, template, values);
  }

  private static String withoutStartTls(String summary) {
    return summary.replaceAll("(?m)^(caps .*?) ?\\b(STARTTLS|STLS)\\b", "$1");
  }

  private static int port(String[] row) {
    String listen = row[1];
    return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static LineClient login(int port, String user, String tag) throws IOException {
    LineClient c = new LineClient(port);
    assertThat(c.readLine()).startsWith("* OK");
    c.send(tag + "1 LOGIN " + user + " " + Dovecot.PASSWORD + "\r\n");
    assertThat(c.readUntil(tag + "1 ")).startsWith(tag + "1 OK");
    c.send(tag + "2 SELECT INBOX\r\n");
    assertThat(c.readUntil(tag + "2 ")).startsWith(tag + "2 OK");
    return c;
  }

  /** Waits until {@code count} captures are complete; returns how many each listener has. */
  private static Map<String, Integer> awaitCaptures(Path dir, int count) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    for (; ; ) {
      List<CaptureReader.Capture> done = new ArrayList<>();
      if (Files.isDirectory(dir)) {
        try (Stream<Path> files = Files.walk(dir)) {
          for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
            CaptureReader.Capture c = CaptureReader.read(f);
            if (c.complete()) {
              done.add(c);
            }
          }
        }
      }
      if (done.size() >= count || System.nanoTime() > deadline) {
        Map<String, Integer> per = new HashMap<>();
        for (CaptureReader.Capture c : done) {
          ObjectNode header = c.header();
          per.merge(header.path("listener").asText("(none)"), 1, Integer::sum);
        }
        return per;
      }
      Thread.sleep(100);
    }
  }

  private static Exec.Result curl(
      Path work, String protocol, String mode, int port, String user, Path caFile)
      throws IOException, InterruptedException {
    String scheme = mode.equals("implicit") ? protocol + "s" : protocol;
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            "curl",
            "--silent",
            "--show-error",
            "--max-time",
            Long.toString(CLIENT_TIMEOUT.toSeconds() - 5),
            "--user",
            user + ":" + Dovecot.PASSWORD));
    if (caFile != null) {
      cmd.addAll(List.of("--cacert", caFile.toString()));
    }
    cmd.add(scheme + "://127.0.0.1:" + port + (protocol.equals("imap") ? "/INBOX;UID=1" : "/1"));
    return Exec.run(CLIENT_TIMEOUT, work, Map.of(), cmd);
  }

  private static Exec.Result python(
      Path work, String protocol, String mode, int port, Path caFile, String user)
      throws IOException, InterruptedException, URISyntaxException {
    URL resource = ConfigFileIT.class.getResource("/clients/tls_client.py");
    assertThat(resource).as("test resource clients/tls_client.py").isNotNull();
    return Exec.run(
        CLIENT_TIMEOUT,
        work,
        Map.of("PYTHONDONTWRITEBYTECODE", "1", "PYTHONIOENCODING", "utf-8"),
        List.of(
            "python3",
            Path.of(resource.toURI()).toString(),
            protocol,
            mode,
            "127.0.0.1",
            Integer.toString(port),
            caFile.toString(),
            user,
            Dovecot.PASSWORD));
  }
}
