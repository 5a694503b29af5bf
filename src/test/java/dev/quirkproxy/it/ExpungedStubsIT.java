package dev.quirkproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.fingerprint.Catalog;
import dev.quirkproxy.relay.Endpoint;
import dev.quirkproxy.relay.ProxyConfig;
import dev.quirkproxy.relay.ProxyServer;
import dev.quirkproxy.rules.RuleEngine;
import dev.quirkproxy.rules.RuleLoader;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.testing.ScriptedServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code rules/expunged-stubs.json} against Dovecot with two concurrent sessions: while an
 * Outlook-style client (tags A1060, A1061, …; identified by its tag style, and forced to outlook
 * here so the test does not depend on the catalog's weights) has INBOX selected through the proxy,
 * a second connection expunges a message directly. The client's FETCH of that message gets data and
 * a tagged OK; its NOOP then tells it of the expunge; a third, direct connection shows the message
 * is really gone. Dovecot itself answers such a FETCH with stub data, so there the rule must only
 * stay out of the way; the scripted upstream below answers NO and sends EXPUNGE during the FETCH,
 * which the proxy must smooth over.
 */
class ExpungedStubsIT {

  private static Dovecot dovecot;
  private ProxyServer proxy;

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

  @AfterEach
  void stopProxy() {
    if (proxy != null) {
      proxy.shutdown(Duration.ofSeconds(2));
    }
  }

  private int startProxy() throws InterruptedException {
    return startProxy(dovecot.imapPort());
  }

  private int startProxy(int upstreamPort) throws InterruptedException {
    RuleLoader.Result rules = RuleLoader.load(Path.of("rules/expunged-stubs.json"));
    assertThat(rules.errors()).isEmpty();
    proxy =
        new ProxyServer(
                ProxyConfig.of(
                    new Endpoint(Protocol.IMAP, false, "127.0.0.1", 0),
                    new Endpoint(Protocol.IMAP, false, "127.0.0.1", upstreamPort)),
                List.of(new RuleEngine(rules::rules)),
                null)
            .identifyWith(Catalog.builtin(), "outlook");
    return proxy.start().port();
  }

  private static String run(RawClient c, String tag, String command) throws Exception {
    c.sendLine(tag + " " + command);
    return c.untilTagged(tag);
  }

  /**
   * An upstream that answers NO for a message expunged elsewhere and sends the EXPUNGE in the
   * middle of the FETCH (RFC 9051 §7.5.1 forbids both): the client gets a stub and a tagged OK, and
   * hears of the expunge at its NOOP.
   */
  @Test
  void anUpstreamThatAnswersNoAndExpungesDuringFetchIsSmoothedOver() throws Exception {
    try (ScriptedServer upstream = new ScriptedServer(ExpungedStubsIT::strictServer)) {
      int port = startProxy(upstream.port());
      try (RawClient outlook = RawClient.connect(port, "outlook")) {
        outlook.line();
        run(outlook, "A1060", "LOGIN \"u\" \"p\"");
        assertThat(run(outlook, "A1061", "SELECT \"INBOX\"")).contains("* 3 EXISTS");
        run(outlook, "A1062", "FETCH 1:3 (UID FLAGS)");
        String fetch = run(outlook, "A1063", "FETCH 2 (UID FLAGS)");
        assertThat(fetch)
            .isEqualTo(
                "* 2 FETCH (UID 2 FLAGS (\\Seen))\r\n"
                    + "A1063 OK FETCH completed (quirkproxy: stubs for expunged messages)\r\n");
        // Its 3 is the upstream's 2 now.
        assertThat(run(outlook, "A1064", "FETCH 3 (UID)")).startsWith("* 3 FETCH (UID 3)");
        assertThat(run(outlook, "A1065", "NOOP")).isEqualTo("* 2 EXPUNGE\r\nA1065 OK done\r\n");
      }
      assertThat(upstream.failures()).isEmpty();
    }
  }

  /** Expunges message 2 "from another session" and says so at the worst moments. */
  private static void strictServer(java.net.Socket socket) throws Exception {
    var in =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(
                socket.getInputStream(), java.nio.charset.StandardCharsets.ISO_8859_1));
    var out = socket.getOutputStream();
    java.util.function.Consumer<String> say =
        text -> {
          try {
            out.write(text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            out.flush();
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        };
    say.accept("* OK [CAPABILITY IMAP4rev1] strict server ready\r\n");
    boolean expunged = false;
    for (String line; (line = in.readLine()) != null; ) {
      String tag = line.substring(0, line.indexOf(' '));
      String command = line.substring(tag.length() + 1);
      if (command.startsWith("SELECT")) {
        say.accept("* 3 EXISTS\r\n* OK [UIDVALIDITY 9] ok\r\n" + tag + " OK [READ-WRITE] done\r\n");
      } else if (command.equals("FETCH 1:3 (UID FLAGS)")) {
        say.accept(
            "* 1 FETCH (UID 1 FLAGS ())\r\n* 2 FETCH (UID 2 FLAGS (\\Seen))\r\n"
                + "* 3 FETCH (UID 3 FLAGS ())\r\n"
                + tag
                + " OK done\r\n");
      } else if (command.startsWith("FETCH 2 ") && !expunged) {
        expunged = true;
        say.accept("* 2 EXPUNGE\r\n" + tag + " NO [EXPUNGEISSUED] message 2 is gone\r\n");
      } else if (command.equals("FETCH 2 (UID)")) {
        say.accept("* 2 FETCH (UID 3)\r\n" + tag + " OK done\r\n");
      } else if (command.startsWith("LOGOUT")) {
        say.accept("* BYE bye\r\n" + tag + " OK done\r\n");
        return;
      } else {
        say.accept(tag + " OK done\r\n");
      }
    }
  }

  @Test
  void aMessageExpungedElsewhereIsFetchedAsAStubThenExpunged() throws Exception {
    int port = startProxy();
    String user = dovecot.newUser("stubs");
    try (RawClient outlook = RawClient.connect(port, "outlook");
        RawClient other = RawClient.connect(dovecot.imapPort(), "other")) {
      outlook.line();
      assertThat(run(outlook, "A1060", "LOGIN \"" + user + "\" \"" + Dovecot.PASSWORD + "\""))
          .contains("A1060 OK");
      assertThat(run(outlook, "A1061", "SELECT \"INBOX\"")).contains("* 5 EXISTS");
      run(outlook, "A1062", "UID FETCH 1:* (UID FLAGS)");

      other.line();
      run(other, "b1", "LOGIN " + user + " " + Dovecot.PASSWORD);
      run(other, "b2", "SELECT INBOX");
      assertThat(run(other, "b3", "STORE 3 +FLAGS.SILENT (\\Deleted)")).contains("b3 OK");
      assertThat(run(other, "b4", "EXPUNGE")).contains("* 3 EXPUNGE");

      // Dovecot has not told this session yet (FETCH may not carry EXPUNGE): message 3 is gone.
      String fetch = run(outlook, "A1063", "FETCH 3 (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER])");
      assertThat(fetch).contains("* 3 FETCH (").contains("A1063 OK").doesNotContain("A1063 NO");
      String noop = run(outlook, "A1064", "NOOP");
      assertThat(noop).contains("* 3 EXPUNGE").contains("A1064 OK");
      assertThat(run(outlook, "A1065", "FETCH 1:* (UID)"))
          .contains("* 4 FETCH")
          .doesNotContain("* 5 FETCH");
    }
    try (RawClient truth = RawClient.connect(dovecot.imapPort(), "truth")) {
      truth.line();
      run(truth, "t1", "LOGIN " + user + " " + Dovecot.PASSWORD);
      assertThat(run(truth, "t2", "EXAMINE INBOX")).contains("* 4 EXISTS");
      assertThat(run(truth, "t3", "UID SEARCH ALL")).contains("* SEARCH 1 2 4 5");
    }
  }
}
