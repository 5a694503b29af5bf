package dev.quirkproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 7 asks that each quirk handler work against any standards-compliant upstream, tested
 * against Dovecot and GreenMail. {@link SpecialFoldersIT} and {@link PersonasIT} cover Dovecot;
 * this covers the same handlers in front of GreenMail ({@link DemoUpstream}: user demo/demo, INBOX
 * with five messages, folders Sent, Drafts, Trash and Archive).
 *
 * <p>GreenMail has no SPECIAL-USE (RFC 6154): its LIST answers carry no special-use attributes, so
 * the {@code xlist} and {@code folder-alias} actions get the special-use mailboxes from their
 * static parameters ({@code specialUse}, {@code serverNames}) in a rule file written here; the
 * aliases are those of {@code rules/folder-aliases.json}. The personas are the shipped files.
 */
class QuirkHandlersGreenMailIT {

  private static final Path PERSONAS = Path.of("rules/personas");

  /** The shipped Outlook rules, with GreenMail's special-use mailboxes given statically. */
  private static final String SPECIAL_FOLDER_RULES =
      """
      {"version": 1, "rules": [
        {"id": "greenmail-outlook-xlist",
         "description": "rules/xlist.json's outlook-xlist, with GreenMail's special folders.",
         "when": {"protocol": "imap", "client": "outlook"},
         "action": {"type": "xlist", "addSpecialUseToList": true,
           "specialUse": {"\\\\Trash": "Trash", "\\\\Sent": "Sent", "\\\\Drafts": "Drafts",
                          "\\\\Archive": "Archive"}}},
        {"id": "greenmail-outlook-folder-aliases",
         "description": "rules/folder-aliases.json's outlook-folder-aliases, with GreenMail's special folders.",
         "when": {"protocol": "imap", "client": "outlook"},
         "action": {"type": "folder-alias",
           "aliases": {"\\\\Trash": ["Deleted Items"], "\\\\Sent": ["Sent Items"],
                       "\\\\Junk": ["Junk Email", "Junk E-mail"], "\\\\Drafts": ["Drafts"]},
           "serverNames": {"\\\\Trash": "Trash", "\\\\Sent": "Sent", "\\\\Drafts": "Drafts"}}}
      ]}
      """;

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

  private DemoUpstream greenMail;
  private ProxyServer proxy;

  @BeforeEach
  void startGreenMail() {
    // A fresh mailbox for each test: the Outlook test copies into Trash.
    greenMail = DemoUpstream.start();
  }

  @AfterEach
  void stop() {
    if (proxy != null) {
      proxy.shutdown(Duration.ofSeconds(2));
    }
    if (greenMail != null) {
      greenMail.close();
    }
  }

  private int proxyWith(RuleLoader.Result rules, String forcedClient) throws InterruptedException {
    assertThat(rules.errors()).isEmpty();
    proxy =
        new ProxyServer(
                ProxyConfig.of(
                    new Endpoint(Protocol.IMAP, false, "127.0.0.1", 0),
                    new Endpoint(Protocol.IMAP, false, "127.0.0.1", greenMail.imapPort())),
                List.of(new RuleEngine(rules::rules)),
                null)
            .identifyWith(Catalog.builtin(), forcedClient);
    return proxy.start().port();
  }

  private static String login() {
    return "LOGIN \"" + DemoUpstream.USER + "\" \"" + DemoUpstream.PASSWORD + "\"";
  }

  // ---- xlist and folder-alias

