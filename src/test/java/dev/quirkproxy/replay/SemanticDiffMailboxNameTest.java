package dev.quirkproxy.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.codec.imap.parse.FrameBytes;
import dev.quirkproxy.codec.imap.parse.ImapParser;
import dev.quirkproxy.codec.imap.parse.ParsedFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Found while replaying a GreenMail capture against Dovecot (ReplayCrossServerIT): GreenMail sends
 * {@code * LIST () "." "INBOX"}, Dovecot {@code * LIST (\HasNoChildren) "." INBOX}. A mailbox name
 * is an astring (RFC 9051 §9: {@code mailbox = "INBOX" / astring}), so an atom and a quoted string
 * with the same characters are the same name, and LIST's mailbox attributes are a set.
 */
class SemanticDiffMailboxNameTest {

  private static List<ParsedFrame> frames(String... lines) {
    List<ParsedFrame> out = new ArrayList<>();
    for (String l : lines) {
      out.add(
          new ImapParser()
              .response(FrameBytes.of((l + "\r\n").getBytes(StandardCharsets.ISO_8859_1))));
    }
    return out;
  }

  private static List<String> diff(List<ParsedFrame> r, List<ParsedFrame> l) {
    return new SemanticDiff(SemanticDiffIgnore.defaults())
        .diff(r, l, SemanticDiffCanon.Numbers.AS_IS, SemanticDiffCanon.Numbers.AS_IS, false);
  }

  @Test
  void aMailboxNameIsTheSameQuotedOrAsAnAtomAndListAttributesAreASet() {
    assertThat(
            diff(
                frames(
                    "* LIST (\\HasNoChildren \\Marked) \".\" \"INBOX\"",
                    "* LIST (\\HasNoChildren) \".\" \"Archive\"",
                    "a OK"),
                frames(
                    "* LIST (\\Marked \\HasNoChildren) \".\" INBOX",
                    "* LIST (\\HasNoChildren) \".\" Archive",
                    "a OK")))
        .isEmpty();
    assertThat(
            diff(
                frames("* STATUS \"INBOX\" (MESSAGES 5)", "a OK"),
                frames("* STATUS INBOX (MESSAGES 5)", "a OK")))
        .isEmpty();
  }
}
