package dev.quirkproxy.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Literal#atEndOf}: RFC 9051 literal, RFC 7888 literal-plus, RFC 3516 literal8. */
class LiteralTest {

  @Test
  void synchronizingLiteral() {
    assertThat(Literal.atEndOf("a1 LOGIN {5}")).isEqualTo(new Literal(5, true, false));
    assertThat(Literal.atEndOf("{5}")).isEqualTo(new Literal(5, true, false));
    assertThat(Literal.atEndOf("{0}")).isEqualTo(new Literal(0, true, false));
    assertThat(Literal.atEndOf("a1 APPEND INBOX {0012}")).isEqualTo(new Literal(12, true, false));
  }

  @Test
  void nonSynchronizingLiteralPlusAndTheToleratedMinus() {
    assertThat(Literal.atEndOf("a1 LOGIN {5+}")).isEqualTo(new Literal(5, false, false));
    assertThat(Literal.atEndOf("a1 LOGIN {5-}")).isEqualTo(new Literal(5, false, false));
    assertThat(Literal.atEndOf("{0+}")).isEqualTo(new Literal(0, false, false));
  }

  @Test
  void literal8() {
    assertThat(Literal.atEndOf("a1 APPEND INBOX ~{5}")).isEqualTo(new Literal(5, true, true));
    assertThat(Literal.atEndOf("~{5}")).isEqualTo(new Literal(5, true, true));
    assertThat(Literal.atEndOf("a1 APPEND INBOX ~{5+}")).isEqualTo(new Literal(5, false, true));
  }

  @Test
  void sizesUpTo18DigitsAreExact() {
    assertThat(Literal.atEndOf("{999999999999999999}"))
        .isEqualTo(new Literal(999_999_999_999_999_999L, true, false));
    assertThat(Literal.atEndOf("{4294967296+}"))
        .isEqualTo(new Literal(4_294_967_296L, false, false));
  }

  @Test
  void overflowingSizesSaturateSoEveryLimitRefusesThem() {
    assertThat(Literal.atEndOf("{99999999999999999999}"))
        .isEqualTo(new Literal(Long.MAX_VALUE, true, false));
    assertThat(Literal.atEndOf("{9223372036854775808+}"))
        .isEqualTo(new Literal(Long.MAX_VALUE, false, false));
    assertThat(Literal.atEndOf("{1000000000000000000}"))
        .extracting(Literal::size)
        .isEqualTo(Long.MAX_VALUE);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "}",
        "{}",
        "{+}",
        "{-}",
        "~{}",
        "{abc}",
        "{5a}",
        "{a5}",
        "{ 5}",
        "{5 }",
        "{5+-}",
        "{5++}",
        "{-5}",
        "5}",
        "{5",
        "a1 NOOP",
        "a1 LOGIN \"{5}\"",
        "a1 LOGIN {5} ",
        "{5}x",
        "a1 LOGIN 5}",
        "a1 LOGIN {5}}",
      })
  void noLiteral(String line) {
    assertThat(Literal.atEndOf(line)).as("'%s'", line).isNull();
  }

  @Test
  void aBraceGluedToAWordIsStillTakenAsALiteral() {
    // Not valid grammar ('{' is an atom-special), but servers differ; the framer errs on the side
    // of a literal, as a server that reads one would.
    assertThat(Literal.atEndOf("x{5}")).isEqualTo(new Literal(5, true, false));
    assertThat(Literal.atEndOf("x~{5}")).isEqualTo(new Literal(5, true, true));
  }

  @Test
  void readsOnlyBetweenFromAndEnd() {
    ByteBuf buf = Unpooled.copiedBuffer("~{12}\r\n", StandardCharsets.US_ASCII);
    try {
      assertThat(Literal.atEndOf(buf, 0, 5)).isEqualTo(new Literal(12, true, true));
      // '~' before 'from' is not part of this line
      assertThat(Literal.atEndOf(buf, 1, 5)).isEqualTo(new Literal(12, true, false));
      // '{' before 'from' is not part of this line either
      assertThat(Literal.atEndOf(buf, 2, 5)).isNull();
      assertThat(Literal.atEndOf(buf, 0, 4)).isNull();
      assertThat(Literal.atEndOf(buf, 0, 7)).isNull();
      assertThat(Literal.atEndOf(buf, 3, 3)).isNull();
    } finally {
      buf.release();
    }
  }
}
