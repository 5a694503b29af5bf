package dev.quirkproxy.rules;

import static dev.quirkproxy.rules.RuleHarness.file;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.codec.Literal;
import dev.quirkproxy.rules.RuleHarness.Sent;
import dev.quirkproxy.session.ClientIdentity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code complete-bodystructure} on BODYSTRUCTUREs as real servers send them (Dovecot, which leaves
 * out the location; Gmail-style upper case with fewer fields; a message/rfc822 part; parameters
 * sent as literals), through the engine with real framers: the exact bytes the client gets.
 */
class BodyStructureCompletionTest {

  private static final String RULE =
      """
      {"id": "complete", "action": {"type": "complete-bodystructure"}}""";
  private static final String UNWRAP =
      """
      {"id": "complete", "action": {"type": "complete-bodystructure",
       "unwrapSingleChildMultipart": true}}""";

  private RuleHarness h;

  @AfterEach
  void close() {
    if (h != null) {
      h.close();
    }
  }

  private RuleHarness imap(String... rules) {
    h = RuleHarness.imap(file(rules));
    h.selected("INBOX", 12);
    return h;
  }

  /** The server sends {@code in}; returns what the client got. */
  private String through(String in) {
    h.server(in);
    return h.toClient();
  }

  /** UTF-8 text as octets, one char per octet (how the harness and the wire see it). */
  private static String utf8(String text) {
    return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
  }

  @Test
  void dovecotMultipartAlternativeGetsTheLocationEverywhere() {
    imap(RULE);
    String in =
        "* 1 FETCH (UID 7 BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL"
            + " \"quoted-printable\" 1152 23 NIL NIL NIL)(\"text\" \"html\" (\"charset\""
            + " \"utf-8\") NIL NIL \"quoted-printable\" 9532 120 NIL NIL NIL) \"alternative\""
            + " (\"boundary\" \"b1_5bd9\") NIL NIL))\r\n";
    assertThat(through(in))
        .isEqualTo(
            "* 1 FETCH (UID 7 BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL"
                + " \"quoted-printable\" 1152 23 NIL NIL NIL NIL)(\"text\" \"html\" (\"charset\""
                + " \"utf-8\") NIL NIL \"quoted-printable\" 9532 120 NIL NIL NIL NIL)"
                + " \"alternative\" (\"boundary\" \"b1_5bd9\") NIL NIL NIL))\r\n");
    assertThat(h.hits()).containsExactly("complete/complete-bodystructure");
  }

  @Test
  void nestedMixedWithAnAttachmentAndAPartWithOnlyItsMd5() {
    imap(RULE);
    // The first text part carries an MD5 and nothing after it: what Android 2.2 crashed on.
    String in =
        "* 12 FETCH (X-GM-MSGID 1789 BODYSTRUCTURE (((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"UTF-8\")"
            + " NIL NIL \"7BIT\" 18 1 \"Q2hlY2sgSW50ZWdyaXR5IQ==\")(\"TEXT\" \"HTML\""
            + " (\"CHARSET\" \"UTF-8\") NIL NIL \"QUOTED-PRINTABLE\" 39 1) \"ALTERNATIVE\""
            + " (\"BOUNDARY\" \"000000000000abc\"))(\"APPLICATION\" \"PDF\" (\"NAME\""
            + " \"invoice.pdf\") \"<f_k1>\" NIL \"BASE64\" 45234 NIL (\"ATTACHMENT\" (\"FILENAME\""
            + " \"invoice.pdf\")) NIL) \"MIXED\" (\"BOUNDARY\" \"000000000000def\") NIL NIL) UID"
            + " 33)\r\n";
    assertThat(through(in))
        .isEqualTo(
            "* 12 FETCH (X-GM-MSGID 1789 BODYSTRUCTURE (((\"TEXT\" \"PLAIN\" (\"CHARSET\""
                + " \"UTF-8\") NIL NIL \"7BIT\" 18 1 \"Q2hlY2sgSW50ZWdyaXR5IQ==\" NIL NIL NIL)"
                + "(\"TEXT\" \"HTML\" (\"CHARSET\" \"UTF-8\") NIL NIL \"QUOTED-PRINTABLE\" 39 1 NIL"
                + " NIL NIL NIL) \"ALTERNATIVE\" (\"BOUNDARY\" \"000000000000abc\") NIL NIL NIL)"
                + "(\"APPLICATION\" \"PDF\" (\"NAME\" \"invoice.pdf\") \"<f_k1>\" NIL \"BASE64\""
                + " 45234 NIL (\"ATTACHMENT\" (\"FILENAME\" \"invoice.pdf\")) NIL NIL) \"MIXED\""
                + " (\"BOUNDARY\" \"000000000000def\") NIL NIL NIL) UID 33)\r\n");
  }

