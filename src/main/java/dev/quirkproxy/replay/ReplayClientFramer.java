package dev.quirkproxy.replay;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts an IMAP byte stream into whole frames (RFC 9051 §4.3, §7.5): a line, and for every literal
 * ({@code {n}}, {@code {n+}}, {@code ~{n}}) at its end the literal's octets and the rest of the
 * frame. Server status responses and continuations never announce literals, whatever their text
 * ends with. Every frame and literal has a size limit.
 */
final class ReplayClientFramer {

  private static final Pattern LITERAL = Pattern.compile("~?\\{([0-9]{1,18})[+-]?}$");

  private final InputStream in;
  private final boolean server;
  private final long maxFrame;

  ReplayClientFramer(InputStream in, boolean server, long maxFrame) {
    this.in = in;
    this.server = server;
    this.maxFrame = maxFrame;
  }

  /** The next whole frame with its line endings, or null at the end of the stream. */
  byte[] next() throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    String line = line(frame);
    if (line == null) {
      return null;
    }
    if (server && !announcesLiterals(line)) {
      return frame.toByteArray();
    }
    for (long n = literal(line); n >= 0; n = literal(line)) {
      if (frame.size() + n > maxFrame) {
        throw new IOException(
            "a frame of more than " + maxFrame + " octets (literal of " + n + ")");
      }
      frame.write(in.readNBytes((int) n));
      if (frame.size() < n) {
        throw new IOException("the stream ends inside a literal of " + n + " octets");
      }
      line = line(frame);
      if (line == null) {
        throw new IOException("the stream ends after a literal, inside a frame");
      }
    }
    return frame.toByteArray();
  }

  /** Reads one line into {@code frame}; returns it without its ending, or null at a clean end. */
  private String line(ByteArrayOutputStream frame) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); ; b = in.read()) {
      if (b < 0) {
        if (line.size() == 0) {
          return null;
        }
        break;
      }
      line.write(b);
      if (b == '\n') {
        break;
      }
      if (frame.size() + line.size() > maxFrame) {
        throw new IOException("a line of more than " + maxFrame + " octets");
      }
    }
    byte[] bytes = line.toByteArray();
    frame.write(bytes);
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    return text.endsWith("\r\n")
        ? text.substring(0, text.length() - 2)
        : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
  }

  private static long literal(String line) {
    Matcher m = LITERAL.matcher(line);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  /** Only untagged response data ({@code * 3 FETCH …}, {@code * LIST …}) carries literals. */
  static boolean announcesLiterals(String line) {
    if (!line.startsWith("* ")) {
      return false;
    }
    String word = line.substring(2).split(" ", 2)[0].toUpperCase(Locale.ROOT);
    return !(word.equals("OK")
        || word.equals("NO")
        || word.equals("BAD")
        || word.equals("BYE")
        || word.equals("PREAUTH"));
  }

  /** True when a client frame ends in a synchronising literal announcement. */
  static boolean endsInSyncLiteral(String line) {
    Matcher m = LITERAL.matcher(line);
    return m.find() && !line.endsWith("+}") && !line.endsWith("-}");
  }
}
