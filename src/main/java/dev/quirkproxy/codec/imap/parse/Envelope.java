package dev.quirkproxy.codec.imap.parse;

import java.util.List;

/**
 * RFC 9051 {@code envelope} (§7.5.2); nstring fields are null for NIL, address lists null for NIL.
 */
public record Envelope(
    String date,
    String subject,
    List<Address> from,
    List<Address> sender,
    List<Address> replyTo,
    List<Address> to,
    List<Address> cc,
    List<Address> bcc,
    String inReplyTo,
    String messageId) {

  /** RFC 9051 {@code address}: name, adl, mailbox, host (a group marker has a null host). */
  public record Address(String name, String adl, String mailbox, String host) {}

  static Envelope envelope(Node.Paren p) throws ParseException {
    Cursor c = Cursor.of(p);
    Envelope e =
        new Envelope(
            c.nstring("env-date"),
            c.nstring("env-subject"),
            addresses(c, "env-from"),
            addresses(c, "env-sender"),
            addresses(c, "env-reply-to"),
            addresses(c, "env-to"),
            addresses(c, "env-cc"),
            addresses(c, "env-bcc"),
            c.nstring("env-in-reply-to"),
            c.nstring("env-message-id"));
    c.end("envelope");
    return e;
  }

  private static List<Address> addresses(Cursor c, String what) throws ParseException {
    Node n = c.next(what);
    if (n instanceof Node.Nil) {
      return null;
    }
    if (!(n instanceof Node.Paren p)) {
      throw Cursor.expected(what + " (a list of addresses or NIL)", n);
    }
    Cursor list = Cursor.of(p);
    List<Address> out = new java.util.ArrayList<>();
    while (list.more()) {
      Cursor a = Cursor.of(list.paren("address"));
      out.add(
          new Address(
              a.nstring("addr-name"),
              a.nstring("addr-adl"),
              a.nstring("addr-mailbox"),
              a.nstring("addr-host")));
      a.end("address");
    }
    return out;
  }
}
