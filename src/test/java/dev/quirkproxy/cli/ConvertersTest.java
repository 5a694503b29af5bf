package dev.quirkproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

class ConvertersTest {

  private final Converters.Size size = new Converters.Size();
  private final Converters.Time time = new Converters.Time();

  @ParameterizedTest
  @CsvSource({
    "65536, 65536",
    "0, 0",
    "64k, 65536",
    "64K, 65536",
    "64KiB, 65536",
    "64kb, 65536",
    "64 KiB, 65536",
    "' 64KiB ', 65536",
    "256MB, 268435456",
    "256MiB, 268435456",
    "16M, 16777216",
    "16G, 17179869184",
    "16GiB, 17179869184",
    "2T, 2199023255552",
    "100B, 100",
  })
  void sizes(String text, long octets) {
    assertThat(size.convert(text)).isEqualTo(octets);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "KiB", "-1", "1.5G", "64 K iB", "64x", "64KiBs", "sixty", "64P"})
  void badSizes(String text) {
    assertThatThrownBy(() -> size.convert(text))
        .isInstanceOf(TypeConversionException.class)
        .hasMessage("'" + text + "' is not a size (examples: 65536, 64KiB, 256MB, 16G)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"99999999999999999999", "8388608T", "9223372036854775807k"})
  void tooLargeSizes(String text) {
    assertThatThrownBy(() -> size.convert(text))
        .isInstanceOf(TypeConversionException.class)
        .hasMessage("'" + text + "' is too large");
  }

  @ParameterizedTest
  @CsvSource({
    "500ms, PT0.5S",
    "90s, PT1M30S",
    "30m, PT30M",
    "30M, PT30M",
    "2h, PT2H",
    "1d, PT24H",
    "' 10 s ', PT10S",
    "0s, PT0S",
    "PT5S, PT5S",
    "pt30m, PT30M",
    "P1DT1H, PT25H",
  })
  void durations(String text, String iso) {
    assertThat(time.convert(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "5", "ms", "1.5s", "5 sec", "5y", "-5s", "thirty minutes"})
  void badDurations(String text) {
    assertThatThrownBy(() -> time.convert(text))
        .isInstanceOf(TypeConversionException.class)
        .hasMessage("'" + text + "' is not a duration (examples: 500ms, 90s, 30m, 2h)");
  }
}
