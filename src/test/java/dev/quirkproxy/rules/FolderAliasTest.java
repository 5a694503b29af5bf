package dev.quirkproxy.rules;

import static dev.quirkproxy.rules.RuleHarness.file;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The {@code folder-alias} action through {@link RuleEngine} with real framers and sessions. */
class FolderAliasTest {

  private static final String ALIASES =
      """
      {"id": "fa", "action": {"type": "folder-alias", "aliases": {
         "\\\\Trash": ["Deleted Items", "Deleted Messages"], "\\\\Sent": "Sent Items"}}}""";

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

  /** Logged in, and a LIST taught the session the server's Trash and Sent. */
  private void learned() {
    h.server("* OK ready\r\n").client("a0 LOGIN bob pw\r\n").server("a0 OK in\r\n");
    h.client("a1 LIST \"\" \"*\"\r\n");
    h.server("* LIST (\\HasNoChildren) \".\" INBOX\r\n");
    h.server("* LIST (\\HasNoChildren \\Trash) \".\" Trash\r\n");
    h.server("* LIST (\\HasChildren \\Sent) \".\" Sent\r\n");
    h.server("* LIST (\\HasNoChildren) \".\" Sent.2024\r\n");
    h.server("a1 OK done\r\n");
  }

  @Test
  void listAnswersShowTheClientsNames() {
    imap(ALIASES);
    learned();
    assertThat(h.toClient())
        .endsWith(
            "* LIST (\\HasNoChildren) \".\" INBOX\r\n"
                + "* LIST (\\HasNoChildren \\Trash) \".\" \"Deleted Items\"\r\n"
                + "* LIST (\\HasChildren \\Sent) \".\" \"Sent Items\"\r\n"
                + "* LIST (\\HasNoChildren) \".\" \"Sent Items.2024\"\r\n"
                + "a1 OK done\r\n");
  }

  @Test
  void commandsUseTheServersNames() {
    imap(ALIASES);
    learned();
    h.drain();
    h.client("b1 SELECT \"Deleted Items\"\r\n");
    h.client("b2 EXAMINE \"Sent Items.2024\"\r\n");
    h.client("b3 STATUS \"Deleted Items\" (MESSAGES)\r\n");
    h.client("b4 UID COPY 1:2 \"Deleted Items\"\r\n");
    h.client("b5 MOVE 3 \"Sent Items\"\r\n");
    h.client("b6 APPEND \"Sent Items\" (\\Seen) {3+}\r\nabc\r\n");
    h.client("b7 RENAME \"Sent Items.2024\" \"Deleted Items.2024\"\r\n");
    h.client("b8 DELETE \"Deleted Items.Old\"\r\n");
    h.client("b9 SUBSCRIBE \"Deleted Items\"\r\n");
    h.client("c1 LIST \"\" \"Deleted Items\"\r\n");
    h.client("c2 SELECT Trash\r\n");
    h.client("c3 SELECT \"Deleted Items Old\"\r\n");
    assertThat(h.toServer())
        .isEqualTo(
            "b1 SELECT \"Trash\"\r\n"
                + "b2 EXAMINE \"Sent.2024\"\r\n"
                + "b3 STATUS \"Trash\" (MESSAGES)\r\n"
                + "b4 UID COPY 1:2 \"Trash\"\r\n"
                + "b5 MOVE 3 \"Sent\"\r\n"
                + "b6 APPEND \"Sent\" (\\Seen) {3+}\r\nabc\r\n"
                + "b7 RENAME \"Sent.2024\" \"Trash.2024\"\r\n"
                + "b8 DELETE \"Trash.Old\"\r\n"
                + "b9 SUBSCRIBE \"Trash\"\r\n"
                + "c1 LIST \"\" \"Trash\"\r\n"
                + "c2 SELECT Trash\r\n"
                + "c3 SELECT \"Deleted Items Old\"\r\n");
    h.server("* STATUS Trash (MESSAGES 2)\r\n");
    assertThat(h.toClient()).isEqualTo("* STATUS \"Deleted Items\" (MESSAGES 2)\r\n");
  }

  @Test
  void anAppendWaitingForItsLiteral() {
    imap(ALIASES);
    learned();
    h.drain();
    h.client("b1 APPEND \"Sent Items\" (\\Seen) {3}\r\n");
    assertThat(h.toServer()).isEqualTo("b1 APPEND \"Sent\" (\\Seen) {3}\r\n");
    h.server("+ go\r\n").client("abc\r\n");
    assertThat(h.toServer()).isEqualTo("abc\r\n");
  }

  @Test
  void createOfAnAliasIsAnsweredByTheProxy() {
    imap(ALIASES);
    learned();
    h.drain();
    h.client("b1 CREATE \"Deleted Items\"\r\n");
    h.client("b2 CREATE \"Sent Items/\"\r\n");
    assertThat(h.toServer()).isEmpty();
    assertThat(h.toClient())
        .isEqualTo(
            "b1 OK CREATE completed (quirkproxy: an alias of the server's \\Trash mailbox)\r\n"
                + "b2 OK CREATE completed (quirkproxy: an alias of the server's \\Sent mailbox)\r\n");
    // A child is created, under the server's mailbox.
    h.client("b3 CREATE \"Deleted Items.Old\"\r\n");
    assertThat(h.toServer()).isEqualTo("b3 CREATE \"Trash.Old\"\r\n");
    // The proxy's answers left nothing pending in the tracker.
    assertThat(h.imap().pending()).containsOnlyKeys("b3");
  }

