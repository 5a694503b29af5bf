package dev.quirkproxy.cli;

import dev.quirkproxy.config.Units;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option value types: sizes such as {@code 64KiB} and durations such as {@code 30m}. */
final class Converters {

  private Converters() {}

  /** {@code 65536}, {@code 64k}, {@code 64KiB}, {@code 256MB}, {@code 16G}: powers of 1024. */
  static final class Size implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      try {
        return Units.size(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** {@code 500ms}, {@code 90s}, {@code 30m}, {@code 2h}, {@code 1d}, or ISO-8601 {@code PT30M}. */
  static final class Time implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return Units.duration(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
