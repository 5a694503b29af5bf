package dev.quirkproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.relay.Endpoint;
import dev.quirkproxy.relay.ProxyConfig;
import dev.quirkproxy.relay.ProxyServer;
import dev.quirkproxy.rules.RuleEngine;
import dev.quirkproxy.rules.RuleLoader;
import dev.quirkproxy.session.Protocol;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The persona rule files of {@code rules/personas/} in the live proxy in front of a real Dovecot,
 * seen by scripted raw-socket clients: the greeting, the capabilities before and after login and
 * the ID answer each persona promises, and a session that still works (SELECT, FETCH). For {@code
 * idle-before-login.json}, an Outlook-style client that only IDLEs when IDLE was announced before
 * login, in front of an upstream that announces IDLE only after login (Dovecot announces it before
 * login too, so a rule in the test plays such an upstream, the way go-imap servers and Proton
 * Bridge behave).
 */
class PersonasIT {

  private static final Path PERSONAS = Path.of("rules/personas");
  private static final String GMAIL_PRE =
      "* CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 XYZZY"
          + " SASL-IR AUTH=XOAUTH2 AUTH=PLAIN AUTH=PLAIN-CLIENTTOKEN AUTH=OAUTHBEARER\r\n";
  private static final String GMAIL_POST =
      "* CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 UIDPLUS"
          + " ENABLE MOVE CONDSTORE ESEARCH UTF8=ACCEPT LIST-EXTENDED LIST-STATUS LITERAL-"
          + " SPECIAL-USE APPENDLIMIT=35651584\r\n";
  private static final String GMAIL_ID =
      "* ID (\"name\" \"GImap\" \"vendor\" \"Google, Inc.\" \"support-url\""
          + " \"https://support.google.com/mail\" \"version\" \"gmail_imap_220520.08_p0\")\r\n";
  private static final String EXCHANGE_ID =
      "* ID (\"name\" \"Microsoft.Exchange.Imap4.Imap4Server\" \"version\" \"15.20\")\r\n";

  private static Dovecot dovecot;
  private ProxyServer proxy;
  @TempDir Path tmp;

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

  /** A proxy in front of Dovecot with the rules at {@code rules} (a file or a directory). */
  private int proxyWith(Path rules) throws InterruptedException {
    RuleLoader.Result r = RuleLoader.load(rules);
    assertThat(r.errors()).as("rules %s", rules).isEmpty();
    proxy =
        new ProxyServer(
            ProxyConfig.of(
                new Endpoint(Protocol.IMAP, false, "127.0.0.1", 0),
                new Endpoint(Protocol.IMAP, false, "127.0.0.1", dovecot.imapPort())),
            List.of(new RuleEngine(r::rules)),
            null);
    return proxy.start().port();
  }

