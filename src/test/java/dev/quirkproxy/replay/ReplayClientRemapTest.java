package dev.quirkproxy.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.codec.imap.parse.FrameBytes;
import dev.quirkproxy.codec.imap.parse.ImapParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayClientRemapTest {

  private static void see(ReplayClientRemap remap, boolean live, String line) {
    remap.observe(
        new ImapParser()
            .response(FrameBytes.of((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1))),
        live);
  }

  private static String env(String id) {
    return "ENVELOPE (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL \"<" + id + ">\")";
  }

  /** Recorded: UIDs 1..3 for a, b, c. Live: b was deleted, d was added; other UIDs. */
  private static ReplayClientRemap remap() {
    ReplayClientRemap r = new ReplayClientRemap();
    see(r, false, "* 1 FETCH (UID 1 RFC822.SIZE 10 " + env("a") + ")");
    see(r, false, "* 2 FETCH (UID 2 RFC822.SIZE 20 " + env("b") + ")");
    see(r, false, "* 3 FETCH (UID 3 RFC822.SIZE 30 " + env("c") + ")");
    see(r, true, "* 1 FETCH (UID 11 RFC822.SIZE 10 " + env("a") + ")");
    see(r, true, "* 2 FETCH (UID 13 RFC822.SIZE 30 " + env("c") + ")");
    see(r, true, "* 3 FETCH (UID 14 RFC822.SIZE 40 " + env("d") + ")");
    return r;
  }

  @Test
  void recordedNumbersBecomeLiveOnesByMessageIdAndSize() {
    ReplayClientRemap r = remap();
    assertThat(r.liveUid(3)).isEqualTo(13);
    assertThat(r.liveSeq(3)).isEqualTo(2);
    assertThat(r.liveUid(2)).as("deleted live: unchanged").isEqualTo(2);
    assertThat(r.mapSet("1:3", true)).isEqualTo("2,11,13");
    assertThat(r.mapSet("3:*", false)).isEqualTo("2:*");
    assertThat(r.mapSet("1,3", false)).isEqualTo("1:2");
    assertThat(r.mapSet("$", false)).isEqualTo("$");
  }

  @Test
  void liveNumbersReadInRecordedTerms() {
    ReplayClientRemap r = remap();
    assertThat(r.recordedUid(13)).isEqualTo("3");
    assertThat(r.recordedSeq(2, 0)).isEqualTo("3");
    assertThat(r.recordedSeq(3, 14)).isEqualTo("live:3");
    assertThat(r.recordedUid(14)).isEqualTo("live:14");
  }

  @Test
  void commandsAreRewrittenInPlace() {
    ReplayClientRemap r = remap();
    byte[] cmd = "a5 UID FETCH 3 (BODY.PEEK[])\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(new String(r.rewrite(cmd), StandardCharsets.US_ASCII))
        .isEqualTo("a5 UID FETCH 13 (BODY.PEEK[])\r\n");
    byte[] store = "a6 STORE 3 +FLAGS (\\Seen)\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(new String(r.rewrite(store), StandardCharsets.US_ASCII))
        .isEqualTo("a6 STORE 2 +FLAGS (\\Seen)\r\n");
    byte[] noop = "a7 NOOP\r\n".getBytes(StandardCharsets.US_ASCII);
    assertThat(r.rewrite(noop)).isSameAs(noop);
  }

  @Test
  void withoutIdentitiesNumbersStayAsTheyAre() {
    ReplayClientRemap r = new ReplayClientRemap();
    see(r, true, "* 1 FETCH (UID 7 FLAGS ())");
    assertThat(r.recordedSeq(1, 0)).isEqualTo("1");
    assertThat(r.recordedUid(7)).isEqualTo("7");
    assertThat(r.mapSet("1:4", true)).isEqualTo("1:4");
  }

  private static String rewritten(ReplayClientRemap r, String command) {
    return new String(
        r.rewrite((command + "\r\n").getBytes(StandardCharsets.US_ASCII)),
        StandardCharsets.US_ASCII);
  }

  @Test
  void searchKeysAreRewritten() {
    ReplayClientRemap r = remap();
    assertThat(rewritten(r, "a1 SEARCH 3 UNSEEN")).isEqualTo("a1 SEARCH 2 UNSEEN\r\n");
    assertThat(rewritten(r, "a2 UID SEARCH UID 1:3")).isEqualTo("a2 UID SEARCH UID 2,11,13\r\n");
    assertThat(rewritten(r, "a3 UID SEARCH 3 UID 3"))
        .as("a bare set is sequence numbers, also in UID SEARCH")
        .isEqualTo("a3 UID SEARCH 2 UID 13\r\n");
    assertThat(
            rewritten(
                r, "a4 SEARCH RETURN (MIN MAX) CHARSET UTF-8 OR (3 LARGER 3) NOT UID 3 SMALLER 3"))
        .isEqualTo(
            "a4 SEARCH RETURN (MIN MAX) CHARSET UTF-8 OR (2 LARGER 3) NOT UID 13 SMALLER 3\r\n");
    assertThat(rewritten(r, "a5 SEARCH HEADER X-N 3 MODSEQ \"/flags/x\" all 3 OLDER 3 3"))
        .as("arguments of keys are not sets")
        .isEqualTo("a5 SEARCH HEADER X-N 3 MODSEQ \"/flags/x\" all 3 OLDER 3 2\r\n");
    assertThat(rewritten(r, "a6 SEARCH X-UNKNOWN 3 3"))
        .as("after an unknown key nothing is rewritten")
        .isEqualTo("a6 SEARCH X-UNKNOWN 3 3\r\n");
    assertThat(rewritten(r, "a7 SEARCH $ 3")).isEqualTo("a7 SEARCH $ 2\r\n");
  }

  private static List<String> diff(ReplayClientRemap r, String recorded, String live) {
    SemanticDiffCanon.Numbers numbers =
        new SemanticDiffCanon.Numbers() {
          @Override
          public String seq(long seq, long uid) {
            return r.recordedSeq(seq, uid);
          }

          @Override
          public String uid(long uid) {
            return r.recordedUid(uid);
          }
        };
    ImapParser p = new ImapParser();
    return new SemanticDiff(SemanticDiffIgnore.defaults())
        .diff(
            List.of(
                p.response(FrameBytes.of((recorded + "\r\n").getBytes(StandardCharsets.US_ASCII)))),
            List.of(p.response(FrameBytes.of((live + "\r\n").getBytes(StandardCharsets.US_ASCII)))),
            SemanticDiffCanon.Numbers.AS_IS,
            numbers,
            false);
  }

  @Test
  void esearchResultsAreReadInRecordedNumbers() {
    ReplayClientRemap r = remap();
    assertThat(
            diff(
                r,
                "* ESEARCH (TAG \"a1\") UID ALL 1,3 MIN 1 MAX 3 COUNT 2",
                "* ESEARCH (TAG \"a1\") UID COUNT 2 MAX 13 MIN 11 ALL 11,13"))
        .isEmpty();
    assertThat(diff(r, "* ESEARCH (TAG \"a2\") ALL 1,3", "* ESEARCH (TAG \"a2\") ALL 1:2"))
        .as("sequence numbers")
        .isEmpty();
    assertThat(
            diff(
                r, "* ESEARCH (TAG \"a3\") UID ALL 1:3", "* ESEARCH (TAG \"a3\") UID ALL 11,13:14"))
        .containsExactly(
            "- * ESEARCH (TAG \"a3\") UID ALL 1:3", "+ * ESEARCH (TAG \"a3\") UID ALL 1,3,live:14");
    assertThat(
            diff(
                r,
                "* ESEARCH (TAG \"a4\") MODSEQ 5 MIN 3",
                "* ESEARCH (TAG \"a4\") MIN 2 MODSEQ 9"))
        .as("MODSEQ ignored by default")
        .isEmpty();
  }
}
