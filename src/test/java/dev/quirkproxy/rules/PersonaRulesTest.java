package dev.quirkproxy.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The persona rule files of {@code rules/personas/} on a Dovecot-like conversation (what Dovecot
 * 2.3 sends, including its untagged CAPABILITY during LOGIN after a pre-login CAPABILITY command):
 * what the client sees before and after login, and what goes upstream. {@code PersonasIT} runs them
 * through the live proxy against a real Dovecot.
 */
class PersonaRulesTest {

  static final String DOVECOT_PRE =
      "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN AUTH=LOGIN";
  static final String DOVECOT_POST =
      "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT UNSELECT CHILDREN NAMESPACE UIDPLUS"
          + " LIST-EXTENDED CONDSTORE QRESYNC ESEARCH LIST-STATUS MOVE LITERAL+ NOTIFY";
  static final String GMAIL_PRE =
      "* CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 XYZZY"
          + " SASL-IR AUTH=XOAUTH2 AUTH=PLAIN AUTH=PLAIN-CLIENTTOKEN AUTH=OAUTHBEARER\r\n";
  static final String GMAIL_POST =
      "* CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 UIDPLUS"
          + " ENABLE MOVE CONDSTORE ESEARCH UTF8=ACCEPT LIST-EXTENDED LIST-STATUS LITERAL-"
          + " SPECIAL-USE APPENDLIMIT=35651584\r\n";

  private final List<RuleHarness> harnesses = new ArrayList<>();

  @AfterEach
  void close() {
    harnesses.forEach(RuleHarness::close);
  }