  /** SELECT and FETCH work through the persona: Dovecot's seeded INBOX has five messages. */
  private static void selectAndFetch(RawClient c, String tag) throws Exception {
    c.sendLine(tag + "1 SELECT INBOX");
    String select = c.untilTagged(tag + "1");
    assertThat(select).contains("* 5 EXISTS").contains(tag + "1 OK [READ-WRITE]");
    c.sendLine(tag + "2 UID FETCH 1:* (UID FLAGS)");
    String flags = c.untilTagged(tag + "2");
    assertThat(flags.split("\\* \\d FETCH", -1)).hasSize(6);
    assertThat(flags).contains(tag + "2 OK");
    c.sendLine(tag + "3 FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
    String header = c.untilTagged(tag + "3");
    assertThat(header).contains("Subject: ").contains(tag + "3 OK");
  }

  private static void logout(RawClient c) throws Exception {
    c.sendLine("z LOGOUT");
    assertThat(c.untilTagged("z")).contains("* BYE").contains("z OK");
  }

  // ---- gmail

  @Test
  void gmail() throws Exception {
    int port = proxyWith(PERSONAS.resolve("gmail.json"));
    String user = dovecot.newUser("gmail");
    try (RawClient c = RawClient.connect(port, "gmail")) {
      assertThat(c.line()).isEqualTo("* OK Gimap ready for requests from 127.0.0.1 quirkproxy");
      c.sendLine("a1 CAPABILITY");
      assertThat(c.untilTagged("a1")).isEqualTo(GMAIL_PRE + "a1 OK Thats all she wrote!\r\n");
      c.sendLine("a2 ID (\"name\" \"PersonasIT\")");
      assertThat(c.untilTagged("a2")).isEqualTo(GMAIL_ID + "a2 OK Success\r\n");
      // Dovecot sends its post-login list untagged here (the client asked CAPABILITY before).
      c.sendLine("a3 LOGIN " + user + " " + Dovecot.PASSWORD);
      assertThat(c.untilTagged("a3")).isEqualTo(GMAIL_POST + "a3 OK authenticated (Success)\r\n");
      c.sendLine("a4 CAPABILITY");
      assertThat(c.untilTagged("a4")).isEqualTo(GMAIL_POST + "a4 OK Thats all she wrote!\r\n");
      c.sendLine("a5 ID NIL");
      assertThat(c.untilTagged("a5")).isEqualTo(GMAIL_ID + "a5 OK Success\r\n");
      selectAndFetch(c, "s");
      // What a client that believes X-GM-EXT-1 asks for: Dovecot gets it without the X-GM items.
      c.sendLine("g1 UID FETCH 1:2 (UID X-GM-MSGID FLAGS X-GM-THRID X-GM-LABELS)");
      String gm = c.untilTagged("g1");
      assertThat(gm).contains("* 1 FETCH (UID 1 FLAGS").contains("g1 OK").doesNotContain("BAD");
      logout(c);
    }
  }

  @Test
  void gmailLoginAnswerWhenDovecotSendsACapabilityCode() throws Exception {
    int port = proxyWith(PERSONAS.resolve("gmail.json"));
    String user = dovecot.newUser("gmailcode");
    try (RawClient c = RawClient.connect(port, "gmail-code")) {
      c.line();
      // No CAPABILITY before LOGIN: Dovecot's answer is "OK [CAPABILITY ...] Logged in".
      c.sendLine("b1 LOGIN " + user + " " + Dovecot.PASSWORD);
      assertThat(c.untilTagged("b1")).isEqualTo(GMAIL_POST + "b1 OK authenticated (Success)\r\n");
      selectAndFetch(c, "t");
      logout(c);
    }
  }

  // ---- exchange

  @Test
  void exchange() throws Exception {
    int port = proxyWith(PERSONAS.resolve("exchange.json"));
    String user = dovecot.newUser("exchange");
    try (RawClient c = RawClient.connect(port, "exchange")) {
      assertThat(c.line())
          .isEqualTo(
              "* OK The Microsoft Exchange IMAP4 service is ready."
                  + " [UABSADMAUAAyADUAMABDAEEAMAAwADAAOQAuAEUAVQBSAFAAMgA1ADAALgBQAFIATwBEAC4ATwBVAFQATABPAE8ASwAuAEMATwBNAA==]");
      c.sendLine("a1 CAPABILITY");
      assertThat(c.untilTagged("a1"))
          .isEqualTo(
              "* CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS ID UNSELECT"
                  + " CHILDREN IDLE NAMESPACE LITERAL+\r\na1 OK CAPABILITY completed.\r\n");
      c.sendLine("a2 ID NIL");
      assertThat(c.untilTagged("a2")).isEqualTo(EXCHANGE_ID + "a2 OK ID completed.\r\n");
      c.sendLine("a3 LOGIN " + user + " " + Dovecot.PASSWORD);
      assertThat(c.untilTagged("a3")).isEqualTo("a3 OK LOGIN completed.\r\n");
      c.sendLine("a4 CAPABILITY");
      assertThat(c.untilTagged("a4"))
          .isEqualTo(
              "* CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT"
                  + " CLIENTACCESSRULES CLIENTNETWORKPRESENCELOCATION BACKENDAUTHENTICATE CHILDREN"
                  + " IDLE NAMESPACE LITERAL+\r\na4 OK CAPABILITY completed.\r\n");
      c.sendLine("a5 ID (\"name\" \"Microsoft Outlook\")");
      assertThat(c.untilTagged("a5")).isEqualTo(EXCHANGE_ID + "a5 OK ID completed.\r\n");
      selectAndFetch(c, "s");
      logout(c);
    }
  }

  // ---- dovecot

  @Test
  void dovecot() throws Exception {
    int port = proxyWith(PERSONAS.resolve("dovecot.json"));
    String user = dovecot.newUser("dovecot");
    String pre = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN";
    try (RawClient c = RawClient.connect(port, "dovecot")) {
      // The test Dovecot is Debian's ("Dovecot (Debian) ready.") and also offers AUTH=LOGIN.
      assertThat(c.line()).isEqualTo("* OK [CAPABILITY " + pre + "] Dovecot ready.");
      c.sendLine("a1 CAPABILITY");
      assertThat(c.untilTagged("a1"))
          .isEqualTo(
              "* CAPABILITY "
                  + pre
                  + "\r\na1 OK Pre-login capabilities listed, post-login capabilities have more.\r\n");
      c.sendLine("a2 ID (\"name\" \"PersonasIT\")");
      assertThat(c.untilTagged("a2"))
          .isEqualTo("* ID (\"name\" \"Dovecot\")\r\na2 OK ID completed.\r\n");
      c.sendLine("a3 LOGIN " + user + " " + Dovecot.PASSWORD);
      String login = c.untilTagged("a3");
      // After login, the upstream's own capabilities.
      assertThat(login).startsWith("* CAPABILITY IMAP4rev1 ").contains(" QRESYNC ");
      assertThat(login).endsWith("a3 OK Logged in\r\n");
      c.sendLine("a4 ID NIL");
      assertThat(c.untilTagged("a4"))
          .isEqualTo("* ID (\"name\" \"Dovecot\")\r\na4 OK ID completed.\r\n");
      selectAndFetch(c, "s");
      logout(c);
    }
  }

  // ---- hide-id

  @Test
  void hideId() throws Exception {
    int port = proxyWith(PERSONAS.resolve("hide-id.json"));
    String user = dovecot.newUser("hideid");
    try (RawClient c = RawClient.connect(port, "hide-id")) {
      String greeting = c.line();
      assertThat(greeting).startsWith("* OK [CAPABILITY IMAP4rev1 ").contains(" IDLE ");
      assertThat(greeting).doesNotContain(" ID ");
      c.sendLine("a1 CAPABILITY");
      String pre = c.untilTagged("a1");
      assertThat(pre)
          .startsWith("* CAPABILITY IMAP4rev1 ")
          .doesNotContain(" ID ")
          .contains("a1 OK");
      c.sendLine("a2 LOGIN " + user + " " + Dovecot.PASSWORD);
      String login = c.untilTagged("a2");
      assertThat(login)
          .contains(" QRESYNC ")
          .doesNotContain(" ID ")
          .endsWith("a2 OK Logged in\r\n");
      c.sendLine("a3 CAPABILITY");
      assertThat(c.untilTagged("a3")).contains(" NAMESPACE ").doesNotContain(" ID ");
      // New Outlook sends ID right after login and gives up on NO/BAD: it gets an empty OK.
      c.sendLine("a4 ID (\"name\" \"Microsoft Outlook\" \"version\" \"16.0\")");
      assertThat(c.untilTagged("a4")).isEqualTo("* ID NIL\r\na4 OK ID completed\r\n");
      selectAndFetch(c, "s");
      logout(c);
    }
  }

  // ---- idle-before-login

  /** What the Outlook-style client saw and did. */
  record OutlookRun(String preLoginCapabilities, boolean idled, String idleTranscript) {}

  /**
   * An Outlook-style client (after {@code src/test/resources/fingerprints/outlook-classic.txt} and
   * MS-STANOIMAP): decimal tags from A1060, CAPABILITY first, LOGIN, CAPABILITY again after LOGIN
   * (always), SELECT, UID FETCH (UID FLAGS), and IDLE only when the pre-login capabilities had IDLE
   * (emersion/go-imap-idle#20), else NOOP polling. While it idles, a message is appended from a
   * direct connection to Dovecot: the client must hear of it through the proxy.
   */
  private OutlookRun outlook(int port, String user) throws Exception {
    try (RawClient c = RawClient.connect(port, "outlook")) {
      c.line();
      c.sendLine("A1060 CAPABILITY");
      String pre = c.untilTagged("A1060");
      boolean idleAnnounced = pre.lines().anyMatch(l -> l.matches("\\* CAPABILITY .*\\bIDLE\\b.*"));
      c.sendLine("A1061 LOGIN \"" + user + "\" \"" + Dovecot.PASSWORD + "\"");
      assertThat(c.untilTagged("A1061")).contains("A1061 OK");
      c.sendLine("A1062 CAPABILITY");
      assertThat(c.untilTagged("A1062")).contains("A1062 OK");
      c.sendLine("A1063 SELECT \"INBOX\"");
      assertThat(c.untilTagged("A1063")).contains("* 5 EXISTS").contains("A1063 OK");
      c.sendLine("A1064 UID FETCH 1:* (UID FLAGS)");
      assertThat(c.untilTagged("A1064")).contains("A1064 OK");
      String idle = null;
      if (idleAnnounced) {
        c.sendLine("A1065 IDLE");
        StringBuilder t = new StringBuilder(c.line()).append("\r\n");
        assertThat(t.toString()).startsWith("+ ");
        appendDirectly(user, "arrives while Outlook idles");
        t.append(c.untilResponse(r -> r.equals("* 6 EXISTS\r\n")));
        c.sendLine("DONE");
        t.append(c.untilTagged("A1065"));
        idle = t.toString();
      } else {
        c.sendLine("A1065 NOOP");
        assertThat(c.untilTagged("A1065")).contains("A1065 OK");
      }
      c.sendLine("A1066 LOGOUT");
      c.untilTagged("A1066");
      return new OutlookRun(pre, idleAnnounced, idle);
    }
  }

  /** Appends a message to {@code user}'s INBOX over a direct connection to Dovecot. */
  private static void appendDirectly(String user, String subject) throws Exception {
    byte[] message = MailSeed.appendable(subject);
    try (RawClient other = RawClient.connect(dovecot.imapPort(), "append")) {
      other.line();
      other.sendLine("x1 LOGIN " + user + " " + Dovecot.PASSWORD);
      assertThat(other.untilTagged("x1")).contains("x1 OK");
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.write(
          ("x2 APPEND INBOX {" + message.length + "+}\r\n").getBytes(StandardCharsets.US_ASCII));
      b.write(message);
      b.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      other.send(b.toByteArray());
      assertThat(other.untilTagged("x2")).contains("x2 OK");
      other.sendLine("x3 LOGOUT");
      other.untilTagged("x3");
    }
  }

  /**
   * A rule directory: a rule playing an upstream that announces IDLE only after login (in front of
   * Dovecot, which announces it before login too), plus {@code idle-before-login.json} if asked.
   */
  private Path idleRules(boolean persona) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(persona ? "with-persona" : "without"));
    Files.writeString(
        dir.resolve("00-upstream-idle-only-after-login.json"),
        """
        {"version": 1, "rules": [{
          "id": "upstream-idle-only-after-login",
          "description": "Plays an upstream that announces IDLE after login only (go-imap, Proton Bridge).",
          "when": {"protocol": "imap", "state": "not-authenticated", "not": {"command": ["LOGIN", "AUTHENTICATE"]}},
          "action": {"type": "capabilities", "remove": ["IDLE"]}}]}
        """,
        StandardCharsets.UTF_8);
    if (persona) {
      Files.copy(PERSONAS.resolve("idle-before-login.json"), dir.resolve("idle-before-login.json"));
    }
    return dir;
  }

  @Test
  void withoutThePersonaOutlookDoesNotIdle() throws Exception {
    int port = proxyWith(idleRules(false));
    OutlookRun run = outlook(port, dovecot.newUser("noidle"));
    assertThat(run.preLoginCapabilities()).doesNotContain("IDLE");
    assertThat(run.idled()).isFalse();
  }

  @Test
  void idleBeforeLoginMakesOutlookIdleThroughTheProxy() throws Exception {
    int port = proxyWith(idleRules(true));
    OutlookRun run = outlook(port, dovecot.newUser("idle"));
    assertThat(run.preLoginCapabilities()).contains(" IDLE").contains("A1060 OK");
    assertThat(run.idled()).isTrue();
    // Dovecot accepted the IDLE, told the idling client of the new message, and ended the IDLE.
    assertThat(run.idleTranscript())
        .startsWith("+ idling\r\n")
        .contains("* 6 EXISTS\r\n")
        .containsPattern("A1065 OK Idle completed");
  }
}
