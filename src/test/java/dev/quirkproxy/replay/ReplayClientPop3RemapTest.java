package dev.quirkproxy.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplayClientPop3RemapTest {

  private static byte[] answer(String... lines) {
    return (String.join("\r\n", lines) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] top(String id) {
    return answer("+OK", "Subject: x", "Message-ID:", " <" + id + ">", "", ".");
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  /** Recorded: a, b, c, d (sizes 10, 20, 30, 40), Message-IDs of a and b seen; live: a deleted. */
  private static ReplayClientPop3Remap firstDeleted() {
    ReplayClientPop3Remap r = new ReplayClientPop3Remap();
    r.observe("LIST", answer("+OK 4 messages", "1 10", "2 20", "3 30", "4 40", "."), false);
    r.observe("TOP 1 0", top("a"), false);
    r.observe("RETR 2", top("b"), false);
    r.observe("UIDL", answer("+OK", "1 ua", "2 ub", "3 uc", "4 ud", "."), false);
    r.observe("LIST", answer("+OK 3 messages", "1 20", "2 30", "3 40", "."), true);
    r.observe("TOP 1 0", top("b"), true);
    r.observe("TOP 2 0", top("c"), true);
    r.observe("TOP 3 0", top("d"), true);
    r.match();
    return r;
  }

  @Test
  void recordedNumbersBecomeLiveOnes() {
    ReplayClientPop3Remap r = firstDeleted();
    assertThat(r.rewrite("TOP 1 0")).as("a is missing").isNull();
    assertThat(r.rewrite("RETR 2")).isEqualTo("RETR 1");
    assertThat(r.rewrite("DELE 4")).isEqualTo("DELE 3");
    assertThat(r.rewrite("list 3")).isEqualTo("list 2");
    assertThat(r.rewrite("UIDL  3")).isEqualTo("UIDL  2");
    assertThat(r.rewrite("STAT")).isEqualTo("STAT");
    assertThat(r.rewrite("DELE 9")).as("never seen: as it is").isEqualTo("DELE 9");
    assertThat(r.recordedIdentity(1)).hasToString("size 10, Message-ID <a>");
  }

  @Test
  void liveAnswersAreReadInRecordedNumbers() {
    ReplayClientPop3Remap r = firstDeleted();
    assertThat(text(r.toRecorded("LIST", answer("+OK", "1 20", "2 30", "3 40", "."))))
        .isEqualTo(text(answer("+OK", "2 20", "3 30", "4 40", ".")));
    assertThat(text(r.toRecorded("LIST 3", answer("+OK 2 30")))).isEqualTo("+OK 3 30\r\n");
    assertThat(text(r.toRecorded("UIDL", answer("+OK", "1 x", "2 y", "4 z", "."))))
        .as("a number the probe did not see stays as it is")
        .isEqualTo(text(answer("+OK", "2 x", "3 y", "4 z", ".")));
    assertThat(text(r.toRecorded("STAT", answer("+OK 3 90")))).isEqualTo("+OK 3 90\r\n");
    SemanticDiffPop3 diff = new SemanticDiffPop3(SemanticDiffIgnore.defaults());
    assertThat(
            diff.diff(
                "LIST",
                answer("+OK 4 messages", "1 10", "2 20", "3 30", "4 40", "."),
                r.toRecorded("LIST", answer("+OK 3 messages", "1 20", "2 30", "3 40", "."))))
        .containsExactly("- 1 10");
  }

  @Test
  void withoutTopSizesAndUniqueIdsDecideInOrder() {
    ReplayClientPop3Remap r = new ReplayClientPop3Remap();
    r.observe("LIST", answer("+OK", "1 10", "2 10", "3 10", "4 50", "."), false);
    r.observe("UIDL", answer("+OK", "1 u1", "2 u2", "3 u3", "4 u4", "."), false);
    r.observe("RETR 4", top("d"), false);
    r.observe("LIST", answer("+OK", "1 10", "2 10", "3 50", "."), true);
    r.observe("UIDL", answer("+OK", "1 u1", "2 u3", "3 u4", "."), true);
    r.match();
    assertThat(r.rewrite("RETR 1")).isEqualTo("RETR 1");
    assertThat(r.rewrite("RETR 2")).as("u2 was deleted; the same size").isNull();
    assertThat(r.rewrite("RETR 3")).as("the same unique-id preferred").isEqualTo("RETR 2");
    assertThat(r.rewrite("RETR 4")).as("size only on the live side").isEqualTo("RETR 3");
  }

  @Test
  void sizeOnlyMatchesStayBetweenTheirNeighbours() {
    ReplayClientPop3Remap r = new ReplayClientPop3Remap();
    r.observe("LIST", answer("+OK", "1 10", "2 10", "3 10", "."), false);
    r.observe("TOP 2 0", top("b"), false);
    r.observe("LIST", answer("+OK", "1 10", "2 10", "3 10", "."), true);
    r.observe("TOP 1 0", top("b"), true);
    r.observe("TOP 2 0", top("c"), true);
    r.observe("TOP 3 0", top("x"), true);
    r.match();
    assertThat(r.rewrite("DELE 1")).as("nothing before b").isNull();
    assertThat(r.rewrite("DELE 2")).isEqualTo("DELE 1");
    assertThat(r.rewrite("DELE 3")).isEqualTo("DELE 2");
    assertThat(r.recordedNumber(3)).isEqualTo("live:3");
  }

  @Test
  void withoutLiveKnowledgeNumbersStayAsTheyAre() {
    ReplayClientPop3Remap r = new ReplayClientPop3Remap();
    r.observe("LIST", answer("+OK", "1 10", "."), false);
    assertThat(r.rewrite("RETR 1")).isEqualTo("RETR 1");
    r.observe("LIST", answer("-ERR no"), true);
    r.match();
    assertThat(r.rewrite("RETR 1")).isEqualTo("RETR 1");
    assertThat(r.recordedNumber(1)).isEqualTo("1");
    assertThat(Set.of(ReplayClientPop3Remap.messageId(List.of("message-id: <q>", "", "x"))))
        .containsExactly("<q>");
    assertThat(ReplayClientPop3Remap.messageId(List.of("Subject: s", "", "Message-ID: <no>")))
        .isNull();
  }
}
