package dev.quirkproxy.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.fingerprint.TagShape.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Tag-shape inference for every style in client-quirks.md section 1a. */
class TagShapeTest {

  private static List<String> tags(String first, int count, String format) {
    List<String> out = new ArrayList<>();
    long start = Long.parseLong(first);
    for (int i = 0; i < count; i++) {
      out.add(String.format(java.util.Locale.ROOT, format, start + i));
    }
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // client | format | first | kind | prefix | width | first value
        "Thunderbird >= 91 (random start) | %d      | 58 | DECIMAL | ''  | -2 | 58",
        "K-9 / AOSP / mbsync / libetpan    | %d      | 1  | DECIMAL | ''  | 0  | 1",
        "iOS 18.0 maild                    | A%d     | 1  | DECIMAL | A   | 0  | 1",
        "iOS 18.x per-purpose prefix       | EX%d    | 32 | DECIMAL | EX  | -2 | 32",
        "Evolution                         | B%05d   | 55 | DECIMAL | B   | 5  | 55",
        "Geary                             | a%03d   | 1  | DECIMAL | a   | 3  | 1",
        "KMail (KIMAP)                     | A%06d   | 1  | DECIMAL | A   | 6  | 1",
        "mutt / NeoMutt                    | a%04d   | 0  | DECIMAL | a   | 4  | 0",
        "Roundcube / fetchmail             | A%04d   | 1  | DECIMAL | A   | 4  | 1",
        "SquirrelMail / curl               | A%03d   | 1  | DECIMAL | A   | 3  | 1",
        "RainLoop / Webklex                | TAG%d   | 1  | DECIMAL | TAG | 0  | 1",
        "Jakarta Mail                      | A%d     | 0  | DECIMAL | A   | 0  | 0",
        "MailKit                           | A%08d   | 0  | DECIMAL | A   | 8  | 0",
        "go-imap v2                        | T%d     | 1  | DECIMAL | T   | 0  | 1",
        "Python imaplib                    | DGGH%d  | 0  | IMAPLIB | DGGH | 0 | 0",
        "Outlook (A1064, weak)             | A%d     | 1064 | DECIMAL | A | -4 | 1064",
      })
  void infersEachStyle(
      String client, String format, String first, Kind kind, String prefix, int width, long from) {
    TagShape s = TagShape.infer(tags(first, 5, format));
    assertThat(s.kind()).as(client).isEqualTo(kind);
    assertThat(s.prefix()).as(client).isEqualTo(prefix);
    assertThat(s.width()).as(client).isEqualTo(width);
    assertThat(s.first()).as(client).isEqualTo(from);
    assertThat(s.increment()).as(client).isEqualTo(1);
    assertThat(s.describe()).isNotBlank();
  }

  @Test
  void unpaddedCounterCrossingADigitIsNotPadded() {
    TagShape s = TagShape.infer(tags("8", 4, "%d"));
    assertThat(s.width()).isZero();
    assertThat(s.max()).isEqualTo(11);
  }

  @Test
  void appleDottedForm() {
    TagShape s = TagShape.infer(List.of("1.1", "2.1", "3.1", "4.1"));
    assertThat(s.kind()).isEqualTo(Kind.DOTTED);
    assertThat(s.prefix()).isEqualTo("1");
    assertThat(s.first()).isEqualTo(1);
    assertThat(s.increment()).isEqualTo(1);
    assertThat(TagShape.infer(List.of("23.34", "24.34")).prefix()).isEqualTo("34");
  }

  @Test
  void imapflowUpperCaseHexRollsOverAfterNine() {
    TagShape s = TagShape.infer(List.of("7", "8", "9", "A", "B"));
    assertThat(s.kind()).isEqualTo(Kind.HEX);
    assertThat(s.first()).isEqualTo(7);
    assertThat(s.increment()).isEqualTo(1);
    assertThat(s.max()).isEqualTo(11);
  }

  @Test
  void cClientEightHexDigits() {
    TagShape s = TagShape.infer(List.of("00000008", "00000009", "0000000a", "0000000b"));
    assertThat(s.kind()).isEqualTo(Kind.HEX);
    assertThat(s.width()).isEqualTo(8);
    assertThat(s.increment()).isEqualTo(1);
  }

  @Test
  void goImapV1RandomTagsHaveNoCounter() {
    TagShape s = TagShape.infer(List.of("nT_aQw", "9xR-bA", "kQ2vZe"));
    assertThat(s.kind()).isEqualTo(Kind.RANDOM);
    assertThat(s.width()).isEqualTo(6);
  }

  @Test
  void aChangingLetterPrefixIsNotACounter() {
    assertThat(TagShape.infer(List.of("abcD12", "xyzQ13")).kind()).isEqualTo(Kind.RANDOM);
  }

  @Test
  void imaplibNeedsLettersAToPAndACounterFromZeroOrOne() {
    assertThat(TagShape.infer(List.of("PNFD0", "PNFD1")).kind()).isEqualTo(Kind.IMAPLIB);
    assertThat(TagShape.infer(List.of("QRST0", "QRST1")).kind()).isEqualTo(Kind.DECIMAL);
  }

  @Test
  void pipelinedAndRepeatedTagsKeepTheUsualStep() {
    TagShape s = TagShape.infer(List.of("1", "2", "2", "3", "5", "4", "6"));
    assertThat(s.increment()).isEqualTo(1);
    assertThat(TagShape.infer(List.of("2", "4", "6", "8")).increment()).isEqualTo(2);
  }

  @Test
  void aTagThatIsACommandNameIsSetAsideNotCalledRandom() {
    // node-imap (lib/Connection.js): 'A' + counter from 0, but IDLE and NOOP go out as "IDLE IDLE"
    TagShape s =
        TagShape.infer(List.of("A0", "A1", "A2", "A3", "A4", "A5", "IDLE", "A6", "A7", "NOOP"));
    assertThat(s.kind()).isEqualTo(Kind.DECIMAL);
    assertThat(s.prefix()).isEqualTo("A");
    assertThat(s.first()).isZero();
    assertThat(s.increment()).isEqualTo(1);
    assertThat(s.count()).isEqualTo(8);
    assertThat(s.outliers()).isEqualTo(2);
    assertThat(s.outlierExample()).isEqualTo("IDLE");
    assertThat(s.describe()).contains("2 other tags set aside, e.g. IDLE");
    assertThat(TagShape.isCommandName("idle")).isTrue();
    assertThat(TagShape.isCommandName("A1")).isFalse();
  }

  @Test
  void aCommandNameTagFirstDoesNotSetTheShapesStart() {
    TagShape s = TagShape.infer(List.of("NOOP", "1", "2", "3"));
    assertThat(s.kind()).isEqualTo(Kind.DECIMAL);
    assertThat(s.first()).isEqualTo(1);
    assertThat(s.example()).isEqualTo("1");
  }

  @Test
  void atMostOneOutlierInFiveIsSetAside() {
    // one odd tag in five: still a counter
    TagShape one = TagShape.infer(List.of("a0001", "a0002", "zz", "a0003", "a0004"));
    assertThat(one.kind()).isEqualTo(Kind.DECIMAL);
    assertThat(one.prefix()).isEqualTo("a");
    assertThat(one.width()).isEqualTo(4);
    assertThat(one.outliers()).isEqualTo(1);
    assertThat(one.outlierExample()).isEqualTo("zz");
    // an odd tag among four is more than one in five
    assertThat(TagShape.infer(List.of("a0001", "a0002", "zz", "a0003")).kind())
        .isEqualTo(Kind.RANDOM);
    // two odd tags in five: random
    assertThat(TagShape.infer(List.of("a0001", "q9", "zz", "a0003", "a0004")).kind())
        .isEqualTo(Kind.RANDOM);
  }

  @Test
  void aMinorityPrefixIsAnOutlierOfTheMajorityPrefix() {
    TagShape s =
        TagShape.infer(
            List.of("A0001", "A0002", "A0003", "B7", "A0004", "A0005", "A0006", "A0007", "A0008"));
    assertThat(s.kind()).isEqualTo(Kind.DECIMAL);
    assertThat(s.prefix()).isEqualTo("A");
    assertThat(s.width()).isEqualTo(4);
    assertThat(s.outliers()).isEqualTo(1);
    TagShape dotted = TagShape.infer(List.of("1.7", "2.7", "3.7", "x", "4.7", "5.7"));
    assertThat(dotted.kind()).isEqualTo(Kind.DOTTED);
    assertThat(dotted.prefix()).isEqualTo("7");
  }

  @Test
  void randomTagsStayRandomAndCleanShapesHaveNoOutliers() {
    assertThat(
            TagShape.infer(List.of("nT_aQw", "9xR-bA", "kQ2vZe", "Zp0_Aa", "q-7Wxy", "IDLE"))
                .kind())
        .isEqualTo(Kind.RANDOM);
    assertThat(TagShape.infer(List.of("IDLE", "NOOP")).kind()).isEqualTo(Kind.RANDOM);
    TagShape hex = TagShape.infer(List.of("8", "9", "A", "B", "C"));
    assertThat(hex.kind()).isEqualTo(Kind.HEX);
    assertThat(hex.outliers()).isZero();
    assertThat(TagShape.infer(List.of("1", "2", "3")).describe()).doesNotContain("set aside");
  }

  @Test
  void noTagsNoShape() {
    assertThat(TagShape.infer(List.of()).kind()).isEqualTo(Kind.NONE);
    assertThat(TagShape.none().describe()).isEqualTo("no tags");
  }
}
