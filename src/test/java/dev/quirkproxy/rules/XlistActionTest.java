package dev.quirkproxy.rules;

import static dev.quirkproxy.rules.RuleHarness.file;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The {@code xlist} action through {@link RuleEngine} with real framers and sessions. */
class XlistActionTest {

  private static final String XLIST =
      """
      {"id": "x", "action": {"type": "xlist"}}""";
  private static final String GREETING = "* OK [CAPABILITY IMAP4rev1 IDLE LITERAL+] ready\r\n";
  private static final String SPECIAL_USE =
      "a0 OK [CAPABILITY IMAP4rev1 LITERAL+ LIST-EXTENDED SPECIAL-USE] Logged in\r\n";

  private RuleHarness h;

  @AfterEach
  void close() {
    if (h != null) {
      h.close();
    }
  }

  private RuleHarness imap(String... rules) {
    h = RuleHarness.imap(file(rules));
    return h;
  }

  /** Greeting and LOGIN; the upstream's capabilities after login are {@code loginAnswer}'s. */
  private void loggedIn(String loginAnswer) {
    h.server(GREETING).client("a0 LOGIN bob pw\r\n").server(loginAnswer).drain();
  }

  @Test
  void xlistIsOfferedUnlessTheServerHasIt() {
    imap(XLIST);
    h.server(GREETING);
    assertThat(h.toClient()).isEqualTo("* OK [CAPABILITY IMAP4rev1 IDLE LITERAL+ XLIST] ready\r\n");
    h.client("a0 LOGIN bob pw\r\n").server(SPECIAL_USE);
    assertThat(h.toClient())
        .isEqualTo(
            "a0 OK [CAPABILITY IMAP4rev1 LITERAL+ LIST-EXTENDED SPECIAL-USE XLIST] Logged in\r\n");
    h.client("a1 CAPABILITY\r\n").server("* CAPABILITY IMAP4rev1 XLIST\r\na1 OK done\r\n");
    assertThat(h.toClient()).isEqualTo("* CAPABILITY IMAP4rev1 XLIST\r\na1 OK done\r\n");
  }

  @Test
  void xlistGoesUpAsListReturnSpecialUseAndComesBackAsXlist() {
    imap(XLIST);
    loggedIn(SPECIAL_USE);
    h.client("a1 XLIST \"\" \"*\"\r\n");
    assertThat(h.toServer()).isEqualTo("a1 LIST \"\" \"*\" RETURN (SPECIAL-USE CHILDREN)\r\n");
    h.server("* LIST (\\HasNoChildren) \".\" INBOX\r\n")
        .server("* LIST (\\HasNoChildren \\Trash) \".\" Trash\r\n")
        .server("* LIST (\\HasChildren \\Junk) \".\" Junk\r\n")
        .server("* LIST (\\All \\HasNoChildren) \".\" \"All Mail\"\r\n")
        .server("* LIST (\\Flagged) \".\" {7}\r\nStarred\r\n")
        .server("* LIST (\\Sent \\Drafts \\Archive) \".\" Other\r\n")
        .server("a1 OK List completed\r\n");
    assertThat(h.toClient())
        .isEqualTo(
            "* XLIST (\\HasNoChildren \\Inbox) \".\" INBOX\r\n"
                + "* XLIST (\\HasNoChildren \\Trash) \".\" Trash\r\n"
                + "* XLIST (\\HasChildren \\Spam) \".\" Junk\r\n"
                + "* XLIST (\\AllMail \\HasNoChildren) \".\" \"All Mail\"\r\n"
                + "* XLIST (\\Starred) \".\" {7}\r\nStarred\r\n"
                + "* XLIST (\\Sent \\Drafts \\Archive) \".\" Other\r\n"
                + "a1 OK List completed\r\n");
    // The tagged answer goes back as it came; a later LIST is a LIST.
    assertThat(h.hits()).hasSize(7);
    h.client("a2 LIST \"\" \"*\"\r\n").server("* LIST (\\Trash) \".\" Trash\r\na2 OK done\r\n");
    assertThat(h.toServer()).isEqualTo("a2 LIST \"\" \"*\"\r\n");
    assertThat(h.toClient()).isEqualTo("* LIST (\\Trash) \".\" Trash\r\na2 OK done\r\n");
  }

  @Test
  void withoutListExtendedAPlainListAndTheConfiguredSpecialUse() {
    imap(
        """
        {"id": "x", "action": {"type": "xlist", "specialUse": {"\\\\Trash": "INBOX.Trash"}}}""");
    loggedIn("a0 OK [CAPABILITY IMAP4rev1 SPECIAL-USE] Logged in\r\n");
    h.client("a1 XLIST \"\" *\r\n");
    assertThat(h.toServer()).isEqualTo("a1 LIST \"\" *\r\n");
    h.server("* LIST () \".\" inbox\r\n* LIST () \".\" INBOX.Trash\r\na1 OK done\r\n");
    assertThat(h.toClient())
        .isEqualTo(
            "* XLIST (\\Inbox) \".\" inbox\r\n"
                + "* XLIST (\\Trash) \".\" INBOX.Trash\r\n"
                + "a1 OK done\r\n");
  }

  @Test
  void aServerWithXlistGetsTheClientsXlist() {
    imap(XLIST);
    loggedIn("a0 OK [CAPABILITY IMAP4rev1 XLIST SPECIAL-USE LIST-EXTENDED] Logged in\r\n");
    h.client("a1 XLIST \"\" \"*\"\r\n");
    assertThat(h.toServer()).isEqualTo("a1 XLIST \"\" \"*\"\r\n");
    h.server("* XLIST (\\HasNoChildren \\Inbox) \"/\" Inbox\r\na1 OK done\r\n");
    assertThat(h.toClient())
        .isEqualTo("* XLIST (\\HasNoChildren \\Inbox) \"/\" Inbox\r\na1 OK done\r\n");
    assertThat(h.hits()).isEmpty();
  }

