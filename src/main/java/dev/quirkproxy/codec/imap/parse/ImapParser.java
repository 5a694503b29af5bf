package dev.quirkproxy.codec.imap.parse;

import java.util.Locale;

/**
 * Parses whole IMAP frames into {@link ParsedFrame}s (RFC 9051 §6, §7, §9), and reads just the head
 * of a frame cheaply ({@link #peekCommand}, {@link #peekResponse}). Never throws for bad input: a
 * frame that does not follow the grammar is {@link ParsedFrame.Unparsed}. Literal octets are never
 * copied; nesting is bounded by {@code maxDepth}.
 */
public final class ImapParser {

  /** The default cap on nested parentheses and brackets. */
  public static final int DEFAULT_MAX_DEPTH = 64;

  /** The head of a frame: what the relay needs without a full parse. */
  public record Head(Kind kind, String tag, boolean uid, String name, long number) {

    /** What kind of frame. */
    public enum Kind {
      COMMAND,
      CONTINUATION,
      TAGGED,
      UNTAGGED,
      /** Not even a head (an empty line, a lone word). */
      UNKNOWN
    }
  }

  private final int maxDepth;

  public ImapParser() {
    this(DEFAULT_MAX_DEPTH);
  }

  public ImapParser(int maxDepth) {
    if (maxDepth < 1) {
      throw new IllegalArgumentException("maxDepth must be at least 1, not " + maxDepth);
    }
    this.maxDepth = maxDepth;
  }

  /** A client frame: RFC 9051 {@code command}. */
  public ParsedFrame command(FrameBytes frame) {
    try {
      ImapLexer.Tokens t = new ImapLexer(frame, maxDepth).frame();
      Cursor c = new Cursor(t.seq(), 0, frame.length());
      Node tagNode = c.next("tag");
      if (!(tagNode instanceof Node.Atom || tagNode instanceof Node.Num)) {
        throw Cursor.expected("a tag", tagNode);
      }
      String name = c.atom("command name").toUpperCase(Locale.ROOT);
      boolean uid = name.equals("UID");
      if (uid) {
        name = c.atom("command name after UID").toUpperCase(Locale.ROOT);
      }
      int from = uid ? 3 : 2;
      CommandView view = CommandParser.command(name, new Cursor(t.seq(), from, frame.length()));
      return new ParsedFrame.Command(t.seq(), t.eol(), Node.text(tagNode), uid, name, from, view);
    } catch (ParseException e) {
      return new ParsedFrame.Unparsed(e.getMessage(), e.position(), frame);
    } catch (RuntimeException e) {
      return new ParsedFrame.Unparsed("parser failure: " + e, 0, frame);
    }
  }

  /** A server frame: RFC 9051 {@code response}. */
  public ParsedFrame response(FrameBytes frame) {
    try {
      if (frame.length() == 0) {
        throw new ParseException("empty frame", 0);
      }
      long lineEnd = lineEnd(frame);
      String line = frame.latin1(0, lineEnd);
      String eol =
          frame.latin1(lineEnd, Math.min(frame.length(), lineEnd + eolLength(frame, lineEnd)));
      long afterLine = lineEnd + eol.length();
      if (line.startsWith("+")) {
        onlyLine(frame, afterLine, "a continuation request");
        return new ParsedFrame.Continuation(line.substring(1), eol);
      }
      int sp = line.indexOf(' ');
      if (sp <= 0) {
        throw new ParseException("a response needs a tag and a name", 0);
      }
      String tag = line.substring(0, sp);
      int nameEnd = line.indexOf(' ', sp + 1);
      String word = line.substring(sp + 1, nameEnd < 0 ? line.length() : nameEnd);
      String status = word.toUpperCase(Locale.ROOT);
      if (isStatus(status)) {
        onlyLine(frame, afterLine, "a status response");
        return status(tag, status, line, nameEnd, eol);
      }
      if (!tag.equals("*")) {
        throw new ParseException("a tagged response must be OK, NO or BAD, not " + word, sp + 1);
      }
      ImapLexer.Tokens t = new ImapLexer(frame, maxDepth).frame();
      Cursor c = new Cursor(t.seq(), 1, frame.length());
      ResponseData view = ResponseParser.responseData(c);
      String name =
          t.seq().items().get(1) instanceof Node.Num
              ? Node.text(t.seq().items().get(2)).toUpperCase(Locale.ROOT)
              : status;
      return new ParsedFrame.Data(t.seq(), t.eol(), name, view);
    } catch (ParseException e) {
      return new ParsedFrame.Unparsed(e.getMessage(), e.position(), frame);
    } catch (RuntimeException e) {
      return new ParsedFrame.Unparsed("parser failure: " + e, 0, frame);
    }
  }

