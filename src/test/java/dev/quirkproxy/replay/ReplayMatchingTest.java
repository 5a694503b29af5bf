package dev.quirkproxy.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.session.Protocol;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayMatchingTest {

  @TempDir Path dir;

  private static ClientCommand imap(String... lines) {
    ClientCommand.Builder b = new ClientCommand.Builder();
    for (int i = 0; i < lines.length; i++) {
      if (i % 2 == 1) {
        b.literal(lines[i].getBytes(StandardCharsets.ISO_8859_1));
      } else {
        b.line(lines[i], i + 1 < lines.length);
      }
    }
    return b.build();
  }

  private static boolean same(String recorded, String live, Normalize... how) {
    return same(imap(recorded), imap(live), how);
  }

  private static boolean same(ClientCommand recorded, ClientCommand live, Normalize... how) {
    Set<Normalize> set = how.length == 0 ? Set.of() : EnumSet.copyOf(List.of(how));
    return CommandKey.of(Protocol.IMAP, recorded, set)
        .matches(CommandKey.of(Protocol.IMAP, live, set));
  }

  @Test
  void exactTextAfterTheTagByDefault() {
    assertThat(same("a1 SELECT INBOX", "X9 SELECT INBOX")).isTrue();
    assertThat(same("a1 SELECT INBOX", "a1 select INBOX")).isFalse();
    assertThat(same("a1 SELECT INBOX", "a1 SELECT Archive")).isFalse();
    assertThat(same("a1 UID FETCH 1:5 (FLAGS)", "a1 UID FETCH 1:6 (FLAGS)")).isFalse();
  }

  @Test
  void caseMakesCommandNamesCaseInsensitiveOnly() {
    assertThat(same("a1 UID FETCH 1 (FLAGS)", "b uid fetch 1 (FLAGS)", Normalize.CASE)).isTrue();
    assertThat(same("a1 SELECT INBOX", "b select inbox", Normalize.CASE)).isFalse();
  }

  @Test
  void uidsReplaceSequenceSets() {
    assertThat(same("a1 UID FETCH 1:5,7 (FLAGS)", "b UID FETCH 9:* (FLAGS)", Normalize.UIDS))
        .isTrue();
    assertThat(same("a1 STORE 1 +FLAGS (\\Seen)", "b STORE 2 +FLAGS (\\Seen)", Normalize.UIDS))
        .isTrue();
    assertThat(same("a1 FETCH 1 (FLAGS)", "b FETCH 1 (UID)", Normalize.UIDS)).isFalse();
  }

  @Test
  void literalsCanBeIgnored() {
    ClientCommand one = imap("a1 APPEND INBOX {5}", "hello", "");
    ClientCommand other = imap("b APPEND INBOX {5+}", "world", "");
    assertThat(same(one, other)).isFalse();
    assertThat(same(one, imap("b APPEND INBOX {5+}", "hello", ""))).isTrue();
    assertThat(same(one, other, Normalize.LITERALS)).isTrue();
  }

  @Test
  void mailboxesCanBeIgnored() {
    assertThat(same("a1 SELECT INBOX", "b SELECT \"Sent Items\"", Normalize.MAILBOXES)).isTrue();
    assertThat(same("a1 UID COPY 1:2 Archive", "b UID COPY 1:2 Trash", Normalize.MAILBOXES))
        .isTrue();
    assertThat(same("a1 UID COPY 1:2 Archive", "b UID COPY 1:3 Trash", Normalize.MAILBOXES))
        .isFalse();
    assertThat(same("a1 LIST \"\" *", "b LIST \"\" %", Normalize.MAILBOXES)).isTrue();
    assertThat(
            same(
                imap("a1 STATUS INBOX (MESSAGES)"),
                imap("b STATUS {4}", "Sent", " (MESSAGES)"),
                Normalize.MAILBOXES))
        .isTrue();
    assertThat(same(imap("a1 RENAME A B"), imap("b RENAME {1}", "C", " D"), Normalize.MAILBOXES))
        .isTrue();
  }

  @Test
  void aRedactedArgumentMatchesAnything() {
    ClientCommand recorded =
        new ClientCommand(List.of("a2 LOGIN bob \"[REDACTED]\""), List.of(), true);
    assertThat(same(recorded, imap("x LOGIN bob \"secret\""))).isTrue();
    assertThat(same(recorded, imap("x LOGIN bob secret"))).isTrue();
    assertThat(same(recorded, imap("x LOGIN alice secret"))).isFalse();
    ClientCommand literal =
        new ClientCommand(
            List.of("a2 LOGIN bob {10}", ""),
            List.of("[REDACTED]".getBytes(StandardCharsets.US_ASCII)),
            true);
    assertThat(same(literal, imap("x LOGIN bob {6}", "secret", ""))).isTrue();
  }

  @Test
  void sameCommandTwiceIsAnsweredInOrderThenTheLastAgain() {
    Recording r =
        Script.recording(
            dir,
            "imap",
            "S: * OK hi",
            "C: a1 NOOP",
            "S: * 1 EXISTS",
            "S: a1 OK first",
            "C: a2 NOOP",
            "S: * 2 EXISTS",
            "S: a2 OK second");
    Playbook p = new Playbook(r, Set.of());
    CommandKey noop = p.key(imap("t NOOP"));
    assertThat(p.answer(noop)).isSameAs(r.exchanges().get(0));
    assertThat(p.answer(noop)).isSameAs(r.exchanges().get(1));
    assertThat(p.answer(noop)).isSameAs(r.exchanges().get(1));
    assertThat(p.answer(p.key(imap("t CHECK")))).isNull();
  }

  @Test
  void pipelinedAnswersGoByTagAndLiteralGoAheadsAreDropped() throws Exception {
    Recording r =
        Script.recording(
            dir,
            "imap",
            "S: * OK hi",
            "C: a1 APPEND INBOX {3}",
            "S: + go on",
            "CL: abc",
            "C: ",
            "C: a2 SELECT INBOX",
            "S: a1 OK appended",
            "S: * 1 EXISTS",
            "S: a2 OK selected",
            "C: a3 IDLE",
            "S: + idling",
            "S: * 2 EXISTS",
            "C: DONE",
            "S: a3 OK idle done");
    assertThat(r.commands()).isEqualTo(3);
    assertThat(texts(r, r.greeting())).containsExactly("* OK hi");
    Recording.Exchange append = r.exchanges().get(0);
    assertThat(append.command.literals()).hasSize(1);
    assertThat(append.answers).hasSize(1);
    assertThat(texts(r, append.answers.get(0))).containsExactly("a1 OK appended");
    assertThat(texts(r, r.exchanges().get(1).answers.get(0)))
        .containsExactly("* 1 EXISTS", "a2 OK selected");
    Recording.Exchange idle = r.exchanges().get(2);
    assertThat(idle.answers).hasSize(2);
    assertThat(texts(r, idle.answers.get(0))).containsExactly("+ idling", "* 2 EXISTS");
    assertThat(texts(r, idle.answers.get(1))).containsExactly("a3 OK idle done");
  }

  @Test
  void pop3NumbersAreMessageNumbersUnderUids() {
    ClientCommand retr1 = new ClientCommand(List.of("RETR 1"), List.of(), false);
    ClientCommand retr2 = new ClientCommand(List.of("retr 2"), List.of(), false);
    Set<Normalize> loose = EnumSet.of(Normalize.CASE, Normalize.UIDS);
    assertThat(
            CommandKey.of(Protocol.POP3, retr1, Set.of())
                .matches(CommandKey.of(Protocol.POP3, retr2, Set.of())))
        .isFalse();
    assertThat(
            CommandKey.of(Protocol.POP3, retr1, loose)
                .matches(CommandKey.of(Protocol.POP3, retr2, loose)))
        .isTrue();
  }

  @Test
  void normalisationNamesParse() {
    assertThat(Normalize.parse(List.of("case", "UIDS", " literals")))
        .containsExactlyInAnyOrder(Normalize.CASE, Normalize.UIDS, Normalize.LITERALS);
    assertThat(MissPolicy.parse("Fail")).isEqualTo(MissPolicy.FAIL);
  }

  private static List<String> texts(Recording r, List<Recording.Chunk> chunks) throws Exception {
    List<String> out = new java.util.ArrayList<>();
    for (Recording.Chunk c : chunks) {
      out.add(Recording.line(r.bytes(c)));
    }
    return out;
  }
}
