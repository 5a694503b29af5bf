package dev.quirkproxy.codec.imap.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The value types on their own: sequence sets, modified UTF-7, heads, built nodes. */
class ImapParseValuesTest {

  private static FrameBytes frame(String s) {
    return FrameBytes.of(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void sequenceSets() {
    SequenceSet s = SequenceSet.parse("1,3:5,7:*");
    assertThat(s.ranges())
        .containsExactly(
            new SequenceSet.Range(1, 1),
            new SequenceSet.Range(3, 5),
            new SequenceSet.Range(7, SequenceSet.STAR));
    assertThat(s.contains(4, 10)).isTrue();
    assertThat(s.contains(6, 10)).isFalse();
    assertThat(s.contains(10, 10)).isTrue();
    assertThat(SequenceSet.parse("5:2").contains(3, 9)).isTrue();
    assertThat(SequenceSet.parse("$").saved()).isTrue();
    assertThatThrownBy(() -> SequenceSet.parse("1,,2")).hasMessageContaining("not a sequence set");
    assertThatThrownBy(() -> SequenceSet.parse("")).hasMessageContaining("empty");
  }

  @Test
  void modifiedUtf7() {
    assertThat(ModifiedUtf7.decode("Entw&APw-rfe")).isEqualTo("Entwürfe");
    assertThat(ModifiedUtf7.decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-"))
        .isEqualTo("~peter/mail/台北/日本語");
    assertThat(ModifiedUtf7.decode("Tom &- Jerry")).isEqualTo("Tom & Jerry");
    assertThat(ModifiedUtf7.decode("&Jjo-!")).isEqualTo("☺!");
    assertThat(ModifiedUtf7.decode("broken&AP")).isNull();
    assertThat(ModifiedUtf7.decode("bad&A-")).isNull();
    assertThat(ModifiedUtf7.encode("~peter/mail/台北/日本語"))
        .isEqualTo("~peter/mail/&U,BTFw-/&ZeVnLIqe-");
    assertThat(ModifiedUtf7.encode("Tom & Jerry")).isEqualTo("Tom &- Jerry");
    assertThat(Mailbox.of("broken&AP").decoded()).isEqualTo("broken&AP");
    assertThat(Mailbox.of("B\u00c3\u00bcro").decoded()).isEqualTo("Büro");
  }

  @Test
  void heads() {
    assertThat(ImapParser.peekCommand(frame("a1 UID fetch 1:* (FLAGS)\r\n")))
        .isEqualTo(new ImapParser.Head(ImapParser.Head.Kind.COMMAND, "a1", true, "FETCH", -1));
    assertThat(ImapParser.peekCommand(frame("A0001 CAPABILITY\r\n")).name())
        .isEqualTo("CAPABILITY");
    assertThat(ImapParser.peekCommand(frame("\r\n")).kind())
        .isEqualTo(ImapParser.Head.Kind.UNKNOWN);
    assertThat(ImapParser.peekResponse(frame("+ go ahead\r\n")).kind())
        .isEqualTo(ImapParser.Head.Kind.CONTINUATION);
    assertThat(ImapParser.peekResponse(frame("a1 OK [READ-WRITE] done\r\n")))
        .isEqualTo(new ImapParser.Head(ImapParser.Head.Kind.TAGGED, "a1", false, "OK", -1));
    assertThat(ImapParser.peekResponse(frame("* LIST (\\Noselect) \"/\" x\r\n")).name())
        .isEqualTo("LIST");
  }

  @Test
  void builtNodesEncode() {
    Node.Seq seq =
        new Node.Seq(
            List.of(
                new Node.Atom("a1", -1),
                new Node.Atom("LOGIN", -1),
                Node.Quoted.of("x\"y"),
                Node.Lit.of("pw".getBytes(StandardCharsets.US_ASCII))),
            List.of("", " ", " ", " ", ""));
    ParsedFrame.Command c =
        new ParsedFrame.Command(seq, "\r\n", "a1", false, "LOGIN", 2, new CommandView.Other());
    assertThat(new String(c.encode(), StandardCharsets.ISO_8859_1))
        .isEqualTo("a1 LOGIN \"x\\\"y\" {2}\r\npw\r\n");
    assertThat(Node.Quoted.of("x\"y").value()).isEqualTo("x\"y");
  }

  @Test
  void toleratesExtraSpacesAndBareLf() {
    byte[] bytes = "*  SEARCH  2   3 \n".getBytes(StandardCharsets.US_ASCII);
    ParsedFrame p = new ImapParser().response(FrameBytes.of(bytes));
    assertThat(((ParsedFrame.Data) p).view())
        .isEqualTo(new ResponseData.Search(List.of(2L, 3L), null));
    assertThat(p.encode()).isEqualTo(bytes);
  }

  @Test
  void cutsAreOnlySegments() {
    byte[] bytes = "* 1 FETCH (BODY[] {3}\r\nabc)\r\n".getBytes(StandardCharsets.US_ASCII);
    ParsedFrame p = new ImapParser().response(FrameBytes.of(bytes, 23, 26));
    assertThat(p.encode()).isEqualTo(bytes);
    assertThatThrownBy(() -> FrameBytes.of(bytes, 30)).hasMessageContaining("outside");
  }
}