  @Test
  void aForwardedMessageKeepsItsEnvelopeAndItsBodyIsCompletedToo() {
    imap(RULE);
    String envelope =
        "(\"Mon, 06 Jan 2025 09:00:00 +0000\" \"Minutes (draft)\" ((\"Carol Example\" NIL"
            + " \"carol\" \"example.org\")) ((\"Carol Example\" NIL \"carol\" \"example.org\"))"
            + " ((\"Carol Example\" NIL \"carol\" \"example.org\")) ((NIL NIL \"alice\""
            + " \"example.net\")) NIL NIL NIL \"<minutes-1@example.org>\")";
    String in =
        "* 3 FETCH (UID 12 BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL"
            + " \"7bit\" 41 2 NIL NIL NIL)(\"message\" \"rfc822\" (\"name\" \"fwd.eml\") NIL NIL"
            + " \"7bit\" 620 "
            + envelope
            + " ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 12 1 NIL NIL"
            + " NIL)(\"text\" \"html\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 30 1 NIL NIL"
            + " NIL) \"alternative\" (\"boundary\" \"in\") NIL NIL) 18 NIL (\"attachment\""
            + " (\"filename\" \"fwd.eml\")) NIL) \"mixed\" (\"boundary\" \"out\") NIL NIL))\r\n";
    assertThat(through(in))
        .isEqualTo(
            "* 3 FETCH (UID 12 BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL"
                + " NIL \"7bit\" 41 2 NIL NIL NIL NIL)(\"message\" \"rfc822\" (\"name\""
                + " \"fwd.eml\") NIL NIL \"7bit\" 620 "
                + envelope
                + " ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 12 1 NIL NIL"
                + " NIL NIL)(\"text\" \"html\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 30 1"
                + " NIL NIL NIL NIL) \"alternative\" (\"boundary\" \"in\") NIL NIL NIL) 18 NIL"
                + " (\"attachment\" (\"filename\" \"fwd.eml\")) NIL NIL) \"mixed\" (\"boundary\""
                + " \"out\") NIL NIL NIL))\r\n");
  }

  private static final String LITERAL_IN =
      utf8(
          "* 2 FETCH (UID 8 FLAGS (\\Seen) BODY[HEADER.FIELDS (date subject)] {59}\r\n"
              + "Date: Mon, 06 Jan 2025 10:05:00 +0000\r\nSubject: Straße\r\n\r\n"
              + " BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"8bit\" 10 1"
              + " NIL NIL NIL)(\"application\" \"pdf\" (\"name\" {11}\r\nStraße.pdf) NIL NIL"
              + " \"base64\" 100 NIL (\"attachment\" (\"filename\" {11}\r\nStraße.pdf)) NIL)"
              + " \"mixed\" (\"boundary\" \"x\") NIL NIL))\r\n");

  private static final String LITERAL_OUT =
      utf8(
          "* 2 FETCH (UID 8 FLAGS (\\Seen) BODY[HEADER.FIELDS (date subject)] {59}\r\n"
              + "Date: Mon, 06 Jan 2025 10:05:00 +0000\r\nSubject: Straße\r\n\r\n"
              + " BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"8bit\" 10 1"
              + " NIL NIL NIL NIL)(\"application\" \"pdf\" (\"name\" {11}\r\nStraße.pdf) NIL NIL"
              + " \"base64\" 100 NIL (\"attachment\" (\"filename\" {11}\r\nStraße.pdf)) NIL NIL)"
              + " \"mixed\" (\"boundary\" \"x\") NIL NIL NIL))\r\n");

  @Test
  void literalParametersAndAnEarlierHeaderLiteralKeepTheirBytesAndSizes() {
    imap(RULE);
    assertThat(through(LITERAL_IN)).isEqualTo(LITERAL_OUT);
    // Each line announces the literal that follows it with its real size.
    assertThat(h.sent().stream().map(Sent::literal).filter(Objects::nonNull))
        .containsExactly(
            new Literal(59, true, false),
            new Literal(11, true, false),
            new Literal(11, true, false));
  }

  @Test
  void theSameFedOneOctetAtATime() {
    imap(RULE);
    for (char c : LITERAL_IN.toCharArray()) {
      h.server(String.valueOf(c));
    }
    assertThat(h.toClient()).isEqualTo(LITERAL_OUT);
  }

  @Test
  void furtherExtensionsAndACompleteStructureStayAsSent() {
    imap(RULE);
    String complete =
        "* 4 FETCH (bodystructure (\"text\" \"plain\" NIL NIL NIL \"7bit\" 3 1 NIL NIL NIL NIL"
            + " \"x-ext\" (1 2)) UID 9)\r\n";
    assertThat(through(complete)).isEqualTo(complete);
    assertThat(h.verdicts()).containsExactly("forward");
    assertThat(h.hits()).isEmpty();
    // Only the missing fields are added; what the server sent keeps its spelling and spacing.
    assertThat(
            through(
                "* 5 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" nil nil nil \"7bit\" 3 1 nil)"
                    + "  \"mixed\"  ) UID 10)\r\n"))
        .isEqualTo(
            "* 5 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" nil nil nil \"7bit\" 3 1 nil NIL NIL"
                + " NIL)  \"mixed\" NIL NIL NIL NIL  ) UID 10)\r\n");
  }