  @Test
  void literals() {
    imap(XLIST);
    loggedIn(SPECIAL_USE);
    // Whole (LITERAL+): the return option goes after the literal.
    h.client("a1 XLIST \"\" {1+}\r\n*\r\n");
    assertThat(h.toServer()).isEqualTo("a1 LIST \"\" {1+}\r\n* RETURN (SPECIAL-USE CHILDREN)\r\n");
    h.server("* LIST (\\Trash) \"/\" Trash\r\na1 OK done\r\n");
    assertThat(h.toClient()).isEqualTo("* XLIST (\\Trash) \"/\" Trash\r\na1 OK done\r\n");
    // Waiting for "+": only the first line is here, so a plain LIST.
    h.client("a2 XLIST \"\" {1}\r\n");
    assertThat(h.toServer()).isEqualTo("a2 LIST \"\" {1}\r\n");
    h.server("+ go\r\n").client("*\r\n");
    assertThat(h.toServer()).isEqualTo("*\r\n");
    h.server("* LIST (\\Sent) \"/\" Sent\r\na2 OK done\r\n");
    assertThat(h.toClient()).isEqualTo("+ go\r\n* XLIST (\\Sent) \"/\" Sent\r\na2 OK done\r\n");
  }

  @Test
  void lowerCaseXlist() {
    imap(XLIST);
    loggedIn(SPECIAL_USE);
    h.client("a1 xlist \"\" \"*\"\r\n");
    assertThat(h.toServer()).isEqualTo("a1 LIST \"\" \"*\" RETURN (SPECIAL-USE CHILDREN)\r\n");
    h.server("* LIST (\\Junk) \"/\" Spam\r\n");
    assertThat(h.toClient()).isEqualTo("* XLIST (\\Spam) \"/\" Spam\r\n");
  }

  @Test
  void aMalformedXlistIsLeftToTheServer() {
    imap(XLIST);
    loggedIn(SPECIAL_USE);
    h.client("a1 XLIST\r\n");
    assertThat(h.toServer()).isEqualTo("a1 XLIST\r\n");
  }

  @Test
  void specialUseOnPlainListAndLsubAnswers() {
    imap(
        """
        {"id": "x", "action": {"type": "xlist", "xlist": false, "addSpecialUseToList": true,
                               "specialUse": {"\\\\Trash": "Bin", "\\\\Sent": "Sent"}}}""");
    loggedIn(SPECIAL_USE);
    // Not offered, not translated.
    h.client("a1 XLIST \"\" *\r\n");
    assertThat(h.toServer()).isEqualTo("a1 XLIST \"\" *\r\n");
    h.server("a1 OK done\r\n").drain();
    // Configured, while nothing was learned.
    h.client("a2 LSUB \"\" *\r\n");
    h.server("* LSUB () \"/\" Bin\r\n* LSUB (\\HasNoChildren) \"/\" Sent\r\n* LSUB () \"/\" X\r\n");
    assertThat(h.toClient())
        .isEqualTo(
            "* LSUB (\\Trash) \"/\" Bin\r\n"
                + "* LSUB (\\HasNoChildren \\Sent) \"/\" Sent\r\n"
                + "* LSUB () \"/\" X\r\n");
    h.server("a2 OK done\r\n").drain();
    // Learned from an answer that carries them: that wins over the configuration.
    h.client("a3 LIST \"\" * RETURN (SPECIAL-USE)\r\n");
    h.server("* LIST (\\Trash) \"/\" Trash\r\n* LIST (\\Sent) \"/\" Sent\r\na3 OK done\r\n");
    assertThat(h.toClient())
        .isEqualTo("* LIST (\\Trash) \"/\" Trash\r\n* LIST (\\Sent) \"/\" Sent\r\na3 OK done\r\n");
    h.client("a4 LIST \"\" *\r\n");
    h.server("* LIST () \"/\" Bin\r\n* LIST () \"/\" Trash\r\n* LIST () \"/\" Sent\r\n");
    assertThat(h.toClient())
        .isEqualTo(
            "* LIST () \"/\" Bin\r\n* LIST (\\Trash) \"/\" Trash\r\n* LIST (\\Sent) \"/\" Sent\r\n");
  }

  @Test
  void anUntaggedListBelongsToTheLatestListLikeCommand() {
    imap(XLIST);
    loggedIn(SPECIAL_USE);
    h.client("a1 XLIST \"\" \"*\"\r\n").client("a2 NOOP\r\n").drain();
    h.server("* LIST (\\Trash) \".\" Trash\r\n");
    assertThat(h.toClient()).isEqualTo("* XLIST (\\Trash) \".\" Trash\r\n");
    h.client("a3 LIST \"\" \"*\"\r\n").drain();
    h.server("* LIST (\\Sent) \".\" Sent\r\n");
    assertThat(h.toClient()).isEqualTo("* LIST (\\Sent) \".\" Sent\r\n");
  }

  @Test
  void bothOffIsAnError() {
    RuleLoader.Result r =
        RuleLoader.load(
            "t.json",
            file(
                """
                {"id": "x", "action": {"type": "xlist", "xlist": false}}"""));
    assertThat(r.errors())
        .singleElement()
        .extracting(RuleException::problem)
        .asString()
        .contains("addSpecialUseToList");
  }
}
