package dev.quirkproxy.codec.imap.parse;

import java.util.ArrayList;
import java.util.List;

/** Reads RFC 9051 {@code body} (BODY and BODYSTRUCTURE data, §7.5.2) into {@link BodyStructure}. */
final class BodyParser {

  private BodyParser() {}

  /** RFC 9051 {@code body}. */
  static BodyStructure body(Node.Paren p) throws ParseException {
    Cursor c = Cursor.of(p);
    if (c.peek() instanceof Node.Paren) {
      return bodyTypeMpart(c);
    }
    return bodyType1part(c);
  }

  static BodyStructure bodyTypeMpart(Cursor c) throws ParseException {
    List<BodyStructure> parts = new ArrayList<>();
    while (c.peek() instanceof Node.Paren part) {
      c.next("body part");
      parts.add(body(part));
    }
    String subtype = c.astring("media-subtype");
    return new BodyStructure.Multipart(parts, subtype, c.rest());
  }

  static BodyStructure bodyType1part(Cursor c) throws ParseException {
    String type = c.astring("media-type");
    String subtype = c.astring("media-subtype");
    List<BodyStructure.Param> params = bodyFldParam(c);
    String id = c.nstring("body-fld-id");
    String description = c.nstring("body-fld-desc");
    String encoding = c.astring("body-fld-enc");
    long size = c.number("body-fld-octets");
    Envelope envelope = null;
    BodyStructure body = null;
    long lines = -1;
    boolean message =
        type.equalsIgnoreCase("MESSAGE")
            && (subtype.equalsIgnoreCase("RFC822") || subtype.equalsIgnoreCase("GLOBAL"));
    if (message && c.peek() instanceof Node.Paren env) {
      c.next("envelope");
      envelope = Envelope.envelope(env);
      body = body(c.paren("body"));
      lines = c.number("body-fld-lines");
    } else if (type.equalsIgnoreCase("TEXT")) {
      lines = c.number("body-fld-lines");
    }
    return new BodyStructure.SinglePart(
        type, subtype, params, id, description, encoding, size, envelope, body, lines, c.rest());
  }

  /**
   * RFC 9051 {@code body-fld-param}: {@code "(" string SP string *(SP string SP string) ")"} / nil.
   */
  static List<BodyStructure.Param> bodyFldParam(Cursor c) throws ParseException {
    Node n = c.next("body-fld-param");
    if (n instanceof Node.Nil) {
      return List.of();
    }
    if (!(n instanceof Node.Paren p)) {
      throw Cursor.expected("body-fld-param", n);
    }
    Cursor list = Cursor.of(p);
    List<BodyStructure.Param> out = new ArrayList<>();
    while (list.more()) {
      out.add(
          new BodyStructure.Param(list.astring("parameter name"), list.nstring("parameter value")));
    }
    return out;
  }
}
