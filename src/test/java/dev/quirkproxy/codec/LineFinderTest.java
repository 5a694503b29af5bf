package dev.quirkproxy.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LineFinderTest {

  private final ByteBuf buf = Unpooled.buffer();
  private final LineFinder finder = new LineFinder();

  @AfterEach
  void release() {
    buf.release();
  }

  private void add(String s) {
    buf.writeCharSequence(s, StandardCharsets.US_ASCII);
  }

  @Test
  void findsTheFirstLineIncludingItsLf() {
    add("a1 NOOP\r\na2 NOOP\r\n");
    assertThat(finder.find(buf, 64, "line")).isEqualTo(9);
    buf.skipBytes(9);
    assertThat(finder.find(buf, 64, "line")).isEqualTo(9);
  }

  @Test
  void aLineArrivingInPiecesIsFoundOnceItsLfArrives() {
    add("a1 NO");
    assertThat(finder.find(buf, 64, "line")).isEqualTo(-1);
    add("OP");
    assertThat(finder.find(buf, 64, "line")).isEqualTo(-1);
    add("\nrest");
    assertThat(finder.find(buf, 64, "line")).isEqualTo(8);
  }

  @Test
  void rescansFromTheReaderIndexAfterDiscard() {
    add("xxxxa1 NO");
    buf.skipBytes(4);
    assertThat(finder.find(buf, 64, "line")).isEqualTo(-1);
    buf.discardReadBytes();
    add("OP\n");
    assertThat(finder.find(buf, 64, "line")).isEqualTo(8);
  }

  @Test
  void aLineOfExactlyTheLimitIsAccepted() {
    add("x".repeat(62) + "\r\n");
    assertThat(finder.find(buf, 64, "line")).isEqualTo(64);
  }

  @Test
  void aLongerLineIsRefusedNamingValueAndLimit() {
    add("x".repeat(63) + "\r\n");
    assertThatThrownBy(() -> finder.find(buf, 64, "client line"))
        .isInstanceOfSatisfying(
            LimitExceededException.class,
            e -> {
              assertThat(e.what()).isEqualTo("client line");
              assertThat(e.value()).isEqualTo(65);
              assertThat(e.limit()).isEqualTo(64);
            })
        .hasMessage("client line of 65 octets exceeds the limit of 64");
  }

  @Test
  void aLineWithoutLfIsRefusedAsSoonAsItPassesTheLimit() {
    add("x".repeat(64));
    assertThat(finder.find(buf, 64, "line")).isEqualTo(-1);
    add("x");
    assertThatThrownBy(() -> finder.find(buf, 64, "line"))
        .hasMessage("line of 65 octets exceeds the limit of 64");
  }
}
