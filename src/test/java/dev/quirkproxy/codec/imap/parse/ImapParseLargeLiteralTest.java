package dev.quirkproxy.codec.imap.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A FETCH with a 50 MB literal: parsing refers to the literal's octets by position and slices of
 * the input, never copies them; the head is readable without a parse.
 */
class ImapParseLargeLiteralTest {

  private static final int SIZE = 50 * 1024 * 1024;

  private static final byte[] HEAD =
      ("* 7 FETCH (UID 99 BODY[] {" + SIZE + "}\r\n").getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TAIL = " FLAGS (\\Seen))\r\n".getBytes(StandardCharsets.US_ASCII);

  @Test
  void literalSegmentIsSharedNotCopied() {
    byte[] literal = new byte[SIZE];
    literal[0] = 'X';
    literal[SIZE - 1] = 'Y';
    FrameBytes frame =
        FrameBytes.of(
            List.of(ByteBuffer.wrap(HEAD), ByteBuffer.wrap(literal), ByteBuffer.wrap(TAIL)));

    ParsedFrame parsed = new ImapParser().response(frame);

    ResponseData.Fetch fetch = (ResponseData.Fetch) ((ParsedFrame.Data) parsed).view();
    Node.Lit lit = fetch.item(MsgAtt.BodySection.class).literal();
    assertThat(lit.size()).isEqualTo(SIZE);
    assertThat(lit.data().offset()).isEqualTo(HEAD.length);
    assertThat(lit.data().chunks()).hasSize(1);
    ByteBuffer view = lit.data().chunks().get(0);
    assertThat(view.array()).isSameAs(literal);
    assertThat(view.arrayOffset()).isZero();
    assertThat(view.remaining()).isEqualTo(SIZE);
    assertThat(fetch.item(MsgAtt.Uid.class).uid()).isEqualTo(99);
    assertThat(fetch.item(MsgAtt.Flags.class).flags()).containsExactly("\\Seen");
  }

  @Test
  void literalInsideOneWholeArrayIsASliceOfIt() {
    byte[] whole = new byte[HEAD.length + SIZE + TAIL.length];
    System.arraycopy(HEAD, 0, whole, 0, HEAD.length);
    System.arraycopy(TAIL, 0, whole, HEAD.length + SIZE, TAIL.length);

    ParsedFrame parsed = new ImapParser().response(FrameBytes.of(whole));

    ResponseData.Fetch fetch = (ResponseData.Fetch) ((ParsedFrame.Data) parsed).view();
    ByteBuffer view = fetch.item(MsgAtt.BodySection.class).literal().data().chunks().get(0);
    assertThat(view.array()).isSameAs(whole);
    assertThat(view.arrayOffset()).isEqualTo(HEAD.length);
    assertThat(view.remaining()).isEqualTo(SIZE);
    assertThat(parsed.encode()).isEqualTo(whole);
  }

  @Test
  void literalInManyChunksIsManyViews() {
    byte[] a = new byte[SIZE / 2];
    byte[] b = new byte[SIZE - SIZE / 2];
    FrameBytes frame =
        FrameBytes.of(
            List.of(
                ByteBuffer.wrap(HEAD),
                ByteBuffer.wrap(a),
                ByteBuffer.wrap(b),
                ByteBuffer.wrap(TAIL)));

    ParsedFrame parsed = new ImapParser().response(frame);

    LiteralBytes data =
        ((ResponseData.Fetch) ((ParsedFrame.Data) parsed).view())
            .item(MsgAtt.BodySection.class)
            .literal()
            .data();
    assertThat(data.chunks()).extracting(ByteBuffer::array).containsExactly(a, b);
  }

  @Test
  void theHeadNeedsNoParse() {
    byte[] literal = new byte[SIZE];
    FrameBytes frame =
        FrameBytes.of(
            List.of(ByteBuffer.wrap(HEAD), ByteBuffer.wrap(literal), ByteBuffer.wrap(TAIL)));
    assertThat(ImapParser.peekResponse(frame))
        .isEqualTo(new ImapParser.Head(ImapParser.Head.Kind.UNTAGGED, "*", false, "FETCH", 7));
  }
}
