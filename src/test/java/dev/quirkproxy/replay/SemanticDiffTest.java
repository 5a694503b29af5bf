package dev.quirkproxy.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.codec.imap.parse.FrameBytes;
import dev.quirkproxy.codec.imap.parse.ImapParser;
import dev.quirkproxy.codec.imap.parse.ParsedFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SemanticDiffTest {

  private static final SemanticDiffCanon.Numbers AS_IS = SemanticDiffCanon.Numbers.AS_IS;

  private static List<ParsedFrame> frames(String... lines) {
    List<ParsedFrame> out = new ArrayList<>();
    for (String l : lines) {
      ParsedFrame f =
          new ImapParser()
              .response(FrameBytes.of((l + "\r\n").getBytes(StandardCharsets.ISO_8859_1)));
      assertThat(f).as(l).isNotInstanceOf(ParsedFrame.Unparsed.class);
      out.add(f);
    }
    return out;
  }

  private static List<String> diff(
      Set<SemanticDiffIgnore> ignore, List<ParsedFrame> r, List<ParsedFrame> l) {
    return new SemanticDiff(ignore).diff(r, l, AS_IS, AS_IS, false);
  }

  private static final List<ParsedFrame> SELECT_RECORDED =
      frames(
          "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
          "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.",
          "* 5 EXISTS",
          "* 5 RECENT",
          "* OK [UIDVALIDITY 1736157600] UIDs valid",
          "* OK [UIDNEXT 6] Predicted next UID",
          "* OK [HIGHESTMODSEQ 3] Highest",
          "a3 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).");

  private static final List<ParsedFrame> SELECT_LIVE =
      frames(
          "* 5 EXISTS",
          "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)",
          "* OK [PERMANENTFLAGS (\\* \\Answered \\Flagged \\Deleted \\Seen \\Draft)] Flags ok",
          "* 0 RECENT",
          "* OK [UIDVALIDITY 99] UIDs valid",
          "* OK [UIDNEXT 12] Predicted next UID",
          "* OK [HIGHESTMODSEQ 40] Highest",
          "a3 OK [READ-WRITE] Select completed (0.004 + 0.000 + 0.003 secs).");

  @Test
  void whatLegitimatelyVariesIsIgnoredByDefault() {
    assertThat(diff(SemanticDiffIgnore.defaults(), SELECT_RECORDED, SELECT_LIVE)).isEmpty();
  }

  @Test
  void eachIgnoreCanBeTurnedOff() {
    List<String> all = diff(EnumSet.noneOf(SemanticDiffIgnore.class), SELECT_RECORDED, SELECT_LIVE);
    assertThat(all)
        .contains(
            "- * 5 RECENT",
            "+ * 0 RECENT",
            "- * OK [UIDVALIDITY 1736157600] UIDs valid",
            "+ * OK [UIDVALIDITY 99] UIDs valid",
            "- * OK [UIDNEXT 6] Predicted next UID",
            "- * OK [HIGHESTMODSEQ 3] Highest",
            "- * OK [PERMANENTFLAGS (\\* \\Answered \\Deleted \\Draft \\Flagged \\Seen)]"
                + " Flags permitted.",
            "~ completion: recorded a3 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).,"
                + " live a3 OK [READ-WRITE] Select completed (0.004 + 0.000 + 0.003 secs).");
    // Text compared, but dates and timings in it still masked.
    Set<SemanticDiffIgnore> textOnly = SemanticDiffIgnore.defaults();
    textOnly.remove(SemanticDiffIgnore.TEXT);
    assertThat(diff(textOnly, SELECT_RECORDED, SELECT_LIVE))
        .containsExactly(
            "- * OK [PERMANENTFLAGS (\\* \\Answered \\Deleted \\Draft \\Flagged \\Seen)]"
                + " Flags permitted.",
            "+ * OK [PERMANENTFLAGS (\\* \\Answered \\Deleted \\Draft \\Flagged \\Seen)] Flags ok");
  }

  @Test
  void orderIsComparedOnlyWhenAsked() {
    List<ParsedFrame> r = frames("* 1 EXISTS", "* FLAGS (\\Seen)", "a OK done");
    List<ParsedFrame> l = frames("* FLAGS (\\Seen)", "* 1 EXISTS", "a OK done");
    assertThat(diff(SemanticDiffIgnore.defaults(), r, l)).isEmpty();
    Set<SemanticDiffIgnore> order = SemanticDiffIgnore.defaults();
    order.remove(SemanticDiffIgnore.ORDER);
    assertThat(diff(order, r, l)).containsExactly("~ the untagged responses came in another order");
  }

  @Test
  void fetchesOfTheSameMessageAreComparedItemByItem() {
    List<ParsedFrame> r =
        frames(
            "* 3 FETCH (UID 3 FLAGS (\\Seen \\Recent) INTERNALDATE \"06-Jan-2025 10:10:00 +0000\""
                + " MODSEQ (4) RFC822.SIZE 120)",
            "a OK Fetch completed.");
    List<ParsedFrame> l =
        frames(
            "* 3 FETCH (RFC822.SIZE 120 FLAGS (\\Flagged \\Seen) MODSEQ (9) UID 3 INTERNALDATE"
                + " \"07-Jan-2025 11:00:00 +0000\")",
            "a OK Fetch completed (0.001 + 0.000 secs).");
    assertThat(diff(SemanticDiffIgnore.defaults(), r, l))
        .containsExactly("~ * 3 FETCH FLAGS: recorded (\\Seen), live (\\Flagged \\Seen)");
  }

  @Test
  void aQuotedStringEqualsALiteralWithTheSameOctets() {
    List<ParsedFrame> r =
        frames("* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] \"Subject: hi\")", "a OK");
    List<ParsedFrame> l =
        List.of(
            new ImapParser()
                .response(
                    FrameBytes.of(
                        "* 1 FETCH (body[header.fields (subject)] {11}\r\nSubject: hi)\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1))),
            frames("a OK").get(0));
    assertThat(diff(SemanticDiffIgnore.defaults(), r, l)).isEmpty();
  }

  @Test
  void missingAndExtraResponsesAndAnotherCompletionAreReported() {
    List<ParsedFrame> r =
        frames("* 1 FETCH (UID 1 FLAGS ())", "* 2 FETCH (UID 2 FLAGS ())", "a OK done");
    List<ParsedFrame> l = frames("* 1 FETCH (UID 1 FLAGS ())", "* 7 EXISTS", "a NO [TRYCREATE] no");
    assertThat(diff(SemanticDiffIgnore.defaults(), r, l))
        .containsExactly(
            "- * 2 FETCH (FLAGS () UID 2)",
            "+ * 7 EXISTS",
            "~ completion: recorded a OK, live a NO [TRYCREATE]");
  }

  @Test
  void longValuesAreShownBySizeAndHash() {
    List<ParsedFrame> r =
        List.of(
            new ImapParser()
                .response(
                    FrameBytes.of(
                        ("* 1 FETCH (BODY[] {500}\r\n" + "x".repeat(500) + ")\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1))),
            frames("a OK").get(0));
    assertThat(diff(SemanticDiffIgnore.defaults(), r, frames("a OK")))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .matches("- \\* 1 FETCH \\(BODY\\[] \\{500 octets, sha256 [0-9a-f]{12}}\\)");
    assertThat(SemanticDiffCanon.shorten("(" + "y".repeat(300) + ")"))
        .hasSize(120 + " sha256 ".length() + 13)
        .contains("\u2026 sha256 ");
  }
}