  @Test
  void outlookWithXlistAndItsOwnFolderNamesInFrontOfGreenMail() throws Exception {
    int port =
        proxyWith(
            RuleLoader.load("greenmail-special-folders.json", SPECIAL_FOLDER_RULES), "outlook");
    try (RawClient c = RawClient.connect(port, "outlook")) {
      assertThat(c.line()).startsWith("* OK ");
      c.sendLine("A1060 CAPABILITY");
      assertThat(c.untilTagged("A1060")).contains(" XLIST").contains("A1060 OK");
      c.sendLine("A1061 " + login());
      assertThat(c.untilTagged("A1061")).contains("A1061 OK");
      c.sendLine("A1062 CAPABILITY");
      assertThat(c.untilTagged("A1062")).contains(" XLIST").contains("A1062 OK");

      // GreenMail has no SPECIAL-USE: the attributes come from specialUse, the names from aliases.
      c.sendLine("A1063 XLIST \"\" \"*\"");
      String xlist = c.untilTagged("A1063");
      assertThat(xlist)
          .doesNotContain("* LIST")
          .containsPattern("\\* XLIST \\([^)]*\\\\Inbox[^)]*\\) \"\\.\" \"?INBOX\"?\r\n")
          .containsPattern("\\* XLIST \\([^)]*\\\\Trash[^)]*\\) \"\\.\" \"Deleted Items\"\r\n")
          .containsPattern("\\* XLIST \\([^)]*\\\\Sent[^)]*\\) \"\\.\" \"Sent Items\"\r\n")
          .containsPattern("\\* XLIST \\([^)]*\\\\Drafts[^)]*\\) \"\\.\" \"?Drafts\"?\r\n")
          .doesNotContainPattern("\"?Trash\"?\r\n")
          .doesNotContainPattern(" \"?Sent\"?\r\n")
          .contains("A1063 OK");

      // addSpecialUseToList: plain LIST answers carry the attributes too, under the aliases.
      c.sendLine("A1064 LIST \"\" \"*\"");
      assertThat(c.untilTagged("A1064"))
          .containsPattern("\\* LIST \\([^)]*\\\\Trash[^)]*\\) \"\\.\" \"Deleted Items\"\r\n")
          .containsPattern("\\* LIST \\([^)]*\\\\Sent[^)]*\\) \"\\.\" \"Sent Items\"\r\n")
          .doesNotContainPattern("\"?Trash\"?\r\n")
          .contains("A1064 OK");

      // Outlook makes its folder; it is GreenMail's Trash: the proxy says OK, creates nothing.
      c.sendLine("A1065 CREATE \"Deleted Items\"");
      assertThat(c.untilTagged("A1065")).startsWith("A1065 OK CREATE completed (quirkproxy");

      c.sendLine("A1066 SELECT \"INBOX\"");
      assertThat(c.untilTagged("A1066")).contains("* 5 EXISTS").contains("A1066 OK");
      c.sendLine("A1067 UID FETCH 1:* (UID FLAGS)");
      assertThat(c.untilTagged("A1067")).contains("* 1 FETCH (").contains("A1067 OK");
      c.sendLine("A1068 UID COPY 1 \"Deleted Items\"");
      assertThat(c.untilTagged("A1068")).contains("A1068 OK");
      c.sendLine("A1069 STATUS \"Deleted Items\" (MESSAGES)");
      assertThat(c.untilTagged("A1069"))
          .contains("* STATUS \"Deleted Items\" (MESSAGES 1)")
          .contains("A1069 OK");
      c.sendLine("A1070 LOGOUT");
      assertThat(c.untilTagged("A1070")).contains("A1070 OK");
    }

    // What GreenMail holds: no "Deleted Items", the copy in its Trash.
    try (RawClient d = RawClient.connect(greenMail.imapPort(), "direct")) {
      d.line();
      d.sendLine("b1 " + login());
      assertThat(d.untilTagged("b1")).contains("b1 OK");
      d.sendLine("b2 LIST \"\" \"*\"");
      assertThat(d.untilTagged("b2"))
          .containsPattern("\\* LIST \\([^)]*\\) \"\\.\" \"?Trash\"?\r\n")
          .doesNotContain("Deleted Items")
          .contains("b2 OK");
      d.sendLine("b3 EXAMINE Trash");
      assertThat(d.untilTagged("b3")).contains("* 1 EXISTS").contains("b3 OK");
      d.sendLine("b4 FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
      assertThat(d.untilTagged("b4")).contains("Subject: Welcome to quirkproxy");
      d.sendLine("b5 LOGOUT");
      d.untilTagged("b5");
    }
  }

  // ---- personas

  /** SELECT and FETCH work through the persona: GreenMail's INBOX has five messages. */
  private static void selectAndFetch(RawClient c, String tag) throws Exception {
    c.sendLine(tag + "1 SELECT INBOX");
    assertThat(c.untilTagged(tag + "1")).contains("* 5 EXISTS").contains(tag + "1 OK [READ-WRITE]");
    c.sendLine(tag + "2 UID FETCH 1:* (UID FLAGS)");
    String flags = c.untilTagged(tag + "2");
    assertThat(flags.split("\\* \\d FETCH", -1)).hasSize(6);
    assertThat(flags).contains(tag + "2 OK");
    c.sendLine(tag + "3 FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
    assertThat(c.untilTagged(tag + "3"))
        .contains("Subject: Welcome to quirkproxy")
        .contains(tag + "3 OK");
  }

  private static void logout(RawClient c) throws Exception {
    c.sendLine("z LOGOUT");
    assertThat(c.untilTagged("z")).contains("* BYE").contains("z OK");
  }

  @Test
  void gmailPersonaInFrontOfGreenMail() throws Exception {
    int port = proxyWith(RuleLoader.load(PERSONAS.resolve("gmail.json")), null);
    try (RawClient c = RawClient.connect(port, "gmail")) {
      assertThat(c.line()).isEqualTo("* OK Gimap ready for requests from 127.0.0.1 quirkproxy");
      c.sendLine("a1 CAPABILITY");
      assertThat(c.untilTagged("a1")).isEqualTo(GMAIL_PRE + "a1 OK Thats all she wrote!\r\n");
      c.sendLine("a2 ID (\"name\" \"QuirkHandlersGreenMailIT\")");
      assertThat(c.untilTagged("a2")).isEqualTo(GMAIL_ID + "a2 OK Success\r\n");
      c.sendLine("a3 " + login());
      String loginAnswer = c.untilTagged("a3");
      // GreenMail's LOGIN answer has no [CAPABILITY] code; if it sends the list, it is Gmail's.
      assertThat(loginAnswer).endsWith("a3 OK authenticated (Success)\r\n");
      assertThat(loginAnswer)
          .isIn(
              "a3 OK authenticated (Success)\r\n",
              GMAIL_POST + "a3 OK authenticated (Success)\r\n");
      c.sendLine("a4 CAPABILITY");
      assertThat(c.untilTagged("a4")).isEqualTo(GMAIL_POST + "a4 OK Thats all she wrote!\r\n");
      c.sendLine("a5 ID NIL");
      assertThat(c.untilTagged("a5")).isEqualTo(GMAIL_ID + "a5 OK Success\r\n");
      selectAndFetch(c, "s");
      // A client that believes X-GM-EXT-1: GreenMail gets the fetch without the X-GM items.
      c.sendLine("g1 UID FETCH 1:2 (UID X-GM-MSGID FLAGS X-GM-THRID X-GM-LABELS)");
      assertThat(c.untilTagged("g1"))
          .contains("* 1 FETCH (")
          .contains("UID 1")
          .contains("g1 OK")
          .doesNotContain("BAD");
      logout(c);
    }
  }

  @Test
  void hideIdPersonaInFrontOfGreenMail() throws Exception {
    int port = proxyWith(RuleLoader.load(PERSONAS.resolve("hide-id.json")), null);
    try (RawClient c = RawClient.connect(port, "hide-id")) {
      String greeting = c.line();
      assertThat(greeting).startsWith("* OK ").doesNotContain(" ID ").doesNotContain(" ID]");
      c.sendLine("a1 CAPABILITY");
      assertThat(c.untilTagged("a1"))
          .startsWith("* CAPABILITY IMAP4rev1")
          .doesNotContainPattern("\\bID\\b")
          .contains("a1 OK");
      c.sendLine("a2 " + login());
      assertThat(c.untilTagged("a2")).doesNotContainPattern("\\bID\\b").contains("a2 OK");
      c.sendLine("a3 CAPABILITY");
      assertThat(c.untilTagged("a3"))
          .startsWith("* CAPABILITY IMAP4rev1")
          .doesNotContainPattern("\\bID\\b")
          .contains("a3 OK");
      // Answered by the proxy whether or not GreenMail knows ID.
      c.sendLine("a4 ID (\"name\" \"Microsoft Outlook\" \"version\" \"16.0\")");
      assertThat(c.untilTagged("a4")).isEqualTo("* ID NIL\r\na4 OK ID completed\r\n");
      selectAndFetch(c, "s");
      logout(c);
    }
  }

  // ---- expunged-stubs

  /**
   * {@code expunged-stubs} in front of GreenMail, with another session expunging a message the
   * client has seen. GreenMail 2.1 never answers such a FETCH with NO or leaves the message out, so
   * no stub is needed: it renumbers the session at once (a plain {@code FETCH 3} returns what was
   * message 4, against RFC 9051 §7.5.1) and tells of the expunge at the next NOOP. What the rule
   * must guarantee here: no EXPUNGE reaches the client while it FETCHes, no NO, and after the NOOP
   * the client's view is the server's.
   */
  @Test
  void expungedStubsInFrontOfGreenMailLeaveARenumberingServerAlone() throws Exception {
    int port = proxyWith(RuleLoader.load(Path.of("rules/expunged-stubs.json")), "outlook");
    try (RawClient outlook = RawClient.connect(port, "outlook");
        RawClient other = RawClient.connect(greenMail.imapPort(), "other")) {
      outlook.line();
      run(outlook, "A1060", login());
      assertThat(run(outlook, "A1061", "SELECT \"INBOX\"")).contains("* 5 EXISTS");
      assertThat(run(outlook, "A1062", "UID FETCH 1:* (UID FLAGS)")).contains("UID 3)");
      other.line();
      run(other, "b1", login());
      run(other, "b2", "SELECT INBOX");
      run(other, "b3", "UID STORE 3 +FLAGS.SILENT (\\Deleted)");
      assertThat(run(other, "b4", "EXPUNGE")).contains("* 3 EXPUNGE");

      String fetch = run(outlook, "A1063", "FETCH 2:4 (UID FLAGS)");
      assertThat(fetch).doesNotContain("EXPUNGE").doesNotContain("A1063 NO").contains("A1063 OK");
      assertThat(run(outlook, "A1064", "NOOP")).contains("* 3 EXPUNGE").contains("A1064 OK");
      assertThat(run(outlook, "A1065", "FETCH 1:* (UID)"))
          .contains("* 3 FETCH (UID 4)")
          .contains("* 4 FETCH (UID 5)")
          .doesNotContain("* 5 FETCH")
          .doesNotContain("UID 3)");
    }
  }

  // ---- move-detection

  /**
   * {@code move-detection} with {@code delete-to-trash} (the shipped Outlook rules) in front of
   * GreenMail, which has MOVE: a COPY, delete and EXPUNGE of the same message end with the message
   * in Archive only (checked directly), nothing in Trash.
   */
  @Test
  void moveDetectionInFrontOfGreenMail() throws Exception {
    int port = proxyWith(RuleLoader.load(Path.of("rules")), "outlook");
    try (RawClient outlook = RawClient.connect(port, "outlook")) {
      outlook.line();
      run(outlook, "A1059", "CAPABILITY");
      run(outlook, "A1060", login());
      assertThat(run(outlook, "A1061", "SELECT \"INBOX\"")).contains("* 5 EXISTS");
      run(outlook, "A1062", "UID FETCH 1:* (UID FLAGS)");
      assertThat(run(outlook, "A1063", "UID COPY 2 \"Archive\"")).contains("A1063 OK");
      assertThat(run(outlook, "A1064", "UID STORE 2 +FLAGS.SILENT (\\Deleted)"))
          .contains("A1064 OK");
      assertThat(run(outlook, "A1065", "EXPUNGE")).contains("* 2 EXPUNGE").contains("A1065 OK");
      run(outlook, "A1066", "LOGOUT");
    }
    try (RawClient truth = RawClient.connect(greenMail.imapPort(), "truth")) {
      truth.line();
      run(truth, "t1", login());
      assertThat(run(truth, "t2", "EXAMINE Archive")).contains("* 1 EXISTS");
      assertThat(run(truth, "t3", "EXAMINE Trash")).contains("* 0 EXISTS");
      assertThat(run(truth, "t4", "EXAMINE INBOX")).contains("* 4 EXISTS");
    }
  }

  private static String run(RawClient c, String tag, String command) throws Exception {
    c.sendLine(tag + " " + command);
    return c.untilTagged(tag);
  }
}
