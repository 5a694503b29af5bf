package dev.quirkproxy.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.codec.imap.parse.FrameBytes;
import dev.quirkproxy.codec.imap.parse.ImapParser;
import java.nio.charset.StandardCharsets;
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
}