  private static ParsedFrame.Status status(
      String tag, String status, String line, int nameEnd, String eol) {
    String rest = nameEnd < 0 ? "" : line.substring(nameEnd + 1);
    ResponseCode code = null;
    String text = rest;
    if (rest.startsWith("[")) {
      int close = rest.indexOf(']');
      if (close > 0) {
        code = ResponseCode.parse(rest.substring(1, close));
        text = rest.substring(close + 1);
        text = text.startsWith(" ") ? text.substring(1) : text;
      }
    }
    return new ParsedFrame.Status(tag, status, code, text, line, eol);
  }

  private static boolean isStatus(String word) {
    return switch (word) {
      case "OK", "NO", "BAD", "BYE", "PREAUTH" -> true;
      default -> false;
    };
  }

  private static void onlyLine(FrameBytes frame, long afterLine, String what)
      throws ParseException {
    if (afterLine < frame.length()) {
      throw new ParseException(
          (frame.length() - afterLine) + " octets after " + what + ", which is one line",
          afterLine);
    }
  }

  /** Where the first line's ending starts (or the frame's end). */
  private static long lineEnd(FrameBytes frame) {
    long p = 0;
    while (p < frame.length() && frame.at(p) != '\n') {
      p++;
    }
    return p > 0 && p < frame.length() && frame.at(p - 1) == '\r' ? p - 1 : p;
  }

  private static int eolLength(FrameBytes frame, long lineEnd) {
    if (lineEnd >= frame.length()) {
      return 0;
    }
    return frame.at(lineEnd) == '\r' ? 2 : 1;
  }

  /** The head of a client frame, reading at most the first 1024 octets. */
  public static Head peekCommand(FrameBytes frame) {
    String[] w = words(frame, 3);
    if (w[0].isEmpty() || w[1].isEmpty()) {
      return new Head(Head.Kind.UNKNOWN, w[0], false, "", -1);
    }
    String name = w[1].toUpperCase(Locale.ROOT);
    if (name.equals("UID") && !w[2].isEmpty()) {
      return new Head(Head.Kind.COMMAND, w[0], true, w[2].toUpperCase(Locale.ROOT), -1);
    }
    return new Head(Head.Kind.COMMAND, w[0], false, name, -1);
  }

  /**
   * The head of a server frame, reading at most the first 1024 octets: the kind, the tag, the
   * status or data name ({@code FETCH} for {@code * 12 FETCH}) and its number (else -1).
   */
  public static Head peekResponse(FrameBytes frame) {
    String[] w = words(frame, 3);
    if (w[0].startsWith("+")) {
      return new Head(Head.Kind.CONTINUATION, "+", false, "", -1);
    }
    if (w[0].isEmpty() || w[1].isEmpty()) {
      return new Head(Head.Kind.UNKNOWN, w[0], false, "", -1);
    }
    Head.Kind kind = w[0].equals("*") ? Head.Kind.UNTAGGED : Head.Kind.TAGGED;
    if (kind == Head.Kind.UNTAGGED && w[1].matches("[0-9]{1,18}")) {
      return new Head(kind, "*", false, w[2].toUpperCase(Locale.ROOT), Long.parseLong(w[1]));
    }
    return new Head(kind, w[0], false, w[1].toUpperCase(Locale.ROOT), -1);
  }

  private static String[] words(FrameBytes frame, int count) {
    String[] out = new String[count];
    java.util.Arrays.fill(out, "");
    long limit = Math.min(frame.length(), 1024);
    StringBuilder sb = new StringBuilder();
    int i = 0;
    for (long p = 0; p <= limit && i < count; p++) {
      int c = p < limit ? frame.at(p) & 0xff : -1;
      if (c == ' ' || c == '\r' || c == '\n' || c < 0 || c == '(' || c == '[' || c == '{') {
        out[i++] = sb.toString();
        sb.setLength(0);
        if (c != ' ') {
          break;
        }
      } else {
        sb.append((char) c);
      }
    }
    return out;
  }
}