  @Test
  void nothingHappensWhileTheServersMailboxIsUnknown() {
    imap(ALIASES);
    h.server("* OK ready\r\n").client("a0 LOGIN bob pw\r\n").server("a0 OK in\r\n").drain();
    h.client("b1 CREATE \"Deleted Items\"\r\n").client("b2 SELECT \"Deleted Items\"\r\n");
    assertThat(h.toServer())
        .isEqualTo("b1 CREATE \"Deleted Items\"\r\nb2 SELECT \"Deleted Items\"\r\n");
    h.server("* LIST () \".\" \"Deleted Items\"\r\n* LIST () \".\" Trash\r\n");
    assertThat(h.toClient())
        .isEqualTo("* LIST () \".\" \"Deleted Items\"\r\n* LIST () \".\" Trash\r\n");
    assertThat(h.hits()).isEmpty();
  }

  @Test
  void configuredServerNames() {
    imap(
        """
        {"id": "fa", "action": {"type": "folder-alias", "aliases": {"\\\\Trash": "Deleted Items"},
                                "serverNames": {"\\\\Trash": "INBOX.Trash"}}}""");
    h.client("b1 SELECT \"Deleted Items\"\r\n");
    assertThat(h.toServer()).isEqualTo("b1 SELECT \"INBOX.Trash\"\r\n");
    h.server("* LIST () \".\" INBOX.Trash\r\n");
    assertThat(h.toClient()).isEqualTo("* LIST () \".\" \"Deleted Items\"\r\n");
    // What the server says wins over the configuration.
    h.server("* LIST (\\Trash) \".\" Bin\r\n");
    assertThat(h.toClient()).isEqualTo("* LIST (\\Trash) \".\" \"Deleted Items\"\r\n");
    h.client("b2 SELECT \"Deleted Items\"\r\n");
    assertThat(h.toServer()).isEqualTo("b2 SELECT \"Bin\"\r\n");
  }

  @Test
  void theAliasTheClientUsesIsTheOneItSees() {
    imap(ALIASES);
    learned();
    h.drain();
    h.client("b1 SELECT \"Deleted Messages\"\r\n");
    assertThat(h.toServer()).isEqualTo("b1 SELECT \"Trash\"\r\n");
    h.server("b1 OK done\r\n").client("b2 LSUB \"\" *\r\n");
    h.server("* LSUB (\\Trash) \".\" Trash\r\nb2 OK done\r\n");
    assertThat(h.toClient())
        .isEqualTo("b1 OK done\r\n* LSUB (\\Trash) \".\" \"Deleted Messages\"\r\nb2 OK done\r\n");
  }

  @Test
  void aServerFolderUnderTheClientsNameIsNotListedTwice() {
    imap(ALIASES);
    learned();
    h.drain();
    h.client("b1 LIST \"\" *\r\n");
    h.server("* LIST () \".\" \"Deleted Items\"\r\n");
    h.server("* LIST () \".\" \"Deleted Items.Sub\"\r\n");
    h.server("* LIST (\\Trash) \".\" Trash\r\n");
    h.server("* LIST () \".\" \"Deleted Items Old\"\r\n");
    h.server("b1 OK done\r\n");
    assertThat(h.toClient())
        .isEqualTo(
            "* LIST (\\Trash) \".\" \"Deleted Items\"\r\n"
                + "* LIST () \".\" \"Deleted Items Old\"\r\n"
                + "b1 OK done\r\n");
  }

  @Test
  void withXlistTheXlistAnswerShowsTheAlias() {
    imap(
        ALIASES,
        """
        {"id": "x", "action": {"type": "xlist"}}""");
    h.server("* OK ready\r\n").client("a0 LOGIN bob pw\r\n");
    h.server("a0 OK [CAPABILITY IMAP4rev1 LIST-EXTENDED SPECIAL-USE] in\r\n").drain();
    h.client("a1 XLIST \"\" \"Deleted Items\"\r\n");
    // Nothing known yet: the pattern goes up as it came.
    assertThat(h.toServer())
        .isEqualTo("a1 LIST \"\" \"Deleted Items\" RETURN (SPECIAL-USE CHILDREN)\r\n");
    h.server("a1 OK done\r\n").client("a2 XLIST \"\" *\r\n");
    h.server("* LIST (\\HasNoChildren \\Trash) \".\" Trash\r\n");
    h.server("* LIST (\\HasNoChildren) \".\" INBOX\r\na2 OK done\r\n");
    assertThat(h.toClient())
        .isEqualTo(
            "a1 OK done\r\n"
                + "* XLIST (\\HasNoChildren \\Trash) \".\" \"Deleted Items\"\r\n"
                + "* XLIST (\\HasNoChildren \\Inbox) \".\" INBOX\r\n"
                + "a2 OK done\r\n");
    assertThat(h.hits()).contains("fa/folder-alias", "x/xlist");
    h.client("a3 XLIST \"\" \"Deleted Items\"\r\n");
    assertThat(h.toServer()).endsWith("a3 LIST \"\" \"Trash\" RETURN (SPECIAL-USE CHILDREN)\r\n");
  }

  @Test
  void loaderChecks() {
    assertThat(problem("{\"\\\\Trash\": [\"Bin\"], \"\\\\Junk\": [\"Bin\"]}"))
        .isEqualTo("'Bin' is an alias twice");
    assertThat(problem("{\"\\\\Trash\": \"INBOX\"}"))
        .isEqualTo("an alias must be a mailbox name other than INBOX");
    assertThat(problem("{\"Trash\": \"Bin\"}"))
        .startsWith("'Trash' is not a special-use attribute; expected one of \\All, \\Archive");
  }

  private static String problem(String aliases) {
    RuleLoader.Result r =
        RuleLoader.load(
            "t.json",
            file(
                "{\"id\": \"fa\", \"action\": {\"type\": \"folder-alias\", \"aliases\": "
                    + aliases
                    + "}}"));
    assertThat(r.errors()).hasSize(1);
    return r.errors().get(0).problem();
  }
}
