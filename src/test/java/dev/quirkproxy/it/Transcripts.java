package dev.quirkproxy.it;

import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Compares what a client received from Dovecot directly with what it received through the proxy.
 *
 * <p>Only one thing legitimately varies between two runs against the same seeded mailbox, and
 * {@link #normalise} removes exactly that: the timings Dovecot appends to tagged IMAP completions,
 * {@code (0.001 + 0.000 secs)} or {@code (0.001 + 0.000 + 0.001 secs)} (wall-clock, lock and wait
 * time of that command on that run). Everything else is the same on every run because {@link
 * Dovecot} seeds fixed bytes, flags, INTERNALDATEs, UIDs and UIDVALIDITYs (so APPENDUID, COPYUID,
 * POP3 UIDL and {@code [UIDVALIDITY n]} are stable too), and tests append with explicit dates.
 * Dovecot's greeting carries no timestamp (APOP is off) and the clients send no ID.
 */
final class Transcripts {

  private Transcripts() {}

  private static final Pattern DOVECOT_TIMING =
      Pattern.compile(" \\(\\d+\\.\\d{3} \\+ \\d+\\.\\d{3}(?: \\+ \\d+\\.\\d{3})? secs\\)");

  /** The bytes as ISO-8859-1 text (one char per octet), with Dovecot's timings removed. */
  static String normalise(byte[] bytes) {
    return DOVECOT_TIMING.matcher(new String(bytes, StandardCharsets.ISO_8859_1)).replaceAll("");
  }

  /** Fails unless the two transcripts are equal after {@link #normalise}. */
  static void assertSameAfterNormalising(String what, byte[] direct, byte[] proxied) {
    String d = normalise(direct);
    String p = normalise(proxied);
    if (!d.equals(p)) {
      fail(what + " differs between the direct run and the proxied run\n" + describe(d, p));
    }
  }

  /** Fails unless every pair of transcripts is equal after {@link #normalise}. */
  static void assertSameAfterNormalising(String what, List<byte[]> direct, List<byte[]> proxied) {
    if (direct.size() != proxied.size()) {
      fail(
          what
              + ": "
              + direct.size()
              + " connections in the direct run, "
              + proxied.size()
              + " through the proxy");
    }
    for (int i = 0; i < direct.size(); i++) {
      assertSameAfterNormalising(what + ", connection " + i, direct.get(i), proxied.get(i));
    }
  }

  /** Fails unless the two byte sequences are identical (no normalising at all). */
  static void assertIdentical(String what, byte[] expected, byte[] actual) {
    String e = new String(expected, StandardCharsets.ISO_8859_1);
    String a = new String(actual, StandardCharsets.ISO_8859_1);
    if (!e.equals(a)) {
      fail(what + " is not byte-for-byte the same\n" + describe(e, a));
    }
  }

  /** A failure message, cut down if it quotes megabytes. */
  static String shorten(String message) {
    if (message == null || message.length() <= 6000) {
      return message;
    }
    return message.substring(0, 3000)
        + "\n[... "
        + (message.length() - 6000)
        + " chars left out ...]\n"
        + message.substring(message.length() - 3000);
  }

  /** Lengths, and the first difference with some context on both sides, escaped for reading. */
  static String describe(String expected, String actual) {
    int n = Math.min(expected.length(), actual.length());
    int i = 0;
    while (i < n && expected.charAt(i) == actual.charAt(i)) {
      i++;
    }
    int from = Math.max(0, i - 300);
    return "  lengths: "
        + expected.length()
        + " (expected/direct) vs "
        + actual.length()
        + " (actual/proxied); first difference at offset "
        + i
        + "\n  expected: "
        + escape(expected.substring(from, Math.min(expected.length(), i + 300)))
        + "\n  actual:   "
        + escape(actual.substring(from, Math.min(actual.length(), i + 300)));
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\r' -> b.append("\\r");
        case '\n' -> b.append("\\n\n             ");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < ' ' || c >= 0x7f) {
            b.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }
}
