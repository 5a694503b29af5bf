package dev.quirkproxy.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DotStufferTest {

  /** Runs {@code message} through a stuffer whole and one byte at a time; both must agree. */
  private static String stuffed(String message, long lines) {
    String whole = run(message, lines, message.length() + 1);
    assertThat(run(message, lines, 1)).as("fed one byte at a time").isEqualTo(whole);
    return whole;
  }

  private static String run(String message, long lines, int chunk) {
    DotStuffer s = new DotStuffer();
    if (lines >= 0) {
      s.limitLines(lines);
    }
    StringBuilder out = new StringBuilder();
    byte[] bytes = message.getBytes(StandardCharsets.ISO_8859_1);
    for (int at = 0; at < bytes.length; at += chunk) {
      ByteBuf in = Unpooled.wrappedBuffer(bytes, at, Math.min(chunk, bytes.length - at));
      ByteBuf o = s.stuff(in, ByteBufAllocator.DEFAULT);
      out.append(o.toString(StandardCharsets.ISO_8859_1));
      assertThat(in.readableBytes())
          .as("input not consumed")
          .isEqualTo(Math.min(chunk, bytes.length - at));
      o.release();
      in.release();
    }
    ByteBuf end = s.end();
    out.append(end.toString(StandardCharsets.ISO_8859_1));
    end.release();
    return out.toString();
  }

  @Test
  void linesStartingWithADotGetAnother() {
    assertThat(stuffed(".a\r\nb.\r\n..c\r\n.\r\n", -1))
        .isEqualTo("..a\r\nb.\r\n...c\r\n..\r\n.\r\n");
  }

  @Test
  void bareLineFeedsBecomeCrlfAndAMissingFinalLineBreakIsAdded() {
    assertThat(stuffed("a\nb\r\nc", -1)).isEqualTo("a\r\nb\r\nc\r\n.\r\n");
    assertThat(stuffed("a\r", -1)).isEqualTo("a\r\n.\r\n");
    assertThat(stuffed("", -1)).isEqualTo(".\r\n");
  }

  @Test
  void aLineLimitCutsAfterThatManyLines() {
    assertThat(stuffed("one\r\n.two\r\nthree\r\n", 2)).isEqualTo("one\r\n..two\r\n.\r\n");
    assertThat(stuffed("one\r\ntwo", 5)).isEqualTo("one\r\ntwo\r\n.\r\n");
    assertThat(stuffed("one\r\n", 0)).isEqualTo(".\r\n");
  }
}
