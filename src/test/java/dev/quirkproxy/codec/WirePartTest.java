package dev.quirkproxy.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WirePartTest {

  private static WirePart line(String s) {
    return WirePart.line(Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1), true, true, null);
  }

  @Test
  void textDropsOnlyTheLineEnding() {
    for (String[] c :
        new String[][] {
          {"a1 NOOP\r\n", "a1 NOOP"},
          {"a1 NOOP\n", "a1 NOOP"},
          {"\r\n", ""},
          {"\n", ""},
          {"a1 NOOP \r\n", "a1 NOOP "},
          {"a1\rNOOP\r\n", "a1\rNOOP"},
          {"caf\u00e9 \u00ff\r\n", "caf\u00e9 \u00ff"},
        }) {
      WirePart p = line(c[0]);
      try {
        assertThat(p.text()).as(c[0]).isEqualTo(c[1]);
      } finally {
        p.release();
      }
    }
  }

  @Test
  void replaceKeepsKindPositionAndLiteralAndTakesTheNewBytes() {
    Literal lit = new Literal(3, true, false);
    WirePart p =
        WirePart.line(
            Unpooled.copiedBuffer("a {3}\r\n", StandardCharsets.US_ASCII), true, false, lit);
    WirePart q = p.replace(Unpooled.copiedBuffer("b {3}\r\n", StandardCharsets.US_ASCII));
    try {
      assertThat(q.kind()).isEqualTo(WirePart.Kind.LINE);
      assertThat(q.frameStart()).isTrue();
      assertThat(q.frameEnd()).isFalse();
      assertThat(q.literal()).isEqualTo(lit);
      assertThat(q.text()).isEqualTo("b {3}");
      assertThat(p.text()).isEqualTo("a {3}");
    } finally {
      p.release();
      q.release();
    }
  }

  @Test
  void chunksNeverStartAFrame() {
    WirePart lit = WirePart.literalChunk(Unpooled.copiedBuffer(new byte[] {0, 1}));
    WirePart body = WirePart.bodyChunk(Unpooled.copiedBuffer(new byte[] {'.', '\r', '\n'}), true);
    try {
      assertThat(lit.kind()).isEqualTo(WirePart.Kind.LITERAL);
      assertThat(lit.frameStart() || lit.frameEnd() || lit.isLine()).isFalse();
      assertThat(body.kind()).isEqualTo(WirePart.Kind.BODY);
      assertThat(body.frameStart()).isFalse();
      assertThat(body.frameEnd()).isTrue();
      assertThat(body.toString()).isEqualTo("BODY[end] 3B");
    } finally {
      lit.release();
      body.release();
    }
  }
}
