package dev.quirkproxy.rules;

import static dev.quirkproxy.rules.RuleHarness.file;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.session.ClientIdentity;
import dev.quirkproxy.session.Protocol;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every condition of a rule's {@code when}, judged on frames of a live session: each rule here only
 * marks the frame (a 1 ms delay) so the hits say which conditions held; and the reasons {@link
 * Matcher#miss} gives when they do not.
 */
class RuleConditionsTest {

  private final List<RuleHarness> harnesses = new ArrayList<>();

  @AfterEach
  void close() {
    harnesses.forEach(RuleHarness::close);
  }

  /** A rule that marks every frame meeting {@code when}. */
  private static String rule(String id, String when) {
    return "{\"id\": \""
        + id
        + "\", \"when\": "
        + when
        + ", \"action\": {\"type\": \"delay\", \"ms\": 1}}";
  }

  private RuleHarness imap(String... rules) {
    return open(Protocol.IMAP, RuleHarness.load(file(rules)));
  }

  private RuleHarness pop3(String... rules) {
    return open(Protocol.POP3, RuleHarness.load(file(rules)));
  }

  private RuleHarness open(Protocol p, RuleSet set) {
    RuleHarness h = new RuleHarness(p, new RuleEngine(() -> set));
    harnesses.add(h);
    return h;
  }

  @Test
  void protocolAndDirection() {
    String[] rules = {
      rule("imap", "{\"protocol\": \"imap\"}"),
      rule("pop3", "{\"protocol\": \"POP3\"}"),
      rule("server", "{\"direction\": \"server\"}"),
      rule("client", "{\"direction\": \"client\"}")
    };
    RuleHarness i = imap(rules);
    i.server("* OK ready\r\n");
    assertThat(i.hits()).containsExactly("imap/delay", "server/delay");
    i.client("a1 NOOP\r\n");
    assertThat(i.hits()).containsExactly("imap/delay", "client/delay");
    RuleHarness p = pop3(rules);
    p.server("+OK ready\r\n");
    assertThat(p.hits()).containsExactly("pop3/delay", "server/delay");
    p.client("CAPA\r\n");
    assertThat(p.hits()).containsExactly("pop3/delay", "client/delay");
  }

  @Test
  void client() {
    RuleHarness h =
        imap(
            rule("tb", "{\"client\": \"thunderbird\"}"),
            rule(
                "modern",
                "{\"client\": {\"family\": [\"thunderbird\", \"betterbird\"], \"version\": \">= 91\"}}"),
            rule("sure", "{\"client\": {\"minConfidence\": 0.8}}"),
            rule("forced", "{\"client\": {\"forced\": true}}"),
            rule("range", "{\"client\": {\"version\": \">= 17 < 18.2\"}}"),
            rule("exact", "{\"client\": {\"version\": \"115.2\"}}"),
            rule(
                "regex",
                "{\"client\": {\"familyRegex\": \"thunder.*\", \"versionRegex\": \"115[.].*\"}}"));
    h.client("a1 NOOP\r\n");
    assertThat(h.hits()).as("unknown").isEmpty();
    h.session.identify(new ClientIdentity("thunderbird", "115.2.1", 0.93, false));
    h.client("a2 NOOP\r\n");
    assertThat(h.hits())
        .containsExactly("tb/delay", "modern/delay", "sure/delay", "exact/delay", "regex/delay");
    h.session.identify(new ClientIdentity("thunderbird", "78.4", 0.5, false));
    h.client("a3 NOOP\r\n");
    assertThat(h.hits()).containsExactly("tb/delay");
    h.session.identify(new ClientIdentity("outlook", "17.5", 1, true));
    h.client("a4 NOOP\r\n");
    assertThat(h.hits()).containsExactly("sure/delay", "forced/delay", "range/delay");
    h.session.identify(new ClientIdentity("betterbird", "102.15.1-bb", 0.9, false));
    h.client("a5 NOOP\r\n");
    assertThat(h.hits()).containsExactly("modern/delay", "sure/delay");
    h.session.identify(new ClientIdentity("thunderbird", "115.20", 0.9, false));
    h.client("a6 NOOP\r\n");
    assertThat(h.hits())
        .as("115.20 is not 115.2")
        .containsExactly("tb/delay", "modern/delay", "sure/delay", "regex/delay");
  }

  @Test
  void imapState() {
    RuleHarness h =
        imap(
            rule("na", "{\"state\": \"not-authenticated\"}"),
            rule("auth", "{\"state\": \"AUTHENTICATED\"}"),
            rule("sel", "{\"state\": [\"selected\"]}"),
            rule("out", "{\"state\": \"logout\"}"));
    h.server("* OK ready\r\n").client("a0 LOGIN bob pw\r\n");
    assertThat(h.hits()).containsExactly("na/delay", "na/delay");
    // The tracker has seen the server's answer before the rules judge it.
    h.server("a0 OK Logged in\r\n");
    assertThat(h.hits()).containsExactly("auth/delay");
    h.client("a1 SELECT INBOX\r\n").server("* 2 EXISTS\r\n");
    assertThat(h.hits()).containsExactly("auth/delay", "auth/delay");
    h.server("a1 OK [READ-WRITE] done\r\n").client("a2 LOGOUT\r\n");
    assertThat(h.hits()).containsExactly("sel/delay", "sel/delay");
    h.server("* BYE bye\r\n");
    assertThat(h.hits()).containsExactly("out/delay");
  }

  @Test
  void pop3State() {
    RuleHarness h =
        pop3(
            rule("authz", "{\"state\": \"authorization\"}"),
            rule("trans", "{\"state\": \"transaction\"}"),
            rule("upd", "{\"state\": \"update\"}"));
    h.server("+OK ready\r\n").client("USER bob\r\n").server("+OK\r\n").client("PASS pw\r\n");
    assertThat(h.hits())
        .containsExactly("authz/delay", "authz/delay", "authz/delay", "authz/delay");
    h.server("+OK logged in\r\n").client("QUIT\r\n");
    assertThat(h.hits()).containsExactly("trans/delay", "trans/delay");
    h.server("+OK bye\r\n");
    assertThat(h.hits()).containsExactly("upd/delay");
  }

  @Test
  void selectedMailbox() {
    RuleHarness h =
        imap(
            rule("inbox", "{\"mailbox\": \"INBOX\", \"direction\": \"client\"}"),
            rule("arch", "{\"mailbox\": {\"regex\": \"Arch.*\"}, \"direction\": \"client\"}"),
            rule("ete", "{\"mailbox\": \"Été\", \"direction\": \"client\"}"));
    h.server("* OK ready\r\n").client("a0 LOGIN bob pw\r\n").server("a0 OK done\r\n");
    h.client("a1 NOOP\r\n");
    assertThat(h.hits()).isEmpty();
    h.client("a2 SELECT inbox\r\n").server("a2 OK done\r\n").drain();
    h.client("a3 NOOP\r\n");
    assertThat(h.hits()).containsExactly("inbox/delay");
    h.client("a4 SELECT \"Archive/2024\"\r\n").server("a4 OK done\r\n").drain();
    h.client("a5 NOOP\r\n");
    assertThat(h.hits()).containsExactly("arch/delay");
    h.client("a6 SELECT &AMk-t&AOk-\r\n").server("a6 OK done\r\n").drain();
    h.client("a7 NOOP\r\n");
    assertThat(h.hits()).containsExactly("ete/delay");
    h.client("a8 SELECT Nope\r\n").server("a8 NO no such mailbox\r\n").drain();
    h.client("a9 NOOP\r\n");
    assertThat(h.hits()).isEmpty();
  }

  @Test
  void commandNames() {
    RuleHarness h =
        imap(
            rule("uidfetch", "{\"command\": \"UID FETCH\"}"),
            rule("fetch", "{\"command\": [\"FETCH\"]}"),
            rule("both", "{\"command\": [\"fetch\", \"uid fetch\"]}"));
    h.client("a1 UID FETCH 1 FLAGS\r\n");
    assertThat(h.hits()).containsExactly("uidfetch/delay", "both/delay");
    h.client("a2 fetch 1 FLAGS\r\n");
    assertThat(h.hits()).containsExactly("fetch/delay", "both/delay");
    // Responses: what they answer (a tagged one its own command, an untagged one the last sent).
    h.server("* 1 FETCH (FLAGS ())\r\n");
    assertThat(h.hits()).containsExactly("fetch/delay", "both/delay");
    h.server("a1 OK done\r\n");
    assertThat(h.hits()).containsExactly("uidfetch/delay", "both/delay");
    h.client("a3 NOOP\r\n").server("a3 OK done\r\n");
    assertThat(h.hits()).isEmpty();
  }

  @Test
  void pop3CommandNames() {
    RuleHarness h =
        pop3(rule("retr", "{\"command\": \"RETR\"}"), rule("list", "{\"command\": \"list\"}"));
    h.loggedIn();
    h.client("retr 1\r\n");
    assertThat(h.hits()).containsExactly("retr/delay");
    h.server("+OK\r\nhi\r\n.\r\n");
    assertThat(h.hits()).containsExactly("retr/delay");
    h.client("LIST\r\n").server("+OK\r\n1 20\r\n.\r\n");
    assertThat(h.hits()).containsExactly("list/delay", "list/delay");
  }

  @Test
  void commandArguments() {
    RuleHarness h =
        imap(
            rule(
                "peek",
                "{\"command\": {\"name\": \"UID FETCH\", \"items\": [\"body.peek\", \"UID\"]}}"),
            rule(
                "deleted",
                "{\"command\": {\"name\": [\"STORE\", \"UID STORE\"], \"flags\": [\"\\\\Deleted\"]}}"),
            rule("add", "{\"command\": {\"operation\": \"+FLAGS\"}}"),
            rule("set", "{\"command\": {\"operation\": \"FLAGS\"}}"),
            rule("quiet-remove", "{\"command\": {\"operation\": \"-flags.silent\"}}"),
            rule(
                "archive",
                "{\"command\": {\"name\": [\"SELECT\", \"EXAMINE\"], \"mailbox\": \"Archive\"}}"),
            rule("trash", "{\"command\": {\"mailbox\": {\"regex\": \"Tr.*\"}}}"),
            rule("ete", "{\"command\": {\"name\": \"STATUS\", \"mailbox\": \"Été\"}}"));
    h.client("a1 UID FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n");
    assertThat(h.hits()).containsExactly("peek/delay");
    h.client("a2 UID FETCH 1:* (UID FLAGS)\r\n");
    assertThat(h.hits()).isEmpty();
    h.client("a3 UID STORE 4 +FLAGS.SILENT (\\Deleted \\Seen)\r\n");
    assertThat(h.hits()).containsExactly("deleted/delay", "add/delay");
    h.client("a4 STORE 1 FLAGS (\\Seen)\r\n");
    assertThat(h.hits()).containsExactly("set/delay");
    h.client("a5 STORE 1 -FLAGS.SILENT (\\Deleted)\r\n");
    assertThat(h.hits()).containsExactly("deleted/delay", "quiet-remove/delay");
    h.client("a6 SELECT \"Archive\"\r\n");
    assertThat(h.hits()).containsExactly("archive/delay");
    h.client("a7 EXAMINE {7+}\r\nArchive\r\n");
    assertThat(h.hits()).containsExactly("archive/delay");
    h.client("a8 SELECT INBOX\r\n");
    assertThat(h.hits()).isEmpty();
    h.client("a9 UID COPY 1:2 Trash\r\n");
    assertThat(h.hits()).containsExactly("trash/delay");
    h.client("b1 MOVE 3 \"Trash\"\r\n");
    assertThat(h.hits()).containsExactly("trash/delay");
    h.client("b2 STATUS &AMk-t&AOk- (MESSAGES)\r\n");
    assertThat(h.hits()).containsExactly("ete/delay");
    // Argument conditions never hold for responses.
    h.server("a1 OK done\r\n* STATUS &AMk-t&AOk- (MESSAGES 1)\r\n");
    assertThat(h.hits()).isEmpty();
  }

  @Test
  void response() {
    String[] rules = {
      rule("tagged", "{\"response\": \"tagged\"}"),
      rule("untagged", "{\"response\": \"untagged\"}"),
      rule("cont", "{\"response\": \"continuation\"}"),
      rule("bad", "{\"response\": {\"status\": [\"NO\", \"bad\"]}}"),
      rule("fetch", "{\"response\": {\"name\": \"FETCH\"}}"),
      rule("counts", "{\"response\": [\"EXISTS\", \"EXPUNGE\"]}"),
      rule("ok", "{\"response\": {\"kind\": \"tagged\", \"status\": \"OK\"}}"),
      rule("err", "{\"response\": {\"status\": \"ERR\"}}")
    };
    RuleHarness h = imap(rules);
    h.server("* OK ready\r\n");
    assertThat(h.hits()).containsExactly("untagged/delay");
    h.server("* 2 FETCH (FLAGS ())\r\n");
    assertThat(h.hits()).containsExactly("untagged/delay", "fetch/delay");
    h.server("* 3 EXISTS\r\n* 1 EXPUNGE\r\n");
    assertThat(h.hits())
        .containsExactly("untagged/delay", "counts/delay", "untagged/delay", "counts/delay");
    h.server("+ go ahead\r\n");
    assertThat(h.hits()).containsExactly("cont/delay");
    h.server("a1 NO nope\r\na2 BAD what\r\na3 OK fine\r\n");
    assertThat(h.hits())
        .containsExactly(
            "tagged/delay", "bad/delay", "tagged/delay", "bad/delay", "tagged/delay", "ok/delay");
    h.client("a4 FETCH 1 FLAGS\r\n");
    assertThat(h.hits()).isEmpty();
    RuleHarness p = pop3(rules);
    p.server("+OK ready\r\n").client("USER x\r\n").server("-ERR no\r\n");
    assertThat(p.hits()).containsExactly("tagged/delay", "ok/delay", "tagged/delay", "err/delay");
  }

  @Test
  void greeting() {
    String[] rules = {
      rule("greeting", "{\"response\": \"greeting\"}"),
      rule("ok-greeting", "{\"response\": {\"kind\": \"Greeting\", \"status\": \"OK\"}}"),
      rule("untagged-ok", "{\"response\": {\"kind\": \"untagged\", \"status\": \"OK\"}}")
    };
    RuleHarness h = imap(rules);
    h.server("* OK [CAPABILITY IMAP4rev1] ready\r\n");
    assertThat(h.hits())
        .containsExactly("greeting/delay", "ok-greeting/delay", "untagged-ok/delay");
    // Later untagged OKs are not the greeting, before login (a command is pending) or after.
    h.client("a1 CAPABILITY\r\n").server("* OK [ALERT] hello\r\n");
    assertThat(h.hits()).containsExactly("untagged-ok/delay");
    h.server("* CAPABILITY IMAP4rev1\r\na1 OK done\r\n* OK [ALERT] again\r\n");
    assertThat(h.hits()).containsExactly("untagged-ok/delay");
    RuleHarness pre = imap(rules);
    pre.server("* PREAUTH [CAPABILITY IMAP4rev1] welcome\r\n");
    assertThat(pre.hits()).containsExactly("greeting/delay");
    RuleHarness p = pop3(rules);
    p.server("+OK POP3 ready\r\n");
    assertThat(p.hits()).containsExactly("greeting/delay", "ok-greeting/delay");
    p.client("CAPA\r\n").server("+OK\r\nUSER\r\n.\r\n");
    assertThat(p.hits()).isEmpty();
    assertThat(p.miss("greeting", false, "+OK again\r\n", RuleHarness.load(file(rules))))
        .isEqualTo("the response is not the greeting");
  }

  @Test
  void code() {
    String[] rules = {
      rule("try", "{\"code\": \"TRYCREATE\"}"),
      rule("codes", "{\"code\": [\"alert\", \"UIDNEXT\"]}"),
      rule("auth", "{\"code\": \"AUTH\"}")
    };
    RuleHarness h = imap(rules);
    h.server("a1 NO [TRYCREATE] no such mailbox\r\n");
    assertThat(h.hits()).containsExactly("try/delay");
    h.server("* OK [UIDNEXT 5] predicted\r\n* OK [ALERT] hey\r\n* OK no code\r\n");
    assertThat(h.hits()).containsExactly("codes/delay", "codes/delay");
    RuleHarness p = pop3(rules);
    p.server("+OK ready\r\n").client("PASS x\r\n").server("-ERR [AUTH] bad password\r\n");
    assertThat(p.hits()).containsExactly("auth/delay");
  }

  @Test
  void capability() {
    String[] rules = {
      rule("idle", "{\"capability\": \"idle\"}"),
      rule("both", "{\"capability\": [\"IDLE\", \"MOVE\"]}")
    };
    RuleHarness h = imap(rules);
    // The tracker has read the greeting's capabilities before the rules judge it.
    h.server("* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n");
    assertThat(h.hits()).containsExactly("idle/delay");
    h.client("a1 LOGIN bob pw\r\n").server("a1 OK [CAPABILITY IMAP4rev1 IDLE MOVE] in\r\n");
    assertThat(h.hits()).containsExactly("idle/delay", "idle/delay", "both/delay");
    RuleHarness p = pop3(rules);
    p.server("+OK ready\r\n");
    assertThat(p.hits()).isEmpty();
  }

  @Test
  void lineAndText() {
    RuleHarness h =
        imap(
            rule("line", "{\"line\": \"^\\\\* [0-9]+ FETCH\"}"),
            rule("text", "{\"text\": \"Subject: secret\"}"));
    h.server("* 1 FETCH (BODY[HEADER] {17}\r\nSubject: secret\r\n)\r\n");
    assertThat(h.hits()).containsExactly("line/delay", "text/delay");
    h.server("* 2 FETCH (BODY[HEADER] {17}\r\nSubject: public\r\n)\r\n");
    assertThat(h.hits()).containsExactly("line/delay");
    h.client("a1 SEARCH SUBJECT \"Subject: secret\"\r\n");
    assertThat(h.hits()).containsExactly("text/delay");
  }

  @Test
  void allAnyNot() {
    RuleHarness h =
        imap(
            rule("all", "{\"all\": [{\"direction\": \"server\"}, {\"response\": \"untagged\"}]}"),
            rule("any", "{\"any\": [{\"command\": \"NOOP\"}, {\"response\": \"EXISTS\"}]}"),
            rule("not", "{\"not\": {\"direction\": \"client\"}}"),
            rule(
                "nested",
                "{\"any\": [{\"all\": [{\"line\": \"x\"}, {\"line\": \"y\"}]}, {\"not\": {\"line\": \".\"}}]}"));
    h.server("* 3 EXISTS\r\n");
    assertThat(h.hits()).containsExactly("all/delay", "any/delay", "not/delay");
    h.client("a1 NOOP\r\n");
    assertThat(h.hits()).containsExactly("any/delay");
    h.client("\r\n");
    assertThat(h.hits()).containsExactly("nested/delay");
    h.client("yx CHECK\r\n");
    assertThat(h.hits()).containsExactly("nested/delay");
  }

  @Test
  void missesSayWhy() {
    RuleSet set =
        RuleHarness.load(
            file(
                rule("pop3", "{\"protocol\": \"pop3\"}"),
                rule("server", "{\"direction\": \"server\"}"),
                rule("tb", "{\"client\": \"thunderbird\"}"),
                rule("tb91", "{\"client\": {\"family\": \"thunderbird\", \"version\": \">= 91\"}}"),
                rule("sel", "{\"state\": \"selected\"}"),
                rule("inbox", "{\"mailbox\": \"INBOX\"}"),
                rule("fetch", "{\"command\": \"FETCH\"}"),
                rule("peek", "{\"command\": {\"name\": \"FETCH\", \"items\": \"BODY.PEEK\"}}"),
                rule("tagged", "{\"response\": \"tagged\"}"),
                rule("no", "{\"response\": {\"status\": \"NO\"}}"),
                rule("fetched", "{\"response\": \"FETCH\"}"),
                rule("try", "{\"code\": \"TRYCREATE\"}"),
                rule("idle", "{\"capability\": \"IDLE\"}"),
                rule("bye", "{\"line\": \"BYE\"}"),
                rule("secret", "{\"text\": \"Subject: x\"}"),
                rule("any", "{\"any\": [{\"line\": \"A\"}, {\"line\": \"B\"}]}"),
                rule("not", "{\"not\": {\"line\": \"OK\"}}"),
                rule(
                    "both", "{\"protocol\": \"imap\", \"command\": \"NOOP\", \"line\": \"zzz\"}")));
    RuleHarness h = open(Protocol.IMAP, set);
    String untagged = "* 3 EXISTS\r\n";
    assertThat(h.miss("pop3", false, untagged, set)).isEqualTo("protocol is imap, not pop3");
    assertThat(h.miss("server", true, "a1 NOOP\r\n", set))
        .isEqualTo("the frame comes from the client, not the server");
    assertThat(h.miss("tb", true, "a1 NOOP\r\n", set))
        .isEqualTo("client is unknown (0.00), not thunderbird");
    h.session.identify(new ClientIdentity("thunderbird", "78.4", 0.5, false));
    assertThat(h.miss("tb91", true, "a1 NOOP\r\n", set))
        .isEqualTo(
            "client is thunderbird 78.4 (0.50); the rule wants family thunderbird, version >= 91");
    assertThat(h.miss("sel", true, "a1 NOOP\r\n", set))
        .isEqualTo("state is not-authenticated, not selected");
    assertThat(h.miss("inbox", true, "a1 NOOP\r\n", set)).isEqualTo("no mailbox is selected");
    assertThat(h.miss("fetch", true, "a1 NOOP\r\n", set))
        .isEqualTo("the command is NOOP, not FETCH");
    assertThat(h.miss("fetch", false, untagged, set))
        .isEqualTo("it answers no known command, not FETCH");
    assertThat(h.miss("peek", true, "a1 FETCH 1 (FLAGS)\r\n", set))
        .isEqualTo("the command's arguments do not fit: FETCH items [BODY.PEEK]");
    assertThat(h.miss("peek", true, "a1 FETCH 1 (FLAGS\r\n", set))
        .isEqualTo("the command does not parse, so its arguments cannot be checked");
    assertThat(h.miss("tagged", true, "a1 NOOP\r\n", set)).isEqualTo("a command, not a response");
    assertThat(h.miss("tagged", false, untagged, set))
        .isEqualTo("the response is untagged, not tagged");
    assertThat(h.miss("no", false, untagged, set)).isEqualTo("the status is none, not NO");
    assertThat(h.miss("no", false, "a1 OK done\r\n", set)).isEqualTo("the status is OK, not NO");
    assertThat(h.miss("fetched", false, untagged, set))
        .isEqualTo("the response is EXISTS, not FETCH");
    assertThat(h.miss("try", false, "a1 NO [ALERT] no\r\n", set))
        .isEqualTo("the response code is ALERT, not TRYCREATE");
    assertThat(h.miss("try", false, "a1 NO no\r\n", set))
        .isEqualTo("the response code is none, not TRYCREATE");
    assertThat(h.miss("idle", false, untagged, set))
        .isEqualTo("the upstream has not announced IDLE");
    assertThat(h.miss("bye", false, untagged, set))
        .isEqualTo("the first line does not match /BYE/");
    assertThat(h.miss("secret", false, "* 1 FETCH (BODY[] {3}\r\nabc)\r\n", set))
        .isEqualTo("the frame does not match /Subject: x/");
    assertThat(h.miss("any", false, untagged, set))
        .isEqualTo(
            "none of 'any' holds: the first line does not match /A/; the first line does not match /B/");
    assertThat(h.miss("not", false, "* OK hi\r\n", set)).isEqualTo("'not' condition holds");
    assertThat(h.miss("not", false, untagged, set)).isNull();
    assertThat(h.miss("both", true, "a1 NOOP\r\n", set))
        .isEqualTo("the first line does not match /zzz/");
    RuleHarness p = open(Protocol.POP3, set);
    assertThat(p.miss("idle", false, "+OK\r\n", set))
        .isEqualTo("capabilities are tracked for IMAP only");
  }
}
