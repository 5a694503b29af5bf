package dev.quirkproxy.codec.imap.parse;

import java.util.List;

/** One RFC 9051 {@code msg-att} of a FETCH response (§7.5.2). */
public sealed interface MsgAtt {

  /** {@code FLAGS (…)}. */
  record Flags(List<String> flags) implements MsgAtt {
    public Flags {
      flags = List.copyOf(flags);
    }
  }

  /** {@code UID n}. */
  record Uid(long uid) implements MsgAtt {}

  /** {@code RFC822.SIZE n}. */
  record Rfc822Size(long size) implements MsgAtt {}

  /** {@code INTERNALDATE "…"}, as sent. */
  record InternalDate(String dateTime) implements MsgAtt {}

  /** {@code MODSEQ (n)} (RFC 7162). */
  record ModSeq(long modSeq) implements MsgAtt {}

  /** {@code ENVELOPE (…)}. */
  record EnvelopeItem(Envelope envelope) implements MsgAtt {}

  /** {@code BODYSTRUCTURE (…)}, or {@code BODY (…)} without extension data. */
  record BodyStructureItem(boolean extensible, BodyStructure body) implements MsgAtt {}

  /**
   * {@code BODY[section]<origin> nstring}, {@code BINARY[…]}, {@code RFC822}, {@code
   * RFC822.HEADER}, {@code RFC822.TEXT}: the value is NIL, a quoted string or a literal whose
   * octets are views into the frame (never copied by parsing).
   *
   * @param name BODY, BINARY, RFC822… in upper case
   * @param section the section, null for the RFC822 items
   * @param origin the {@code <origin>}, or -1
   * @param value the value node
   */
  record BodySection(String name, FetchAtt.Section section, long origin, Node value)
      implements MsgAtt {

    /** The literal holding the value, or null when it is NIL or quoted. */
    public Node.Lit literal() {
      return value instanceof Node.Lit lit ? lit : null;
    }
  }

  /** Any other item (X-GM-LABELS, EMAILID, …) as its generic value. */
  record Other(String name, Node value) implements MsgAtt {}
}
