package dev.quirkproxy.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** {@link Capabilities#rewrite}: only real capability lists are touched. */
class CapabilitiesTest {

  private static final UnaryOperator<List<String>> ADD_X =
      caps -> {
        caps.add("X");
        return caps;
      };

  @Test
  void untaggedCapability() {
    assertThat(Capabilities.rewrite("* CAPABILITY IMAP4rev1 IDLE", ADD_X))
        .isEqualTo("* CAPABILITY IMAP4rev1 IDLE X");
    assertThat(Capabilities.rewrite("* capability imap4rev1", ADD_X))
        .isEqualTo("* capability imap4rev1 X");
  }

  @Test
  void codeAfterAStatusKeepsTheRestOfTheLine() {
    assertThat(Capabilities.rewrite("* OK [CAPABILITY IMAP4rev1] ready [x]", ADD_X))
        .isEqualTo("* OK [CAPABILITY IMAP4rev1 X] ready [x]");
    assertThat(Capabilities.rewrite("* PREAUTH [CAPABILITY IMAP4rev2] hi", ADD_X))
        .isEqualTo("* PREAUTH [CAPABILITY IMAP4rev2 X] hi");
    assertThat(Capabilities.rewrite("a1 ok [capability IMAP4rev1] in", ADD_X))
        .isEqualTo("a1 ok [capability IMAP4rev1 X] in");
    String tag = "t".repeat(80);
    assertThat(Capabilities.rewrite(tag + " OK [CAPABILITY IMAP4rev1] in", ADD_X))
        .isEqualTo(tag + " OK [CAPABILITY IMAP4rev1 X] in");
  }

  @Test
  void unchangedListGivesNull() {
    assertThat(Capabilities.rewrite("* CAPABILITY IMAP4rev1", caps -> caps)).isNull();
  }

  @Test
  void notACapabilityList() {
    for (String line :
        List.of(
            "* 1 FETCH (ENVELOPE (NIL \"[CAPABILITY IMAP4rev1] subject\" NIL))",
            "* OK see [CAPABILITY IMAP4rev1] later",
            "* OK [ALERT] [CAPABILITY IMAP4rev1]",
            "+ [CAPABILITY IMAP4rev1]",
            "* LIST () \"/\" \"[CAPABILITY X]\"",
            "* OK [CAPABILITY IMAP4rev1 no bracket",
            "* CAPABILITYX IMAP4rev1",
            "a1 NOOP [CAPABILITY IMAP4rev1]",
            "")) {
      assertThat(Capabilities.rewrite(line, ADD_X)).as(line).isNull();
    }
  }
}