  private RuleHarness persona(String name) {
    try {
      String json =
          Files.readString(Path.of("rules/personas", name + ".json"), StandardCharsets.UTF_8);
      RuleHarness h = RuleHarness.imap(json);
      harnesses.add(h);
      return h;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Greeting and a pre-login CAPABILITY command; returns what the client got. */
  private static String beforeLogin(RuleHarness h) {
    h.server("* OK [CAPABILITY " + DOVECOT_PRE + "] Dovecot (Debian) ready.\r\n");
    h.client("a1 CAPABILITY\r\n");
    h.server(
        "* CAPABILITY "
            + DOVECOT_PRE
            + "\r\na1 OK Pre-login capabilities listed, post-login capabilities have more.\r\n");
    h.toServer();
    return h.toClient();
  }

  /**
   * LOGIN answered the way Dovecot does after a CAPABILITY command; returns what the client got.
   */
  private static String login(RuleHarness h) {
    h.client("a2 LOGIN bob pw\r\n");
    h.server("* CAPABILITY " + DOVECOT_POST + "\r\na2 OK Logged in\r\n");
    h.toServer();
    return h.toClient();
  }

  @Test
  void gmail() {
    RuleHarness h = persona("gmail");
    assertThat(beforeLogin(h))
        .isEqualTo(
            "* OK Gimap ready for requests from 127.0.0.1 quirkproxy\r\n"
                + GMAIL_PRE
                + "a1 OK Thats all she wrote!\r\n");
    assertThat(login(h)).isEqualTo(GMAIL_POST + "a2 OK authenticated (Success)\r\n");
    h.client("a3 CAPABILITY\r\n").server("* CAPABILITY " + DOVECOT_POST + "\r\na3 OK done\r\n");
    assertThat(h.toClient()).isEqualTo(GMAIL_POST + "a3 OK Thats all she wrote!\r\n");
    h.toServer();
    // The proxy answers ID the same way before and after login; the upstream never sees it.
    h.client("a4 ID (\"name\" \"test\")\r\n");
    assertThat(h.toServer()).isEmpty();
    assertThat(h.toClient())
        .isEqualTo(
            "* ID (\"name\" \"GImap\" \"vendor\" \"Google, Inc.\" \"support-url\""
                + " \"https://support.google.com/mail\" \"version\" \"gmail_imap_220520.08_p0\")\r\n"
                + "a4 OK Success\r\n");
    // Gmail's FETCH items go upstream without X-GM-*; the upstream's answer is left alone.
    h.client("a5 UID FETCH 1:* (X-GM-MSGID UID FLAGS X-GM-THRID x-gm-labels)\r\n");
    assertThat(h.toServer()).isEqualTo("a5 UID FETCH 1:* (UID FLAGS)\r\n");
    h.server("a5 BAD X-GM-MSGID unknown\r\n");
    assertThat(h.toClient()).isEqualTo("a5 BAD X-GM-MSGID unknown\r\n");
  }

  @Test
  void gmailLoginAnswerWithACapabilityCode() {
    RuleHarness h = persona("gmail");
    h.server("* OK [CAPABILITY " + DOVECOT_PRE + "] Dovecot ready.\r\n").drain();
    h.client("a1 ID NIL\r\n");
    assertThat(h.toClient()).contains("\"GImap\"").endsWith("a1 OK Success\r\n");
    h.client("a2 LOGIN bob pw\r\n").server("a2 OK [CAPABILITY " + DOVECOT_POST + "] Logged in\r\n");
    assertThat(h.toClient()).isEqualTo(GMAIL_POST + "a2 OK authenticated (Success)\r\n");
    // A failed login is the upstream's.
    RuleHarness failed = persona("gmail");
    failed.server("* OK ready\r\n").client("a1 LOGIN bob wrong\r\n").drain();
    failed.server("a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
    assertThat(failed.toClient())
        .isEqualTo("a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
  }

  @Test
  void exchange() {
    RuleHarness h = persona("exchange");
    assertThat(beforeLogin(h))
        .isEqualTo(
            "* OK The Microsoft Exchange IMAP4 service is ready."
                + " [UABSADMAUAAyADUAMABDAEEAMAAwADAAOQAuAEUAVQBSAFAAMgA1ADAALgBQAFIATwBEAC4ATwBVAFQATABPAE8ASwAuAEMATwBNAA==]\r\n"
                + "* CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS ID UNSELECT"
                + " CHILDREN IDLE NAMESPACE LITERAL+\r\n"
                + "a1 OK CAPABILITY completed.\r\n");
    // No capabilities with the login answer: the client asks again.
    assertThat(login(h)).isEqualTo("a2 OK LOGIN completed.\r\n");
    h.client("a3 CAPABILITY\r\n").server("* CAPABILITY " + DOVECOT_POST + "\r\na3 OK done\r\n");
    assertThat(h.toClient())
        .isEqualTo(
            "* CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT"
                + " CLIENTACCESSRULES CLIENTNETWORKPRESENCELOCATION BACKENDAUTHENTICATE CHILDREN IDLE"
                + " NAMESPACE LITERAL+\r\n"
                + "a3 OK CAPABILITY completed.\r\n");
    h.client("a4 ID NIL\r\n");
    assertThat(h.toClient())
        .isEqualTo(
            "* ID (\"name\" \"Microsoft.Exchange.Imap4.Imap4Server\" \"version\" \"15.20\")\r\n"
                + "a4 OK ID completed.\r\n");
    h.client("a5 AUTHENTICATE PLAIN AGJvYgBwdw==\r\n").server("a5 OK Logged in\r\n");
    assertThat(h.toClient()).isEqualTo("a5 OK AUTHENTICATE completed.\r\n");
  }

  @Test
  void dovecot() {
    RuleHarness h = persona("dovecot");
    h.server("* OK IMAP4rev1 Server GreenMail v2.1.8 ready\r\n");
    h.client("a1 CAPABILITY\r\n");
    h.server(
        "* CAPABILITY IMAP4rev1 LITERAL+ UIDPLUS SORT IDLE MOVE SASL-IR AUTH=XOAUTH2 QUOTA\r\n");
    h.server("a1 OK CAPABILITY completed.\r\n");
    String pre = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN";
    assertThat(h.toClient())
        .isEqualTo(
            "* OK [CAPABILITY "
                + pre
                + "] Dovecot ready.\r\n* CAPABILITY "
                + pre
                + "\r\na1 OK Pre-login capabilities listed, post-login capabilities have more.\r\n");
    h.client("a2 LOGIN bob pw\r\n").server("a2 OK LOGIN completed.\r\n");
    assertThat(h.toClient()).isEqualTo("a2 OK Logged in\r\n");
    // After login the upstream's capabilities are left as they are.
    h.client("a3 CAPABILITY\r\n").server("* CAPABILITY IMAP4rev1 IDLE\r\na3 OK done\r\n");
    assertThat(h.toClient()).isEqualTo("* CAPABILITY IMAP4rev1 IDLE\r\na3 OK done\r\n");
    h.client("a4 ID (\"name\" \"x\")\r\n");
    assertThat(h.toClient()).isEqualTo("* ID (\"name\" \"Dovecot\")\r\na4 OK ID completed.\r\n");
    // A login answer with a code keeps it.
    RuleHarness coded = persona("dovecot");
    coded.server("* OK ready\r\n").client("b1 LOGIN bob pw\r\n").drain();
    coded.server("b1 OK [CAPABILITY IMAP4rev1 MOVE] welcome aboard\r\n");
    assertThat(coded.toClient()).isEqualTo("b1 OK [CAPABILITY IMAP4rev1 MOVE] Logged in\r\n");
  }

  @Test
  void hideId() {
    RuleHarness h = persona("hide-id");
    assertThat(beforeLogin(h))
        .doesNotContain(" ID ")
        .contains("[CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ENABLE IDLE")
        .contains("* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ENABLE IDLE");
    h.client("a2 LOGIN bob pw\r\n").server("a2 OK [CAPABILITY " + DOVECOT_POST + "] Logged in\r\n");
    assertThat(h.toClient()).startsWith("a2 OK [CAPABILITY IMAP4rev1").doesNotContain(" ID ");
    h.toServer();
    h.client("a3 ID (\"name\" \"Microsoft Outlook\")\r\n");
    assertThat(h.toServer()).isEmpty();
    assertThat(h.toClient()).isEqualTo("* ID NIL\r\na3 OK ID completed\r\n");
  }

  @Test
  void idleBeforeLogin() {
    RuleHarness h = persona("idle-before-login");
    h.server("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n");
    assertThat(h.toClient()).isEqualTo("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN IDLE] ready\r\n");
    h.client("a1 CAPABILITY\r\n").server("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\na1 OK done\r\n");
    assertThat(h.toClient()).isEqualTo("* CAPABILITY IMAP4rev1 AUTH=PLAIN IDLE\r\na1 OK done\r\n");
    // The post-login lists stay the upstream's, also the one sent during LOGIN.
    h.client("a2 LOGIN bob pw\r\n");
    h.server("* CAPABILITY IMAP4rev1 MOVE\r\na2 OK [CAPABILITY IMAP4rev1 MOVE] Logged in\r\n");
    assertThat(h.toClient())
        .isEqualTo(
            "* CAPABILITY IMAP4rev1 MOVE\r\na2 OK [CAPABILITY IMAP4rev1 MOVE] Logged in\r\n");
    // Already announced: nothing changes.
    RuleHarness has = persona("idle-before-login");
    has.server("* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n");
    assertThat(has.hits()).isEmpty();
  }
}
