package dev.quirkproxy.codec.imap.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Builds the {@link ResponseData} of untagged response data from its generic tree (RFC 9051 §7).
 */
final class ResponseParser {

  private ResponseParser() {}

  /** {@code c} stands after the {@code *}. */
  static ResponseData responseData(Cursor c) throws ParseException {
    Node first = c.next("response name");
    if (first instanceof Node.Num n) {
      String name = c.atom("message data name").toUpperCase(Locale.ROOT);
      ResponseData d =
          switch (name) {
            case "EXISTS" -> new ResponseData.Exists(n.value());
            case "EXPUNGE" -> new ResponseData.Expunge(n.value());
            case "RECENT" -> new ResponseData.Recent(n.value());
            case "FETCH" -> fetch(n.value(), c.paren("msg-att"));
            default -> new ResponseData.Other(name);
          };
      if (!(d instanceof ResponseData.Other)) {
        c.end(name);
      }
      return d;
    }
    String name = Node.text(first).toUpperCase(Locale.ROOT);
    return switch (name) {
      case "CAPABILITY" -> new ResponseData.Capability(atoms(c));
      case "ENABLED" -> new ResponseData.Enabled(atoms(c));
      case "FLAGS" -> new ResponseData.Flags(c.flagList("flags"));
      case "LIST", "LSUB", "XLIST" -> mailboxList(name, c);
      case "VANISHED" -> vanished(c);
      case "SEARCH" -> search(c);
      case "ESEARCH" -> esearch(c);
      case "STATUS" -> status(c);
      case "NAMESPACE" -> namespace(c);
      case "ID" -> new ResponseData.Id(CommandParser.idParamsList(c));
      default -> new ResponseData.Other(name);
    };
  }

  private static List<String> atoms(Cursor c) throws ParseException {
    List<String> out = new ArrayList<>();
    while (c.more()) {
      out.add(c.atom("capability"));
    }
    return out;
  }

  /** RFC 9051 {@code mailbox-list}: {@code "(" [mbx-list-flags] ")" SP delimiter SP mailbox}. */
  private static ResponseData mailboxList(String kind, Cursor c) throws ParseException {
    List<String> attributes = c.flagList("mailbox attributes");
    String delimiter = c.nstring("hierarchy delimiter");
    Mailbox mailbox = c.mailbox("mailbox");
    List<Node> extended = List.of();
    if (c.more()) {
      extended = Cursor.of(c.paren("mbox-list-extended")).rest();
    }
    c.end(kind);
    return new ResponseData.MailboxList(kind, attributes, delimiter, mailbox, extended);
  }

  private static ResponseData vanished(Cursor c) throws ParseException {
    boolean earlier = false;
    if (c.peek() instanceof Node.Paren p) {
      c.next("(EARLIER)");
      List<String> tags = Cursor.atoms(p, "VANISHED tag");
      earlier = tags.size() == 1 && tags.get(0).equalsIgnoreCase("EARLIER");
      if (!earlier) {
        throw new ParseException("expected (EARLIER), got " + Node.text(p), p.position());
      }
    }
    SequenceSet uids = c.sequenceSet("known-uids");
    c.end("VANISHED");
    return new ResponseData.Vanished(earlier, uids);
  }

  private static ResponseData search(Cursor c) throws ParseException {
    List<Long> numbers = new ArrayList<>();
    Long modSeq = null;
    while (c.more()) {
      if (c.peek() instanceof Node.Paren p) {
        c.next("(MODSEQ n)");
        Cursor m = Cursor.of(p);
        if (!m.atom("MODSEQ").equalsIgnoreCase("MODSEQ")) {
          throw new ParseException("expected (MODSEQ n)", p.position());
        }
        modSeq = m.number("mod-sequence-value");
        m.end("MODSEQ");
        c.end("SEARCH");
      } else {
        numbers.add(c.number("nz-number"));
      }
    }
    return new ResponseData.Search(numbers, modSeq);
  }

  /** RFC 9051 {@code esearch-response}. */
  private static ResponseData esearch(Cursor c) throws ParseException {
    String tag = null;
    if (c.peek() instanceof Node.Paren p) {
      c.next("search-correlator");
      Cursor corr = Cursor.of(p);
      if (!corr.atom("TAG").equalsIgnoreCase("TAG")) {
        throw new ParseException("expected (TAG \"…\")", p.position());
      }
      tag = corr.astring("tag-string");
    }
    boolean uid = false;
    if (c.peekAtom("UID")) {
      c.next("UID");
      uid = true;
    }
    List<ResponseData.Esearch.ReturnData> data = new ArrayList<>();
    while (c.more()) {
      String name = c.atom("search-return-data").toUpperCase(Locale.ROOT);
      data.add(new ResponseData.Esearch.ReturnData(name, c.next("value of " + name)));
    }
    return new ResponseData.Esearch(tag, uid, data);
  }

