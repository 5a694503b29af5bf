package dev.quirkproxy.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Captures as James MPT scripts, in the syntax FileProtocolSessionBuilder reads. */
class MptExportTest {

  private static String export(String name) throws Exception {
    return MptExport.of(CaptureReader.read(Path.of("captures/examples", name)));
  }

  @Test
  void imaplibSessionBecomesClientAndServerLines() throws Exception {
    String script = export("imaplib-greenmail.jsonl");
    assertThat(script)
        .contains("# greeting (read by the harness): * OK IMAP4rev1 Server GreenMail")
        .contains("C: GDMD0 CAPABILITY\nS: \\* CAPABILITY IMAP4rev1 LITERAL\\+ UIDPLUS")
        .contains("C: GDMD1 LOGIN imapuser password\nS: GDMD1 OK.*\n")
        .contains("C: DONE\nS: DONE BAD.*\n")
        .contains("C: GDMD4 LIST \"\" *\nSUB {\nS: \\* LIST \\(\\) \"\\.\" \"INBOX\"\n")
        .contains("S: \\* OK \\[UIDVALIDITY \\d+\\].*\n")
        .contains("}\nS: GDMD6 OK \\[READ-WRITE\\].*\n")
        .contains("C: GDMD8 LOGOUT\nS: \\* BYE.*\nS: GDMD8 OK.*\n")
        .doesNotContain("REDACTED")
        .doesNotContain("1795730697");
    boolean inSub = false;
    for (String line : script.split("\n")) {
      if (line.equals("SUB {")) {
        inSub = true;
      } else if (line.equals("}")) {
        inSub = false;
      } else if (inSub) {
        assertThat(line).startsWith("S: ");
      } else {
        assertThat(line.startsWith("# ") || line.startsWith("C: ") || line.startsWith("S: "))
            .as(line)
            .isTrue();
      }
      if (line.startsWith("S: ")) {
        Pattern.compile(line.substring(3));
      }
    }
  }

  @Test
  void serverLinesMatchWhatTheServerSent() throws Exception {
    String script = export("curl-fetch-greenmail.jsonl");
    assertThat(script)
        .contains("C: A004 UID FETCH 1 BODY[]\n")
        .contains("S: \\* 1 FETCH \\(FLAGS \\(\\\\Seen\\) UID 1 BODY\\[\\] \\{372\\}\n")
        .contains("S: Content-Transfer-Encoding: 7bit\nS:\nS: This mailbox")
        .contains("S: \\)\nS: A004 OK.*\n");
    assertThat(
            Pattern.matches(
                "\\* 1 FETCH \\(FLAGS \\(\\\\Seen\\) UID 1 BODY\\[\\] \\{372\\}",
                "* 1 FETCH (FLAGS (\\Seen) UID 1 BODY[] {372}"))
        .isTrue();
    assertThat(Pattern.matches(MptExport.escape("a.b (c) [d] {1} $x^"), "a.b (c) [d] {1} $x^"))
        .isTrue();
  }

  @Test
  void followsWhatReachedTheServer() throws Exception {
    // The proxy rewrote A1064 FETCH 3 to FETCH 2 and answered CREATE "Deleted Items" itself.
    assertThat(export("outlook-strict-upstream.jsonl"))
        .contains("C: A1064 FETCH 2 (UID)\n")
        .doesNotContain("FETCH 3 (UID)");
    assertThat(export("outlook-dovecot.jsonl"))
        .contains("C: A1066 SUBSCRIBE \"Trash\"\n")
        .doesNotContain("CREATE \"Deleted Items\"");
  }

  @Test
  void pop3IsRefused() throws Exception {
    CaptureReader.Capture pop3 =
        CaptureReader.read(Path.of("captures/examples/poplib-greenmail.jsonl"));
    assertThatThrownBy(() -> MptExport.of(pop3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("IMAP only");
  }
}
