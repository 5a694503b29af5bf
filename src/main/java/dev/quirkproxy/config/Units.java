package dev.quirkproxy.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes such as {@code 64KiB} and durations such as {@code 30m}, as the command line and the config
 * file write them. Errors are {@link IllegalArgumentException}s whose message says what a value
 * looks like.
 */
public final class Units {

  private static final Pattern SIZE =
      Pattern.compile("(\\d+)\\s*(?:([kmgt])(?:i?b)?|b)?", Pattern.CASE_INSENSITIVE);
  private static final Pattern DURATION =
      Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

  private Units() {}

  /** {@code 65536}, {@code 64k}, {@code 64KiB}, {@code 256MB}, {@code 16G}: powers of 1024. */
  public static long size(String value) {
    Matcher m = SIZE.matcher(value.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + value + "' is not a size (examples: 65536, 64KiB, 256MB, 16G)");
    }
    int shift =
        switch (m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT)) {
          case "k" -> 10;
          case "m" -> 20;
          case "g" -> 30;
          case "t" -> 40;
          default -> 0;
        };
    try {
      return Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift);
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("'" + value + "' is too large", e);
    }
  }

  /** {@code 500ms}, {@code 90s}, {@code 30m}, {@code 2h}, {@code 1d}, or ISO-8601 {@code PT30M}. */
  public static Duration duration(String value) {
    String v = value.strip();
    Matcher m = DURATION.matcher(v);
    Duration d;
    try {
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        d =
            switch (m.group(2).toLowerCase(Locale.ROOT)) {
              case "ms" -> Duration.ofMillis(n);
              case "s" -> Duration.ofSeconds(n);
              case "m" -> Duration.ofMinutes(n);
              case "h" -> Duration.ofHours(n);
              default -> Duration.ofDays(n);
            };
      } else {
        d = Duration.parse(v);
      }
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("'" + value + "' is too large", e);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'" + value + "' is not a duration (examples: 500ms, 90s, 30m, 2h)", e);
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException("'" + value + "' is negative");
    }
    return d;
  }
}
