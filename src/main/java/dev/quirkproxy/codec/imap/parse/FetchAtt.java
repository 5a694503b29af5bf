package dev.quirkproxy.codec.imap.parse;

import java.util.List;
import java.util.Locale;

/**
 * RFC 9051 {@code fetch-att} as a client asks for it: {@code FLAGS}, {@code UID}, {@code
 * BODY.PEEK[HEADER.FIELDS (FROM)]<0.100>}, a macro ({@code ALL}, {@code FAST}, {@code FULL}), …
 *
 * @param name the item name in upper case without section and partial ({@code BODY.PEEK})
 * @param section the section, or null when there is none
 * @param partial the partial, or null
 * @param node the item as parsed
 */
public record FetchAtt(String name, Section section, Partial partial, Node node) {

  /**
   * RFC 9051 {@code section}: part numbers, then {@code HEADER}, {@code HEADER.FIELDS[.NOT]},
   * {@code TEXT} or {@code MIME} with header names.
   *
   * @param text the section as written
   * @param part the part numbers ({@code 1.2} is [1, 2]); empty for the whole message
   * @param specifier HEADER, HEADER.FIELDS, TEXT, MIME… in upper case, "" when none
   * @param headerFields the names of HEADER.FIELDS[.NOT], else empty
   */
  public record Section(
      String text, List<Integer> part, String specifier, List<String> headerFields) {
    public Section {
      part = List.copyOf(part);
      headerFields = List.copyOf(headerFields);
    }
  }

  /**
   * RFC 9051 {@code partial} {@code <origin.length>}; a response has only the origin.
   *
   * @param origin the first octet
   * @param length the number of octets, -1 when not given
   */
  public record Partial(long origin, long length) {}

  static FetchAtt of(Node n) throws ParseException {
    if (n instanceof Node.Atom || n instanceof Node.Num) {
      return new FetchAtt(Node.text(n).toUpperCase(Locale.ROOT), null, null, n);
    }
    if (n instanceof Node.Bracket b) {
      return new FetchAtt(
          b.prefix().toUpperCase(Locale.ROOT), section(b), partial(b.suffix(), b), n);
    }
    throw Cursor.expected("a fetch item", n);
  }

  static Section section(Node.Bracket b) throws ParseException {
    String text = Node.text(new Node.Paren(b.section(), -1));
    text = text.substring(1, text.length() - 1);
    Cursor c = new Cursor(b.section(), 0, b.position());
    if (!c.more()) {
      return new Section(text, List.of(), "", List.of());
    }
    String first = c.atom("section");
    List<Integer> part = new java.util.ArrayList<>();
    String[] pieces = first.split("\\.", -1);
    int i = 0;
    while (i < pieces.length && pieces[i].matches("[0-9]{1,9}")) {
      part.add(Integer.parseInt(pieces[i++]));
    }
    String spec = String.join(".", List.of(pieces).subList(i, pieces.length));
    List<String> fields = List.of();
    if (c.more()) {
      Cursor names = Cursor.of(c.paren("header field names"));
      fields = new java.util.ArrayList<>();
      while (names.more()) {
        fields.add(names.astring("header field name"));
      }
    }
    c.end("section");
    return new Section(text, part, spec.toUpperCase(Locale.ROOT), fields);
  }

  static Partial partial(String suffix, Node at) throws ParseException {
    if (suffix.isEmpty()) {
      return null;
    }
    if (!suffix.matches("<[0-9]{1,18}(\\.[0-9]{1,18})?>")) {
      throw new ParseException("bad partial " + suffix, at.position());
    }
    String inner = suffix.substring(1, suffix.length() - 1);
    int dot = inner.indexOf('.');
    return dot < 0
        ? new Partial(Long.parseLong(inner), -1)
        : new Partial(
            Long.parseLong(inner.substring(0, dot)), Long.parseLong(inner.substring(dot + 1)));
  }
}