  private static ResponseData status(Cursor c) throws ParseException {
    Mailbox mailbox = c.mailbox("mailbox");
    Cursor list = Cursor.of(c.paren("status-att-list"));
    List<ResponseData.Status.StatusItem> items = new ArrayList<>();
    while (list.more()) {
      String name = list.atom("status-att").toUpperCase(Locale.ROOT);
      items.add(new ResponseData.Status.StatusItem(name, list.number(name)));
    }
    c.end("STATUS");
    return new ResponseData.Status(mailbox, items);
  }

  private static ResponseData namespace(Cursor c) throws ParseException {
    ResponseData d =
        new ResponseData.Namespace(
            namespaceList(c, "personal"),
            namespaceList(c, "other users'"),
            namespaceList(c, "shared"));
    c.end("NAMESPACE");
    return d;
  }

  private static List<ResponseData.Namespace.NamespaceDescr> namespaceList(Cursor c, String what)
      throws ParseException {
    Node n = c.next(what + " namespace");
    if (n instanceof Node.Nil) {
      return null;
    }
    if (!(n instanceof Node.Paren p)) {
      throw Cursor.expected(what + " namespace (a list or NIL)", n);
    }
    Cursor list = Cursor.of(p);
    List<ResponseData.Namespace.NamespaceDescr> out = new ArrayList<>();
    while (list.more()) {
      Cursor d = Cursor.of(list.paren("namespace-descr"));
      out.add(
          new ResponseData.Namespace.NamespaceDescr(
              d.astring("namespace prefix"), d.nstring("namespace delimiter"), d.rest()));
    }
    return out;
  }

  /** RFC 9051 {@code msg-att}: {@code "(" (msg-att-dynamic / msg-att-static) *(SP …) ")"}. */
  private static ResponseData fetch(long seq, Node.Paren p) throws ParseException {
    Cursor c = Cursor.of(p);
    List<MsgAtt> items = new ArrayList<>();
    while (c.more()) {
      items.add(msgAtt(c));
    }
    return new ResponseData.Fetch(seq, items);
  }

  private static MsgAtt msgAtt(Cursor c) throws ParseException {
    Node key = c.next("msg-att");
    if (key instanceof Node.Bracket b) {
      String name = b.prefix().toUpperCase(Locale.ROOT);
      FetchAtt.Partial partial = FetchAtt.partial(b.suffix(), b);
      Node value = c.next("value of " + name + "[]");
      if (name.endsWith(".SIZE")) {
        return new MsgAtt.Other(Node.text(b), value);
      }
      nstringNode(value, name);
      return new MsgAtt.BodySection(
          name, FetchAtt.section(b), partial == null ? -1 : partial.origin(), value);
    }
    if (!(key instanceof Node.Atom)) {
      throw Cursor.expected("a msg-att name", key);
    }
    String name = Node.text(key).toUpperCase(Locale.ROOT);
    return switch (name) {
      case "FLAGS" -> new MsgAtt.Flags(c.flagList("FLAGS"));
      case "UID" -> new MsgAtt.Uid(c.number("UID"));
      case "RFC822.SIZE" -> new MsgAtt.Rfc822Size(c.number("RFC822.SIZE"));
      case "INTERNALDATE" -> new MsgAtt.InternalDate(c.astring("INTERNALDATE"));
      case "MODSEQ" -> {
        Cursor m = Cursor.of(c.paren("MODSEQ"));
        long v = m.number("mod-sequence-value");
        m.end("MODSEQ");
        yield new MsgAtt.ModSeq(v);
      }
      case "ENVELOPE" -> new MsgAtt.EnvelopeItem(Envelope.envelope(c.paren("ENVELOPE")));
      case "BODYSTRUCTURE" ->
          new MsgAtt.BodyStructureItem(true, BodyParser.body(c.paren("BODYSTRUCTURE")));
      case "BODY" -> new MsgAtt.BodyStructureItem(false, BodyParser.body(c.paren("BODY")));
      case "RFC822", "RFC822.HEADER", "RFC822.TEXT" -> {
        Node value = c.next(name);
        nstringNode(value, name);
        yield new MsgAtt.BodySection(name, null, -1, value);
      }
      default -> new MsgAtt.Other(name, c.next("value of " + name));
    };
  }

  private static void nstringNode(Node value, String name) throws ParseException {
    if (!(value instanceof Node.Nil || value instanceof Node.Quoted || value instanceof Node.Lit)) {
      throw Cursor.expected(name + " data (a string or NIL)", value);
    }
  }
}
