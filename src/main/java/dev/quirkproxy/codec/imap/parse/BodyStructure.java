package dev.quirkproxy.codec.imap.parse;

import java.util.List;

/**
 * RFC 9051 {@code body} (§7.5.2 BODYSTRUCTURE): a single part or a multipart with nested parts.
 * Extension data ({@code body-ext-1part}, {@code body-ext-mpart}) is kept as generic nodes; {@link
 * #disposition()} reads the common part of it.
 */
public sealed interface BodyStructure {

  /** The extension data after the basic fields, possibly empty. */
  List<Node> extension();

  /** {@code body-fld-param}: name/value pairs. */
  record Param(String name, String value) {}

  /** {@code body-fld-dsp}: disposition type and parameters. */
  record Disposition(String type, List<Param> params) {}

  /**
   * {@code body-type-1part}: basic, text ({@code lines}) or message/rfc822 ({@code envelope},
   * {@code body}, {@code lines}); fields absent from a kind are null (lines: -1).
   */
  record SinglePart(
      String type,
      String subtype,
      List<Param> params,
      String id,
      String description,
      String encoding,
      long size,
      Envelope envelope,
      BodyStructure body,
      long lines,
      List<Node> extension)
      implements BodyStructure {
    public SinglePart {
      params = List.copyOf(params);
      extension = List.copyOf(extension);
    }
  }

  /** {@code body-type-mpart}: parts, subtype, extension data. */
  record Multipart(List<BodyStructure> parts, String subtype, List<Node> extension)
      implements BodyStructure {
    public Multipart {
      parts = List.copyOf(parts);
      extension = List.copyOf(extension);
    }
  }

  /**
   * The disposition: the second extension field for both kinds ({@code body-fld-md5} or {@code
   * body-fld-param} comes first); null when absent, NIL or malformed.
   */
  default Disposition disposition() {
    if (extension().size() < 2 || !(extension().get(1) instanceof Node.Paren p)) {
      return null;
    }
    try {
      Cursor c = Cursor.of(p);
      return new Disposition(c.astring("disposition"), BodyParser.bodyFldParam(c));
    } catch (ParseException e) {
      return null;
    }
  }
}
