package dev.quirkproxy.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Captures as ImapTest scripts, in the syntax dovecot/imaptest src/test-parser.c reads. */
class ImapTestExportTest {

  private static String export(String name) throws Exception {
    return ImapTestExport.of(CaptureReader.read(Path.of("captures/examples", name)));
  }

  @Test
  void imaplibSessionBecomesHeaderThenCommandGroups() throws Exception {
    String script = export("imaplib-greenmail.jsonl");
    String body = script.substring(script.indexOf("state: nonauth\n\n") + 16);
    assertThat(script).contains("\nstate: nonauth\n\n");
    assertThat(body)
        .contains("ok CAPABILITY\n* CAPABILITY IMAP4rev1 LITERAL+ UIDPLUS SORT IDLE")
        .contains("\nok login $user $password\n")
        .contains("\nno IDLE\n")
        .contains("# not replayed: a line that is not a command\n#   C: DONE\n")
        .contains(
            "SELECT INBOX\n"
                + "* FLAGS (\\Answered \\Deleted \\Draft \\Flagged \\Seen)\n"
                + "* 5 EXISTS\n"
                + "* 5 RECENT\n"
                + "* ok [UIDVALIDITY $]\n"
                + "* ok [UIDNEXT 6]\n"
                + "* ok [UNSEEN 1]\n"
                + "* ok [PERMANENTFLAGS (\\Answered \\Deleted \\Draft \\Flagged \\Seen \\*)]\n"
                + "ok [READ-WRITE]\n")
        .contains("ok LOGOUT\n* bye\n")
        .doesNotContain("REDACTED")
        .doesNotContain("GDMD")
        .doesNotContain("1795730697");
    // Every line is a comment, a command with its expected status, an untagged reply or a
    // status with a response code (the second way of writing a command).
    for (String line : body.split("\n")) {
      assertThat(
              line.isEmpty()
                  || line.startsWith("#")
                  || line.startsWith("* ")
                  || line.matches("(ok|no|bad|\"\") .+")
                  || line.matches("[A-Z]+ .+"))
          .as(line)
          .isTrue();
    }
  }

  @Test
  void literalBodyUsesTripleBraces() throws Exception {
    String script = export("curl-fetch-greenmail.jsonl");
    assertThat(script)
        .contains("ok UID FETCH 1 BODY[]\n* 1 FETCH (FLAGS (\\Seen) UID 1 BODY[] {{{\nDate: Thu,")
        .contains("\nEvery byte you see went through the proxy.\n\n}}})\n")
        .contains("ok login $user $password");
    List<String> lines = Arrays.asList(script.split("\n"));
    assertThat(lines.stream().filter(l -> l.endsWith("{{{"))).hasSize(1);
    assertThat(lines.stream().filter(l -> l.startsWith("}}}"))).hasSize(1);
  }

  @Test
  void pop3IsRefused() throws Exception {
    CaptureReader.Capture pop3 =
        CaptureReader.read(Path.of("captures/examples/poplib-greenmail.jsonl"));
    assertThatThrownBy(() -> ImapTestExport.of(pop3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("IMAP only")
        .hasMessageContaining("pop3");
  }

  @Test
  void varyingValuesBecomeWildcards() {
    assertThat(ScriptVariance.split("OK [UIDVALIDITY 42] x"))
        .extracting(ScriptVariance.Segment::varies)
        .containsExactly(false, true, false);
    assertThat(ScriptVariance.split("1 FETCH (INTERNALDATE \"1-Jan-2020 00:00:00 +0000\" UID 3)"))
        .extracting(ScriptVariance.Segment::text)
        .contains("\"1-Jan-2020 00:00:00 +0000\"");
    assertThat(ScriptVariance.statusTextStart("a1 OK [READ-WRITE] done")).isEqualTo(18);
    assertThat(ScriptVariance.statusTextStart("* 3 EXISTS")).isEqualTo(-1);
  }
}