  @Test
  void bodyWithoutExtensionDataIsLeftAlone() {
    imap(RULE);
    String body =
        "* 1 FETCH (UID 7 BODY (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 25"
            + " 2))\r\n";
    assertThat(through(body)).isEqualTo(body);
    assertThat(h.verdicts()).containsExactly("forward");
  }

  @Test
  void aResponseThatDoesNotParseAndOtherResponsesGoOnUnchanged() {
    imap(RULE);
    for (String in :
        new String[] {
          "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" many 2))\r\n",
          "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\"))\r\n",
          "* 1 FETCH (UID 7 BODYSTRUCTURE)\r\n",
          "* 2 FETCH (FLAGS (\\Seen) UID 8)\r\n",
          "* OK [ALERT] BODYSTRUCTURE (\"text\" \"plain\")\r\n",
          "s2 OK Fetch completed\r\n"
        }) {
      assertThat(through(in)).as(in).isEqualTo(in);
    }
    assertThat(h.hits()).isEmpty();
    // A command naming BODYSTRUCTURE is the client's: not this action's business.
    h.client("a3 UID FETCH 1:* (UID BODYSTRUCTURE)\r\n");
    assertThat(h.toServer()).isEqualTo("a3 UID FETCH 1:* (UID BODYSTRUCTURE)\r\n");
  }

  @Test
  void aFrameAnEarlierRuleEditedIsCompletedAsEdited() {
    imap(
        """
        {"id": "uid", "action": {"type": "replace", "pattern": "UID 7", "replacement": "UID 70"}}""",
        RULE);
    assertThat(
            through(
                "* 1 FETCH (UID 7 BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 3 1))\r\n"))
        .isEqualTo(
            "* 1 FETCH (UID 70 BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 3 1 NIL NIL"
                + " NIL NIL))\r\n");
    assertThat(h.hits()).containsExactly("uid/replace", "complete/complete-bodystructure");
  }

  @Test
  void unwrappingReplacesSingleChildMultipartsAtEveryLevel() {
    imap(UNWRAP);
    assertThat(
            through(
                "* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL"
                    + " \"7bit\" 25 2 NIL NIL NIL) \"mixed\" (\"boundary\" \"b\") NIL NIL))\r\n"))
        .isEqualTo(
            "* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL"
                + " \"7bit\" 25 2 NIL NIL NIL NIL))\r\n");
    assertThat(
            through(
                "* 2 FETCH (BODYSTRUCTURE (((\"text\" \"html\" NIL NIL NIL \"7bit\" 30 1)"
                    + " \"alternative\")(\"image\" \"png\" NIL NIL NIL \"base64\" 900) \"mixed\"))"
                    + "\r\n"))
        .isEqualTo(
            "* 2 FETCH (BODYSTRUCTURE ((\"text\" \"html\" NIL NIL NIL \"7bit\" 30 1 NIL NIL NIL"
                + " NIL)(\"image\" \"png\" NIL NIL NIL \"base64\" 900 NIL NIL NIL NIL) \"mixed\""
                + " NIL NIL NIL NIL))\r\n");
  }

  @Test
  void withoutTheOptionASingleChildMultipartStays() {
    imap(RULE);
    assertThat(
            through(
                "* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 25 2)"
                    + " \"mixed\"))\r\n"))
        .isEqualTo(
            "* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 25 2 NIL NIL NIL"
                + " NIL) \"mixed\" NIL NIL NIL NIL))\r\n");
  }

  @Test
  void theShippedRuleActsForAospEmailBefore23AndOfUnknownVersion() {
    RuleLoader.Result loaded = RuleLoader.load(Path.of("rules/bodystructure-complete.json"));
    assertThat(loaded.errors()).isEmpty();
    String in = "* 1 FETCH (UID 7 BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 3 1))\r\n";
    String out =
        "* 1 FETCH (UID 7 BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 3 1 NIL NIL NIL"
            + " NIL))\r\n";
    Object[][] cases = {
      {new ClientIdentity("aosp-email", "2.2; FRF91", 0.9, false), out},
      {new ClientIdentity("aosp-email", "2.1-update1", 0.9, false), out},
      {new ClientIdentity("aosp-email", null, 0.4, false), out},
      {new ClientIdentity("aosp-email", "2.3.6; GRK39F", 0.9, false), in},
      {new ClientIdentity("aosp-email", "4.4.2; KOT49H", 0.9, false), in},
      {new ClientIdentity("k9", "5.600", 0.9, false), in},
      {ClientIdentity.UNKNOWN, in},
    };
    for (Object[] c : cases) {
      RuleSet rules = loaded.rules();
      h = new RuleHarness(dev.quirkproxy.session.Protocol.IMAP, new RuleEngine(() -> rules));
      h.selected("INBOX", 1);
      h.session.identify((ClientIdentity) c[0]);
      assertThat(through(in)).as("%s", c[0]).isEqualTo(c[1]);
      h.close();
      h = null;
    }
  }
}
