package dev.quirkproxy.codec.imap.parse;

import dev.quirkproxy.codec.Literal;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a frame into the generic {@link Node} tree (RFC 9051 §4 and §9): {@code atom}, {@code
 * number}, {@code quoted}, {@code literal} / {@code literal8}, {@code nil}, parenthesised lists and
 * bracketed sections. Tolerant of extra spaces and of octets RFC 9051 does not allow in atoms;
 * strict about what would break framing or the round trip (quotes, parentheses, literal sizes).
 * Recursion is bounded by {@code maxDepth}.
 */
final class ImapLexer {

  /** A whole frame: its tokens and the line ending after the last one. */
  record Tokens(Node.Seq seq, String eol) {}

  private final FrameBytes in;
  private final long end;
  private final int maxDepth;
  private long pos;
  private int depth;
  private int brackets;

  ImapLexer(FrameBytes in, int maxDepth) {
    this.in = in;
    this.end = in.length();
    this.maxDepth = maxDepth;
  }

  /** The whole frame, which must end after the last line ending. */
  Tokens frame() throws ParseException {
    Node.Seq seq = sequence((char) 0);
    String eol = pos < end ? eol() : "";
    if (pos < end) {
      throw new ParseException((end - pos) + " octets after the end of the frame's last line", pos);
    }
    return new Tokens(seq, eol);
  }

  private Node.Seq sequence(char closer) throws ParseException {
    List<Node> items = new ArrayList<>();
    List<String> gaps = new ArrayList<>();
    long open = pos - 1;
    for (; ; ) {
      String gap = spaces();
      int c = peek();
      if (c < 0 || c == '\r' || c == '\n') {
        if (closer != 0) {
          throw new ParseException(
              "unbalanced '"
                  + (closer == ')' ? '(' : '[')
                  + "': the line ends before '"
                  + closer
                  + "'",
              open);
        }
        gaps.add(gap);
        return new Node.Seq(items, gaps);
      }
      if (c == closer) {
        gaps.add(gap);
        return new Node.Seq(items, gaps);
      }
      if (c == ')' || c == ']') {
        throw new ParseException("unbalanced '" + (char) c + "'", pos);
      }
      gaps.add(gap);
      items.add(token());
    }
  }

  private Node token() throws ParseException {
    long start = pos;
    int c = peek();
    return switch (c) {
      case '(' -> paren(start);
      case '"' -> quoted(start);
      case '{' -> literal(start);
      case '[' -> bracket("", start);
      default -> {
        if (c == '~' && peekAt(pos + 1) == '{') {
          yield literal(start);
        }
        yield atom(start);
      }
    };
  }

  /** RFC 9051 {@code atom}, {@code number} or {@code nil}; an atom glued to a '[' is a section. */
  private Node atom(long start) throws ParseException {
    String text = atomChars();
    if (peek() == '[') {
      return bracket(text, start);
    }
    if (text.isEmpty()) {
      throw new ParseException("unexpected octet 0x" + Integer.toHexString(peek()), pos);
    }
    if (text.length() <= 18 && text.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
      return new Node.Num(text, start);
    }
    if (text.equalsIgnoreCase("NIL")) {
      return new Node.Nil(text, start);
    }
    return new Node.Atom(text, start);
  }

  private String atomChars() {
    StringBuilder sb = new StringBuilder();
    for (int c = peek(); isAtomChar(c); c = peek()) {
      sb.append((char) c);
      pos++;
    }
    return sb.toString();
  }

  private boolean isAtomChar(int c) {
    return c >= 0
        && c != ' '
        && c != '\r'
        && c != '\n'
        && c != '('
        && c != ')'
        && c != '"'
        && c != '{'
        && c != '['
        && (c != ']' || brackets == 0);
  }

  private Node paren(long start) throws ParseException {
    pos++;
    enter(start);
    Node.Seq seq = sequence(')');
    pos++;
    depth--;
    return new Node.Paren(seq, start);
  }

  private Node bracket(String prefix, long start) throws ParseException {
    pos++;
    enter(start);
    brackets++;
    Node.Seq seq = sequence(']');
    pos++;
    brackets--;
    depth--;
    return new Node.Bracket(prefix, seq, atomChars(), start);
  }

  private void enter(long start) throws ParseException {
    if (++depth > maxDepth) {
      throw new ParseException("nesting deeper than the limit of " + maxDepth, start);
    }
  }

  /** RFC 9051 {@code quoted}: DQUOTE *QUOTED-CHAR DQUOTE, with backslash escapes. */
  private Node quoted(long start) throws ParseException {
    pos++;
    for (; ; ) {
      int c = peek();
      if (c < 0 || c == '\r' || c == '\n') {
        throw new ParseException("unterminated quoted string", start);
      }
      pos++;
      if (c == '"') {
        return new Node.Quoted(in.latin1(start, pos), start);
      }
      if (c == '\\') {
        int e = peek();
        if (e < 0 || e == '\r' || e == '\n') {
          throw new ParseException("unterminated quoted string", start);
        }
        pos++;
      }
    }
  }

  /** RFC 9051 {@code literal}, RFC 7888 {@code literal-plus}, RFC 3516 {@code literal8}. */
  private Node literal(long start) throws ParseException {
    if (peek() == '~') {
      pos++;
    }
    pos++;
    long digitsStart = pos;
    while (peek() >= '0' && peek() <= '9') {
      pos++;
    }
    long digits = pos - digitsStart;
    if (peek() == '+' || peek() == '-') {
      pos++;
    }
    if (digits == 0 || peek() != '}') {
      throw new ParseException("bad literal size in '" + announcement(start) + "'", start);
    }
    pos++;
    if (digits > 18) {
      throw new ParseException(
          "literal size of " + digits + " digits exceeds the limit of 18", start);
    }
    String header = in.latin1(start, pos);
    if (peek() != '\r' && peek() != '\n') {
      throw new ParseException(
          "literal announcement " + header + " is not at the end of its line", start);
    }
    String eol = eol();
    Literal announced = Literal.atEndOf(header);
    long size = announced.size();
    if (size > end - pos) {
      throw new ParseException(
          "literal of "
              + size
              + " octets runs past the end of the frame ("
              + (end - pos)
              + " octets left)",
          start);
    }
    LiteralBytes data = new LiteralBytes(pos, size, in.slice(pos, size));
    pos += size;
    return new Node.Lit(announced, header, eol, data, start);
  }

  private String announcement(long start) {
    long stop = start;
    while (stop < end && stop - start < 24 && in.at(stop) != '\r' && in.at(stop) != '\n') {
      stop++;
      if (in.at(stop - 1) == '}') {
        break;
      }
    }
    return in.latin1(start, stop);
  }

  private String eol() throws ParseException {
    if (peek() == '\r' && peekAt(pos + 1) == '\n') {
      pos += 2;
      return "\r\n";
    }
    if (peek() == '\n') {
      pos++;
      return "\n";
    }
    throw new ParseException("CR without LF", pos);
  }

  private String spaces() {
    long start = pos;
    while (peek() == ' ') {
      pos++;
    }
    return pos == start ? "" : in.latin1(start, pos);
  }

  private int peek() {
    return peekAt(pos);
  }

  private int peekAt(long p) {
    return p < end ? in.at(p) & 0xff : -1;
  }
}
