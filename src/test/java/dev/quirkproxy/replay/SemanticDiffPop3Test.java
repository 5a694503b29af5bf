package dev.quirkproxy.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SemanticDiffPop3Test {

  private static final Set<SemanticDiffIgnore> DEFAULTS = SemanticDiffIgnore.defaults();
  private static final Set<SemanticDiffIgnore> NONE = EnumSet.noneOf(SemanticDiffIgnore.class);

  private static byte[] answer(String... lines) {
    return (String.join("\r\n", lines) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }

  private static List<String> diff(
      Set<SemanticDiffIgnore> ignore, String command, byte[] recorded, byte[] live) {
    return new SemanticDiffPop3(ignore).diff(command, recorded, live);
  }

  @Test
  void whichCommandsHaveABody() {
    assertThat(SemanticDiffPop3.multiLine("RETR 1")).isTrue();
    assertThat(SemanticDiffPop3.multiLine("top 1 0")).isTrue();
    assertThat(SemanticDiffPop3.multiLine("CAPA")).isTrue();
    assertThat(SemanticDiffPop3.multiLine("LIST")).isTrue();
    assertThat(SemanticDiffPop3.multiLine("LIST 2")).isFalse();
    assertThat(SemanticDiffPop3.multiLine("UIDL")).isTrue();
    assertThat(SemanticDiffPop3.multiLine("UIDL 2")).isFalse();
    assertThat(SemanticDiffPop3.multiLine("AUTH")).isTrue();
    assertThat(SemanticDiffPop3.multiLine("AUTH PLAIN")).isFalse();
    assertThat(SemanticDiffPop3.multiLine("STAT")).isFalse();
  }

  @Test
  void statusIsComparedItsTextOnlyWhenAsked() {
    byte[] r = answer("+OK Logged in.");
    byte[] l = answer("+OK Welcome, alice");
    assertThat(diff(DEFAULTS, "PASS x", r, l)).isEmpty();
    assertThat(diff(NONE, "PASS x", r, l))
        .containsExactly("~ text: recorded Logged in., live Welcome, alice");
    assertThat(diff(DEFAULTS, "PASS x", r, answer("-ERR [AUTH] Authentication failed.")))
        .containsExactly(
            "~ status: recorded +OK Logged in., live -ERR [AUTH] Authentication failed.");
  }

  @Test
  void theGreetingsApopTimestampNeverDiffers() {
    assertThat(
            diff(
                NONE,
                "",
                answer("+OK ready <1896.697170952@dbc.mtview.ca.us>"),
                answer("+OK ready <2001.1@dbc.mtview.ca.us>")))
        .isEmpty();
  }

  @Test
  void statAndListNumbersAreDataNotText() {
    assertThat(diff(DEFAULTS, "STAT", answer("+OK 5 4242"), answer("+OK 4 3000")))
        .containsExactly("~ count: recorded 5, live 4", "~ size: recorded 4242, live 3000");
    assertThat(diff(DEFAULTS, "LIST 2", answer("+OK 2 120"), answer("+OK 2 121")))
        .containsExactly("~ size: recorded 120, live 121");
    assertThat(
            diff(
                DEFAULTS,
                "LIST",
                answer("+OK 3 messages", "1 100", "2 200", "3 300", "."),
                answer("+OK 2 messages", "1 100", "2  200", ".")))
        .containsExactly("- 3 300");
  }

  @Test
  void uniqueIdsAreIgnoredByDefaultTheirNumbersNot() {
    byte[] r = answer("+OK", "1 aaa", "2 bbb", ".");
    byte[] l = answer("+OK", "1 xxx", "2 yyy", "3 zzz", ".");
    assertThat(diff(DEFAULTS, "UIDL", r, l)).containsExactly("+ 3 *");
    assertThat(diff(EnumSet.of(SemanticDiffIgnore.TEXT), "UIDL", r, l))
        .containsExactly("- 1 aaa", "- 2 bbb", "+ 1 xxx", "+ 2 yyy", "+ 3 zzz");
    assertThat(diff(DEFAULTS, "UIDL 1", answer("+OK 1 aaa"), answer("+OK 1 xxx"))).isEmpty();
    assertThat(diff(NONE, "UIDL 1", answer("+OK 1 aaa"), answer("+OK 1 xxx")))
        .containsExactly("~ unique-id: recorded aaa, live xxx");
  }

  @Test
  void messagesAreComparedByContentWithoutDotStuffing() {
    byte[] stuffed = answer("+OK 20 octets", "Subject: a", "", "..dot", ".");
    byte[] same = answer("+OK 20 octets", "Subject: a", "", "..dot", ".");
    assertThat(diff(NONE, "RETR 1", stuffed, same)).isEmpty();
    assertThat(diff(DEFAULTS, "RETR 1", stuffed, answer("+OK 20 octets", "Subject: b", "", ".")))
        .containsExactly(
            "~ body: recorded \"Subject: a\\r\\n\\r\\n.dot\\r\\n\", live \"Subject: b\\r\\n\\r\\n\"");
    String longLine = "x".repeat(200);
    List<String> d =
        diff(DEFAULTS, "TOP 1 0", answer("+OK", longLine, "."), answer("+OK", longLine + "y", "."));
    assertThat(d).hasSize(1);
    assertThat(d.get(0))
        .matches("~ body: recorded \\{202 octets, sha256 [0-9a-f]{12}}, live \\{203 octets, .*");
  }

  @Test
  void capaIsASetOfLines() {
    assertThat(
            diff(
                DEFAULTS,
                "CAPA",
                answer("+OK", "TOP", "UIDL", "USER", "."),
                answer("+OK", "UIDL", "TOP", "SASL PLAIN", "USER", ".")))
        .containsExactly("+ SASL PLAIN");
  }

  @Test
  void anErrorIsComparedByStatusOnly() {
    assertThat(diff(DEFAULTS, "RETR 9", answer("-ERR no such message"), answer("-ERR gone")))
        .isEmpty();
  }
}
