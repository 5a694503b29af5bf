package dev.quirkproxy.codec.imap;

import io.netty.buffer.ByteBuf;
import java.util.Locale;

/**
 * The few pieces of RFC 9051 §9 grammar a framer and the session tracker need from the first line
 * of a frame, without parsing the whole frame: {@code tag}, command name, response kind and status.
 * Named after the ABNF rules they read.
 */
public final class ImapSyntax {

  private ImapSyntax() {}

  /** The first line of a response, as far as the tracker cares. */
  public record ResponseStart(Kind kind, String tag, String status) {

    /** RFC 9051 {@code response}: continue-req, response-data (untagged) or response-tagged. */
    public enum Kind {
      CONTINUATION,
      UNTAGGED,
      TAGGED
    }

    /** True for an untagged or tagged status named {@code name} (OK, NO, BAD, BYE, PREAUTH). */
    public boolean is(String name) {
      return name.equals(status);
    }
  }

  /** The first line of a command: {@code tag SP [UID SP] name}. */
  public record CommandStart(String tag, boolean uid, String name, String arguments) {}

  /**
   * True when the line is untagged {@code response-data} other than a status response ({@code *
   * OK|NO|BAD|BYE|PREAUTH}): only those may carry literals.
   */
  public static boolean isUntaggedData(ByteBuf line, int from, int end) {
    if (end - from < 2 || line.getByte(from) != '*' || line.getByte(from + 1) != ' ') {
      return false;
    }
    int atomStart = from + 2;
    int atomEnd = atomStart;
    while (atomEnd < end && atomEnd - atomStart < 8 && line.getByte(atomEnd) != ' ') {
      atomEnd++;
    }
    return !isStatusAtom(line, atomStart, atomEnd);
  }

  private static boolean isStatusAtom(ByteBuf line, int from, int end) {
    return switch (end - from) {
      case 2 -> equalsIgnoreCase(line, from, "OK") || equalsIgnoreCase(line, from, "NO");
      case 3 -> equalsIgnoreCase(line, from, "BAD") || equalsIgnoreCase(line, from, "BYE");
      case 7 -> equalsIgnoreCase(line, from, "PREAUTH");
      default -> false;
    };
  }

  private static boolean equalsIgnoreCase(ByteBuf line, int from, String word) {
    for (int i = 0; i < word.length(); i++) {
      if (Character.toUpperCase((char) line.getByte(from + i)) != word.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** Reads {@code continue-req / response-data / response-tagged} from a server line. */
  public static ResponseStart responseStart(String line) {
    if (line.startsWith("+")) {
      return new ResponseStart(ResponseStart.Kind.CONTINUATION, "+", null);
    }
    int sp = line.indexOf(' ');
    if (sp <= 0) {
      return new ResponseStart(ResponseStart.Kind.UNTAGGED, line, null);
    }
    String tag = line.substring(0, sp);
    String status = atom(line, sp + 1).toUpperCase(Locale.ROOT);
    ResponseStart.Kind kind =
        tag.equals("*") ? ResponseStart.Kind.UNTAGGED : ResponseStart.Kind.TAGGED;
    return new ResponseStart(kind, tag, status);
  }

  /**
   * Reads {@code tag SP command} from a client line; null when the line has no tag and name (an
   * empty line, or a lone word).
   */
  public static CommandStart commandStart(String line) {
    int sp = line.indexOf(' ');
    if (sp <= 0) {
      return null;
    }
    String tag = line.substring(0, sp);
    String name = atom(line, sp + 1).toUpperCase(Locale.ROOT);
    int next = sp + 1 + name.length();
    boolean uid = name.equals("UID");
    if (uid) {
      name = atom(line, next + 1).toUpperCase(Locale.ROOT);
      next = next + 1 + name.length();
    }
    String arguments =
        next < line.length() ? line.substring(Math.min(next + 1, line.length())) : "";
    return name.isEmpty() ? null : new CommandStart(tag, uid, name, arguments);
  }

  /** RFC 9051 {@code atom} starting at {@code from}: up to the next SP, paren or bracket. */
  public static String atom(String line, int from) {
    int end = from;
    while (end < line.length() && isAtomChar(line.charAt(end))) {
      end++;
    }
    return from >= line.length() ? "" : line.substring(from, end);
  }

  private static boolean isAtomChar(char c) {
    return c > ' ' && c < 0x7f && c != '(' && c != ')' && c != '{' && c != '[' && c != ']';
  }
}
