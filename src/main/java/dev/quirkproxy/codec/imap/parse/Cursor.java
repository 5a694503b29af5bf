package dev.quirkproxy.codec.imap.parse;

import java.util.ArrayList;
import java.util.List;

/**
 * Walks the items of one {@link Node.Seq} for the typed views, reading RFC 9051 grammar terms
 * ({@code astring}, {@code nstring}, {@code number}, {@code sequence-set}, {@code flag-list}) and
 * failing with a reason and position.
 */
final class Cursor {

  /** Longest literal read as a string (mailbox names, ID values, envelope fields). */
  static final int MAX_STRING_LITERAL = 1 << 20;

  private final List<Node> items;
  private final long endPosition;
  private int index;

  Cursor(Node.Seq seq, int from, long endPosition) {
    this.items = seq.items();
    this.index = from;
    this.endPosition = endPosition;
  }

  static Cursor of(Node.Paren paren) {
    return new Cursor(paren.items(), 0, paren.position());
  }

  boolean more() {
    return index < items.size();
  }

  Node peek() {
    return more() ? items.get(index) : null;
  }

  Node next(String what) throws ParseException {
    if (!more()) {
      throw new ParseException("missing " + what, position());
    }
    return items.get(index++);
  }

  long position() {
    return more() ? items.get(index).position() : endPosition;
  }

  /** The rest of the items, consumed. */
  List<Node> rest() {
    List<Node> out = new ArrayList<>(items.subList(index, items.size()));
    index = items.size();
    return out;
  }

  void end(String what) throws ParseException {
    if (more()) {
      throw new ParseException("unexpected " + Node.text(peek()) + " after " + what, position());
    }
  }

  boolean peekAtom(String word) {
    return peek() instanceof Node.Atom a && a.text().equalsIgnoreCase(word);
  }

  /** RFC 9051 {@code atom} (a number or NIL spelled as an atom counts too). */
  String atom(String what) throws ParseException {
    Node n = next(what);
    if (n instanceof Node.Atom a) {
      return a.text();
    }
    if (n instanceof Node.Num num) {
      return num.text();
    }
    if (n instanceof Node.Nil nil) {
      return nil.text();
    }
    throw expected(what, n);
  }

  /** RFC 9051 {@code number}; tolerates digits in quotes, which some servers send. */
  long number(String what) throws ParseException {
    Node n = next(what);
    if (n instanceof Node.Num num) {
      return num.value();
    }
    if (n instanceof Node.Quoted q && q.value().matches("[0-9]{1,18}")) {
      return Long.parseLong(q.value());
    }
    throw expected(what + " (a number)", n);
  }

  /** RFC 9051 {@code astring}: atom, quoted or literal, one char per octet. */
  String astring(String what) throws ParseException {
    Node n = next(what);
    String s = string(n);
    if (s == null) {
      throw expected(what, n);
    }
    return s;
  }

  /** RFC 9051 {@code nstring}: NIL (null) or a string. */
  String nstring(String what) throws ParseException {
    Node n = next(what);
    if (n instanceof Node.Nil) {
      return null;
    }
    if (n instanceof Node.Quoted || n instanceof Node.Lit) {
      return string(n);
    }
    throw expected(what + " (a string or NIL)", n);
  }

  /** A parenthesised list. */
  Node.Paren paren(String what) throws ParseException {
    Node n = next(what);
    if (n instanceof Node.Paren p) {
      return p;
    }
    throw expected(what + " (a parenthesised list)", n);
  }

  /** RFC 9051 {@code sequence-set}. */
  SequenceSet sequenceSet(String what) throws ParseException {
    Node n = next(what);
    return sequenceSet(n, what);
  }

  static SequenceSet sequenceSet(Node n, String what) throws ParseException {
    if (n instanceof Node.Atom || n instanceof Node.Num) {
      try {
        return SequenceSet.parse(Node.text(n));
      } catch (IllegalArgumentException e) {
        throw new ParseException(what + ": " + e.getMessage(), n.position());
      }
    }
    throw expected(what + " (a sequence set)", n);
  }

  /** RFC 9051 {@code flag-list}: {@code "(" [flag *(SP flag)] ")"}. */
  List<String> flagList(String what) throws ParseException {
    return atoms(paren(what), "flag");
  }

  /** RFC 9051 {@code mailbox}: an astring, modified UTF-7 decoded. */
  Mailbox mailbox(String what) throws ParseException {
    return Mailbox.of(astring(what));
  }

  /** The atoms of a list. */
  static List<String> atoms(Node.Paren list, String what) throws ParseException {
    Cursor c = of(list);
    List<String> out = new ArrayList<>();
    while (c.more()) {
      out.add(c.atom(what));
    }
    return out;
  }

  /** The string value of an astring-like node; null for anything else. */
  static String string(Node n) throws ParseException {
    if (n instanceof Node.Atom a) {
      return a.text();
    }
    if (n instanceof Node.Num num) {
      return num.text();
    }
    if (n instanceof Node.Quoted q) {
      return q.value();
    }
    if (n instanceof Node.Bracket) {
      // ASTRING-CHAR includes '[' and ']': an unquoted [Gmail]/Sent
      return Node.text(n);
    }
    if (n instanceof Node.Lit lit) {
      if (lit.size() > MAX_STRING_LITERAL) {
        throw new ParseException(
            "a literal of "
                + lit.size()
                + " octets is too long for a string (limit "
                + MAX_STRING_LITERAL
                + ")",
            lit.position());
      }
      return lit.data().latin1();
    }
    return null;
  }

  static ParseException expected(String what, Node got) {
    String text = Node.text(got);
    if (text.length() > 40) {
      text = text.substring(0, 40) + "…";
    }
    return new ParseException("expected " + what + ", got " + text, got.position());
  }
}
