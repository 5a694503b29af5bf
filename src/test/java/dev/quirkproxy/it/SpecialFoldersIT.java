package dev.quirkproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.capture.CaptureStore;
import dev.quirkproxy.relay.Endpoint;
import dev.quirkproxy.relay.ProxyConfig;
import dev.quirkproxy.relay.ProxyServer;
import dev.quirkproxy.rules.RuleEngine;
import dev.quirkproxy.rules.RuleLoader;
import dev.quirkproxy.session.Protocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped special-folder rules ({@code rules/xlist.json}, {@code rules/folder-aliases.json})
 * through the live proxy in front of a Dovecot with RFC 6154 special-use mailboxes: a scripted
 * client talking like Outlook (A-numbered tags, CAPABILITY again after LOGIN, XLIST, {@code UID
 * FETCH (UID FLAGS)}, its own folder names) and one talking like Apple Mail, identified by the
 * proxy's fingerprinting (nothing is forced). Each test checks what the client saw and then, on a
 * direct connection to Dovecot, what happened there.
 *
 * <p>With {@code -Dquirkproxy.it.keepCaptures=DIR} the sessions' captures are copied to DIR (how
 * {@code captures/examples/outlook-dovecot-special-folders.jsonl} was made).
 */
class SpecialFoldersIT {

  private static Dovecot dovecot;
  private ProxyServer proxy;
  private CaptureStore store;
  private int port;
  @TempDir Path tmp;

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

  @BeforeEach
  void startProxy() throws Exception {
    // Only this rule files, whatever else rules/ holds.
    Path rules = Files.createDirectories(tmp.resolve("rules"));
    for (String name : List.of("xlist.json", "folder-aliases.json")) {
      Files.copy(Path.of("rules", name), rules.resolve(name));
    }
    RuleLoader.Result loaded = RuleLoader.load(rules);
    assertThat(loaded.errors()).isEmpty();
    store = new CaptureStore(CaptureSettings.in(tmp.resolve("captures")));
    proxy =
        new ProxyServer(
                ProxyConfig.of(
                    new Endpoint(Protocol.IMAP, false, "127.0.0.1", 0),
                    new Endpoint(Protocol.IMAP, false, "127.0.0.1", dovecot.imapPort())),
                List.of(new RuleEngine(loaded::rules)),
                null)
            .recordTo(store, "imap");
    port = proxy.start().port();
  }

