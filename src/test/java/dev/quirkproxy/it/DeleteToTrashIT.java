package dev.quirkproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.capture.CaptureStore;
import dev.quirkproxy.demo.DemoUpstream;
import dev.quirkproxy.fingerprint.Catalog;
import dev.quirkproxy.relay.Endpoint;
import dev.quirkproxy.relay.ProxyConfig;
import dev.quirkproxy.relay.ProxyServer;
import dev.quirkproxy.rules.RuleEngine;
import dev.quirkproxy.rules.RuleLoader;
import dev.quirkproxy.session.Protocol;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped rules (all of {@code rules/}, as {@code proxy} loads them) for an Outlook-style
 * client against Dovecot with a Trash mailbox: a delete lands in Trash while the client sees the
 * message flagged until its EXPUNGE; a COPY followed by a delete with no refresh between is a move,
 * and nothing goes to Trash. What happened on the server is checked over a separate, direct
 * connection after each step.
 */
class DeleteToTrashIT {

  private static final Pattern EXISTS = Pattern.compile("\\* (\\d+) EXISTS");
  private static Dovecot dovecot;
  private ProxyServer proxy;

  @BeforeAll
  static void startDovecot() throws Exception {
    dovecot = Dovecot.start(Dovecot.Option.SPECIAL_USE);
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

  private static String run(RawClient c, String tag, String command) throws Exception {
    c.sendLine(tag + " " + command);
    return c.untilTagged(tag);
  }

  /** How many messages {@code mailbox} holds, asked over a direct connection. */
  private static int count(String user, String mailbox) throws Exception {
    try (RawClient t = RawClient.connect(dovecot.imapPort(), "truth")) {
      t.line();
      run(t, "t1", "LOGIN " + user + " " + Dovecot.PASSWORD);
      Matcher m = EXISTS.matcher(run(t, "t2", "EXAMINE \"" + mailbox + "\""));
      assertThat(m.find()).isTrue();
      run(t, "t3", "LOGOUT");
      return Integer.parseInt(m.group(1));
    }
  }

  /**
   * The same against GreenMail (the demo upstream: 5 messages, Trash and Archive), which has MOVE
   * and UIDPLUS; the result is checked over a direct connection to GreenMail.
   */
  @Test
  void againstGreenMailTooDeletesGoToTrash() throws Exception {
    try (DemoUpstream greenMail = DemoUpstream.start()) {
      RuleLoader.Result rules = RuleLoader.load(Path.of("rules"));
      proxy =
          new ProxyServer(
                  ProxyConfig.of(
                      new Endpoint(Protocol.IMAP, false, "127.0.0.1", 0),
                      new Endpoint(Protocol.IMAP, false, "127.0.0.1", greenMail.imapPort())),
                  List.of(new RuleEngine(rules::rules)),
                  null)
              .identifyWith(Catalog.builtin(), "outlook");
      int port = proxy.start().port();
      try (RawClient outlook = RawClient.connect(port, "outlook")) {
        outlook.line();
        // Outlook asks for the capabilities first; GreenMail's greeting does not list them, and
        // without MOVE or UIDPLUS known the proxy leaves the STORE alone.
        run(outlook, "A1059", "CAPABILITY");
        run(outlook, "A1060", "LOGIN \"demo\" \"demo\"");
        assertThat(run(outlook, "A1061", "SELECT \"INBOX\"")).contains("* 5 EXISTS");
        assertThat(run(outlook, "A1062", "STORE 2 +FLAGS (\\Deleted)"))
            .contains("* 2 FETCH (FLAGS (\\Deleted")
            .contains("A1062 OK");
        assertThat(run(outlook, "A1063", "EXPUNGE")).contains("* 2 EXPUNGE").contains("A1063 OK");
        run(outlook, "A1064", "LOGOUT");
      }
      try (RawClient truth = RawClient.connect(greenMail.imapPort(), "truth")) {
        truth.line();
        run(truth, "t1", "LOGIN demo demo");
        assertThat(run(truth, "t2", "EXAMINE Trash")).contains("* 1 EXISTS");
        assertThat(run(truth, "t3", "EXAMINE INBOX")).contains("* 4 EXISTS");
      }
    }
  }

  /**
   * An upstream with neither MOVE nor UIDPLUS (Dovecot told to advertise neither): the delete goes
   * as COPY, STORE and a plain EXPUNGE, and another message the user had flagged {@code \Deleted}
   * elsewhere is neither expunged nor loses its flag.
   */
  @Test
  void withoutMoveOrUidplusOtherDeletedMessagesSurvive() throws Exception {
    try (Dovecot old =
        Dovecot.start(Dovecot.Option.SPECIAL_USE, Dovecot.Option.NO_MOVE_NO_UIDPLUS)) {
      String user = old.newUser("oldserver");
      // Another client flagged message 4 \Deleted and has not expunged it.
      try (RawClient other = RawClient.connect(old.imapPort(), "other")) {
        other.line();
        run(other, "o1", "LOGIN " + user + " " + Dovecot.PASSWORD);
        run(other, "o2", "SELECT INBOX");
        run(other, "o3", "UID STORE 4 +FLAGS.SILENT (\\Deleted)");
        run(other, "o4", "LOGOUT");
      }
      RuleLoader.Result rules = RuleLoader.load(Path.of("rules"));
      proxy =
          new ProxyServer(
                  ProxyConfig.of(
                      new Endpoint(Protocol.IMAP, false, "127.0.0.1", 0),
                      new Endpoint(Protocol.IMAP, false, "127.0.0.1", old.imapPort())),
                  List.of(new RuleEngine(rules::rules)),
                  null)
              .identifyWith(Catalog.builtin(), "outlook");
      int port = proxy.start().port();
      try (RawClient outlook = RawClient.connect(port, "outlook")) {
        outlook.line();
        String login = run(outlook, "A1060", "LOGIN \"" + user + "\" \"" + Dovecot.PASSWORD + "\"");
        assertThat(login).doesNotContain("UIDPLUS").doesNotContain(" MOVE");
        assertThat(run(outlook, "A1061", "SELECT \"INBOX\"")).contains("* 5 EXISTS");
        // Outlook reads every message's UID and flags after SELECT.
        assertThat(run(outlook, "A1062", "FETCH 1:* (UID FLAGS)"))
            .contains("* 4 FETCH (UID 4 FLAGS (\\Deleted))");
        String stored = run(outlook, "A1063", "STORE 2 +FLAGS (\\Deleted)");
        assertThat(stored)
            .contains("* 2 FETCH (FLAGS (\\Deleted))")
            .doesNotContain("EXPUNGE")
            .contains("A1063 OK");
        // What the server holds now: message 2 in Trash, 4 in INBOX still flagged \Deleted.
        try (RawClient t = RawClient.connect(old.imapPort(), "truth")) {
          t.line();
          run(t, "t1", "LOGIN " + user + " " + Dovecot.PASSWORD);
          assertThat(run(t, "t2", "EXAMINE Trash")).contains("* 1 EXISTS");
          assertThat(run(t, "t3", "EXAMINE INBOX")).contains("* 4 EXISTS");
          assertThat(run(t, "t4", "UID FETCH 1:* (FLAGS)"))
              .contains("* 3 FETCH (UID 4 FLAGS (\\Deleted))")
              .doesNotContain("UID 1 FLAGS (\\Deleted")
              .doesNotContain("UID 3 FLAGS (\\Deleted")
              .doesNotContain("UID 5 FLAGS (\\Deleted");
          run(t, "t5", "LOGOUT");
        }
        assertThat(run(outlook, "A1064", "NOOP")).contains("* 2 EXPUNGE").contains("A1064 OK");
        run(outlook, "A1065", "LOGOUT");
      }
    }
  }

  /**
   * Move detection on Dovecot, which has MOVE: Outlook's COPY, delete and EXPUNGE of the same
   * message reach the server as one UID MOVE (seen on the wire between the proxy and Dovecot), and
   * the client sees its usual answers.
   */
  @Test
  void aCopyAndDeleteGoUpstreamAsOneUidMove(@TempDir Path captures) throws Exception {
    String user = dovecot.newUser("move");
    CaptureStore store = new CaptureStore(CaptureSettings.in(captures));
    try (TcpTap wire = new TcpTap(dovecot.imapPort())) {
      RuleLoader.Result rules = RuleLoader.load(Path.of("rules"));
      proxy =
          new ProxyServer(
                  ProxyConfig.of(
                      new Endpoint(Protocol.IMAP, false, "127.0.0.1", 0),
                      new Endpoint(Protocol.IMAP, false, "127.0.0.1", wire.port())),
                  List.of(new RuleEngine(rules::rules)),
                  null)
              .recordTo(store, "test")
              .identifyWith(Catalog.builtin(), "outlook");
      int port = proxy.start().port();
      try (RawClient outlook = RawClient.connect(port, "outlook")) {
        outlook.line();
        run(outlook, "A1060", "LOGIN \"" + user + "\" \"" + Dovecot.PASSWORD + "\"");
        assertThat(run(outlook, "A1061", "SELECT \"INBOX\"")).contains("* 5 EXISTS");
        run(outlook, "A1062", "UID FETCH 1:* (UID FLAGS)");
        assertThat(run(outlook, "A1063", "UID COPY 3 \"Archive\"")).contains("A1063 OK");
        assertThat(run(outlook, "A1064", "UID STORE 3 +FLAGS.SILENT (\\Deleted)"))
            .doesNotContain("EXPUNGE")
            .contains("A1064 OK");
        assertThat(run(outlook, "A1065", "UID EXPUNGE 3"))
            .contains("* 3 EXPUNGE")
            .contains("A1065 OK");
        run(outlook, "A1066", "LOGOUT");
      }
      proxy.shutdown(Duration.ofSeconds(2));
      proxy = null;
      String upstream =
          new String(
              wire.awaitAllClosed(Duration.ofSeconds(5)).get(0).fromClient(),
              java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(upstream)
          .contains("A1064 UID MOVE 3 \"Archive\"")
          .doesNotContain("UID COPY")
          .doesNotContain("STORE");
    }
    assertThat(count(user, "Archive")).isEqualTo(1);
    assertThat(count(user, "Trash")).as("a move sends nothing to Trash").isEqualTo(0);
    assertThat(count(user, "INBOX")).isEqualTo(4);
    store.close();
    keepExample(captures, "quirkproxy.example.capture.move");
  }

  /** With {@code -DPROPERTY=PATH}, keeps the session's capture there (captures/examples/). */
  private static void keepExample(Path captures, String property) throws java.io.IOException {
    String example = System.getProperty(property);
    if (example != null && !example.isBlank()) {
      try (var files = java.nio.file.Files.walk(captures)) {
        Path capture = files.filter(p -> p.toString().endsWith(".jsonl")).findFirst().orElseThrow();
        java.nio.file.Files.copy(
            capture, Path.of(example), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  @Test
  void deletesGoToTrashAndMovesDoNot(@TempDir Path captures) throws Exception {
    RuleLoader.Result rules = RuleLoader.load(Path.of("rules"));
    assertThat(rules.errors()).isEmpty();
    CaptureStore store = new CaptureStore(CaptureSettings.in(captures));
    proxy =
        new ProxyServer(
                ProxyConfig.of(
                    new Endpoint(Protocol.IMAP, false, "127.0.0.1", 0),
                    new Endpoint(Protocol.IMAP, false, "127.0.0.1", dovecot.imapPort())),
                List.of(new RuleEngine(rules::rules)),
                null)
            .recordTo(store, "test")
            .identifyWith(Catalog.builtin(), "outlook");
    int port = proxy.start().port();
    String user = dovecot.newUser("trash");
    try (RawClient outlook = RawClient.connect(port, "outlook")) {
      outlook.line();
      run(outlook, "A1060", "LOGIN \"" + user + "\" \"" + Dovecot.PASSWORD + "\"");
      assertThat(run(outlook, "A1061", "SELECT \"INBOX\"")).contains("* 5 EXISTS");

      String stored = run(outlook, "A1062", "STORE 2 +FLAGS (\\Deleted)");
      assertThat(stored).contains("* 2 FETCH (FLAGS (\\Deleted").contains("A1062 OK");
      assertThat(count(user, "Trash")).isEqualTo(1);
      assertThat(count(user, "INBOX")).isEqualTo(4);
      // The client still sees 5 messages; its 3 is the server's 2.
      assertThat(run(outlook, "A1063", "FETCH 3 (UID)")).contains("* 3 FETCH (UID 3)");
      String expunge = run(outlook, "A1064", "EXPUNGE");
      assertThat(expunge).contains("* 2 EXPUNGE").contains("A1064 OK");
      assertThat(run(outlook, "A1065", "FETCH 2 (UID)")).contains("* 2 FETCH (UID 3)");

      // A move the Outlook way: COPY, delete, EXPUNGE, no refresh between.
      assertThat(run(outlook, "A1066", "COPY 1 \"Archive\"")).contains("A1066 OK");
      assertThat(run(outlook, "A1067", "STORE 1 +FLAGS.SILENT (\\Deleted)")).contains("A1067 OK");
      assertThat(run(outlook, "A1068", "EXPUNGE")).contains("* 1 EXPUNGE").contains("A1068 OK");
      run(outlook, "A1069", "LOGOUT");
    }
    assertThat(count(user, "Archive")).isEqualTo(1);
    assertThat(count(user, "Trash")).as("a move sends nothing to Trash").isEqualTo(1);
    assertThat(count(user, "INBOX")).isEqualTo(3);
    proxy.shutdown(Duration.ofSeconds(2));
    store.close();
    keepExample(captures, "quirkproxy.example.capture");
  }
}