  @AfterEach
  void stopProxy() throws Exception {
    proxy.shutdown(Duration.ofSeconds(5));
    store.close();
    String keep = System.getProperty("quirkproxy.it.keepCaptures");
    if (keep != null && !keep.isBlank()) {
      Path to = Files.createDirectories(Path.of(keep));
      try (Stream<Path> s = Files.walk(tmp.resolve("captures"))) {
        for (Path p : s.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
          Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  @Test
  void outlookWithXlistAndItsOwnFolderNames() throws Exception {
    String user = dovecot.newUser("outlook");
    String subject;
    try (RawClient c = RawClient.connect(port, "outlook")) {
      assertThat(c.line()).startsWith("* OK ");
      c.sendLine("A1060 CAPABILITY");
      c.untilTagged("A1060");
      c.sendLine("A1061 LOGIN \"" + user + "\" \"" + Dovecot.PASSWORD + "\"");
      assertThat(c.untilTagged("A1061")).contains("A1061 OK");
      // By now the proxy takes the client for Outlook: XLIST is offered.
      c.sendLine("A1062 CAPABILITY");
      assertThat(c.untilTagged("A1062")).contains("SPECIAL-USE").contains(" XLIST");

      c.sendLine("A1063 XLIST \"\" \"*\"");
      String xlist = c.untilTagged("A1063");
      assertThat(xlist)
          .doesNotContain("* LIST")
          .contains("* XLIST (\\HasNoChildren \\Inbox) \".\" INBOX")
          .contains("* XLIST (\\HasNoChildren \\Trash) \".\" \"Deleted Items\"")
          .contains("* XLIST (\\HasNoChildren \\Sent) \".\" \"Sent Items\"")
          .contains("* XLIST (\\HasNoChildren \\Spam) \".\" \"Junk Email\"")
          .contains("* XLIST (\\HasNoChildren \\Drafts) \".\" Drafts")
          .contains("* XLIST (\\HasNoChildren) \".\" Archive")
          .doesNotContain("\"Trash\"")
          .doesNotContain(" Trash\r\n");

      // Outlook makes its folders; they exist upstream already, so the proxy says OK.
      c.sendLine("A1064 CREATE \"Deleted Items\"");
      assertThat(c.untilTagged("A1064")).startsWith("A1064 OK CREATE completed (quirkproxy");
      c.sendLine("A1065 CREATE \"Sent Items\"");
      assertThat(c.untilTagged("A1065")).startsWith("A1065 OK");
      c.sendLine("A1066 SUBSCRIBE \"Deleted Items\"");
      assertThat(c.untilTagged("A1066")).contains("A1066 OK");

      c.sendLine("A1067 SELECT \"INBOX\"");
      assertThat(c.untilTagged("A1067")).contains("* 5 EXISTS").contains("A1067 OK");
      c.sendLine("A1068 UID FETCH 1 (BODY.PEEK[HEADER])");
      String header = c.untilTagged("A1068");
      Matcher m = Pattern.compile("\r\nSubject: ([^\r\n]*)").matcher(header);
      assertThat(m.find()).as(header).isTrue();
      subject = m.group(1);
      c.sendLine("A1069 UID COPY 1 \"Deleted Items\"");
      assertThat(c.untilTagged("A1069")).contains("A1069 OK [COPYUID ");

      String message =
          "From: alice@example.org\r\nTo: bob@example.org\r\nSubject: sent by outlook\r\n"
              + "Message-ID: <outlook-1@example.org>\r\n\r\nHello.\r\n";
      c.sendLine("A1070 APPEND \"Sent Items\" (\\Seen) {" + message.length() + "}");
      assertThat(c.line()).startsWith("+");
      c.send(message + "\r\n");
      assertThat(c.untilTagged("A1070")).contains("A1070 OK [APPENDUID ");

      c.sendLine("A1071 SELECT \"Deleted Items\"");
      assertThat(c.untilTagged("A1071")).contains("* 1 EXISTS").contains("A1071 OK");
      c.sendLine("A1072 UID FETCH 1:* (UID FLAGS)");
      assertThat(c.untilTagged("A1072")).contains("* 1 FETCH (UID 1 FLAGS (").contains("A1072 OK");
      c.sendLine("A1073 STATUS \"Sent Items\" (MESSAGES)");
      assertThat(c.untilTagged("A1073")).contains("* STATUS \"Sent Items\" (MESSAGES 1)");
      c.sendLine("A1074 LSUB \"\" \"*\"");
      assertThat(c.untilTagged("A1074"))
          .contains("* LSUB (\\Trash) \".\" \"Deleted Items\"")
          .contains("* LSUB (\\Sent) \".\" \"Sent Items\"");
      c.sendLine("A1075 LOGOUT");
      assertThat(c.untilTagged("A1075")).contains("A1075 OK");
    }

    // What Dovecot holds: no folders of Outlook's own, the copy in Trash, the append in Sent.
    try (RawClient d = RawClient.connect(dovecot.imapPort(), "direct")) {
      d.line();
      d.sendLine("b1 LOGIN \"" + user + "\" \"" + Dovecot.PASSWORD + "\"");
      d.untilTagged("b1");
      d.sendLine("b2 LIST \"\" \"*\"");
      String list = d.untilTagged("b2");
      assertThat(list)
          .contains("* LIST (\\HasNoChildren \\Trash) \".\" Trash")
          .doesNotContain("Deleted Items")
          .doesNotContain("Sent Items");
      d.sendLine("b3 LSUB \"\" \"*\"");
      assertThat(d.untilTagged("b3")).contains("* LSUB (\\Trash) \".\" Trash");
      d.sendLine("b4 EXAMINE Trash");
      assertThat(d.untilTagged("b4")).contains("* 1 EXISTS");
      d.sendLine("b5 FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
      assertThat(d.untilTagged("b5")).contains("Subject: " + subject);
      d.sendLine("b6 EXAMINE Sent");
      assertThat(d.untilTagged("b6")).contains("* 1 EXISTS");
      d.sendLine("b7 FETCH 1 (FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])");
      assertThat(d.untilTagged("b7")).contains("\\Seen").contains("<outlook-1@example.org>");
      d.sendLine("b8 LOGOUT");
      d.untilTagged("b8");
    }
  }

  @Test
  void appleMailSeesSpecialUseOnLsubAndItsOwnNames() throws Exception {
    String user = dovecot.newUser("apple");
    try (RawClient c = RawClient.connect(port, "apple")) {
      assertThat(c.line()).startsWith("* OK ");
      c.sendLine(
          "1.1 ID (\"name\" \"Mac OS X Mail\" \"version\" \"16.0 (3731.700.6)\" \"os\" \"Mac OS"
              + " X\" \"os-version\" \"13.5.2 (22G91)\" \"vendor\" \"Apple Inc.\")");
      c.untilTagged("1.1");
      c.sendLine("2.1 LOGIN \"" + user + "\" \"" + Dovecot.PASSWORD + "\"");
      assertThat(c.untilTagged("2.1")).contains("2.1 OK").doesNotContain("XLIST");
      c.sendLine("3.1 LSUB \"\" *");
      assertThat(c.untilTagged("3.1"))
          .contains("* LSUB (\\Trash) \".\" \"Deleted Messages\"")
          .contains("* LSUB (\\Sent) \".\" \"Sent Messages\"")
          .contains("* LSUB (\\Junk) \".\" Junk");
      c.sendLine("4.1 CREATE \"Deleted Messages\"");
      assertThat(c.untilTagged("4.1")).startsWith("4.1 OK CREATE completed (quirkproxy");
      c.sendLine("5.1 SELECT INBOX");
      c.untilTagged("5.1");
      c.sendLine("6.1 UID MOVE 2 \"Deleted Messages\"");
      assertThat(c.untilTagged("6.1")).contains("6.1 OK");
      c.sendLine("7.1 LOGOUT");
      c.untilTagged("7.1");
    }
    try (RawClient d = RawClient.connect(dovecot.imapPort(), "direct")) {
      d.line();
      d.sendLine("b1 LOGIN \"" + user + "\" \"" + Dovecot.PASSWORD + "\"");
      d.untilTagged("b1");
      d.sendLine("b2 LIST \"\" \"*\"");
      assertThat(d.untilTagged("b2")).doesNotContain("Deleted Messages");
      d.sendLine("b3 STATUS Trash (MESSAGES)");
      assertThat(d.untilTagged("b3")).contains("* STATUS Trash (MESSAGES 1)");
      d.sendLine("b4 STATUS INBOX (MESSAGES)");
      assertThat(d.untilTagged("b4")).contains("* STATUS INBOX (MESSAGES 4)");
      d.sendLine("b5 LOGOUT");
      d.untilTagged("b5");
    }
  }
}
