package dev.quirkproxy.codec.imap.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Builds the {@link CommandView} of a command from its generic tree (RFC 9051 §6, §9). */
final class CommandParser {

  /** How deep NOT, OR and groups of search keys may nest. */
  static final int MAX_SEARCH_DEPTH = 64;

  /** Search keys with one argument (RFC 9051, 7162, 8474, 8514, 5032, Gmail's X-GM-*). */
  private static final Set<String> ONE_ARGUMENT =
      Set.of(
          "BCC",
          "BEFORE",
          "BODY",
          "CC",
          "FROM",
          "KEYWORD",
          "LARGER",
          "ON",
          "SENTBEFORE",
          "SENTON",
          "SENTSINCE",
          "SINCE",
          "SMALLER",
          "SUBJECT",
          "TEXT",
          "TO",
          "UID",
          "UNKEYWORD",
          "OLDER",
          "YOUNGER",
          "FILTER",
          "EMAILID",
          "THREADID",
          "SAVEDBEFORE",
          "SAVEDON",
          "SAVEDSINCE",
          "X-GM-RAW",
          "X-GM-MSGID",
          "X-GM-THRID",
          "X-GM-LABELS");

  private CommandParser() {}

  static CommandView command(String name, Cursor c) throws ParseException {
    return switch (name) {
      case "SELECT", "EXAMINE" -> select(name.equals("EXAMINE"), c);
      case "FETCH" -> fetch(c);
      case "STORE" -> store(c);
      case "SEARCH" -> search(c);
      case "APPEND" -> append(c);
      case "ID" -> new CommandView.Id(idParamsList(c));
      case "COPY", "MOVE" -> copy(name.equals("MOVE"), c);
      case "LIST", "LSUB" -> list(name, c);
      case "STATUS" -> status(c);
      case "ENABLE" -> enable(c);
      default -> new CommandView.Other();
    };
  }

  private static CommandView select(boolean examine, Cursor c) throws ParseException {
    Mailbox mailbox = c.mailbox("mailbox");
    List<Node> params = List.of();
    if (c.more()) {
      params = Cursor.of(c.paren("select parameters")).rest();
    }
    c.end("SELECT");
    return new CommandView.Select(examine, mailbox, params);
  }

  private static CommandView fetch(Cursor c) throws ParseException {
    SequenceSet set = c.sequenceSet("sequence set");
    Node what = c.next("fetch items");
    List<FetchAtt> items = new ArrayList<>();
    if (what instanceof Node.Paren p) {
      Cursor list = Cursor.of(p);
      while (list.more()) {
        items.add(FetchAtt.of(list.next("fetch item")));
      }
    } else {
      items.add(FetchAtt.of(what));
    }
    List<Node> modifiers = List.of();
    if (c.more()) {
      modifiers = Cursor.of(c.paren("fetch modifiers")).rest();
    }
    c.end("FETCH");
    return new CommandView.Fetch(set, items, modifiers);
  }

  private static CommandView store(Cursor c) throws ParseException {
    SequenceSet set = c.sequenceSet("sequence set");
    List<Node> modifiers = List.of();
    if (c.peek() instanceof Node.Paren p) {
      c.next("store modifiers");
      modifiers = Cursor.of(p).rest();
    }
    String item = c.atom("store item");
    String upper = item.toUpperCase(Locale.ROOT);
    char sign = upper.startsWith("+") || upper.startsWith("-") ? upper.charAt(0) : 0;
    boolean silent = upper.endsWith(".SILENT");
    List<String> flags = new ArrayList<>();
    if (c.peek() instanceof Node.Paren) {
      Cursor list = Cursor.of(c.paren("flags"));
      while (list.more()) {
        flags.add(list.astring("flag"));
      }
    }
    while (c.more()) {
      flags.add(c.astring("flag"));
    }
    return new CommandView.Store(set, modifiers, item, sign, silent, flags);
  }

  private static CommandView search(Cursor c) throws ParseException {
    List<String> returnOptions = List.of();
    if (c.peekAtom("RETURN")) {
      c.next("RETURN");
      returnOptions =
          Cursor.of(c.paren("search return options")).rest().stream().map(Node::text).toList();
    }
    String charset = null;
    if (c.peekAtom("CHARSET")) {
      c.next("CHARSET");
      charset = c.astring("charset");
    }
    List<SearchKey> keys = searchKeys(c, 0);
    if (keys.isEmpty()) {
      throw new ParseException("SEARCH without a search key", c.position());
    }
    return new CommandView.Search(returnOptions, charset, keys);
  }

  static List<SearchKey> searchKeys(Cursor c, int depth) throws ParseException {
    List<SearchKey> keys = new ArrayList<>();
    while (c.more()) {
      keys.add(searchKey(c, depth));
    }
    return keys;
  }

  /** One RFC 9051 {@code search-key}; depth bounds NOT/OR chains as well as groups. */
  static SearchKey searchKey(Cursor c, int depth) throws ParseException {
    if (depth > MAX_SEARCH_DEPTH) {
      throw new ParseException(
          "search keys nest deeper than the limit of " + MAX_SEARCH_DEPTH, c.position());
    }
    Node n = c.next("search key");
    if (n instanceof Node.Paren p) {
      List<SearchKey> keys = searchKeys(Cursor.of(p), depth + 1);
      if (keys.isEmpty()) {
        throw new ParseException("empty search key group", p.position());
      }
      return new SearchKey.Group(keys);
    }
    if (n instanceof Node.Num) {
      return new SearchKey.SeqSet(Cursor.sequenceSet(n, "search key"));
    }
    if (!(n instanceof Node.Atom a)) {
      throw Cursor.expected("a search key", n);
    }
    String name = a.upper();
    if (name.matches("[0-9*$:,]+")) {
      return new SearchKey.SeqSet(Cursor.sequenceSet(n, "search key"));
    }
    if (name.equals("NOT")) {
      return new SearchKey.Not(searchKey(c, depth + 1));
    }
    if (name.equals("OR")) {
      return new SearchKey.Or(searchKey(c, depth + 1), searchKey(c, depth + 1));
    }
    int arity = ONE_ARGUMENT.contains(name) ? 1 : name.equals("HEADER") ? 2 : 0;
    if (name.equals("MODSEQ")) {
      // RFC 7162: MODSEQ [entry-name entry-type-req] mod-sequence-valzer
      arity = c.peek() instanceof Node.Quoted ? 3 : 1;
    }
    List<Node> args = new ArrayList<>();
    for (int i = 0; i < arity; i++) {
      args.add(c.next("argument of " + name));
    }
    return new SearchKey.Key(name, args);
  }

  private static CommandView append(Cursor c) throws ParseException {
    Mailbox mailbox = c.mailbox("mailbox");
    List<String> flags = null;
    if (c.peek() instanceof Node.Paren) {
      flags = c.flagList("flags");
    }
    String date = null;
    if (c.peek() instanceof Node.Quoted) {
      date = c.astring("date-time");
    }
    Node.Lit message = null;
    if (c.peek() instanceof Node.Lit lit) {
      c.next("message");
      message = lit;
    } else if (c.peekAtom("UTF8")) {
      // RFC 6855: UTF8 (literal8)
      c.next("UTF8");
      Cursor inner = Cursor.of(c.paren("UTF8 message"));
      if (inner.peek() instanceof Node.Lit lit) {
        message = lit;
      }
    }
    return new CommandView.Append(mailbox, flags, date, message, c.rest());
  }

  /** RFC 2971 {@code id-params-list}: NIL or pairs of string and nstring. */
  static List<IdParam> idParamsList(Cursor c) throws ParseException {
    Node n = c.next("ID parameters");
    c.end("ID parameters");
    if (n instanceof Node.Nil) {
      return null;
    }
    if (!(n instanceof Node.Paren p)) {
      throw Cursor.expected("ID parameters (a list or NIL)", n);
    }
    if (p.items().items().size() % 2 != 0) {
      throw new ParseException("ID parameter list has an odd number of items", p.position());
    }
    Cursor list = Cursor.of(p);
    List<IdParam> params = new ArrayList<>();
    while (list.more()) {
      params.add(new IdParam(list.astring("ID field"), list.nstring("ID value")));
    }
    return params;
  }

  private static CommandView copy(boolean move, Cursor c) throws ParseException {
    SequenceSet set = c.sequenceSet("sequence set");
    Mailbox mailbox = c.mailbox("mailbox");
    c.end(move ? "MOVE" : "COPY");
    return new CommandView.Copy(move, set, mailbox);
  }

  private static CommandView list(String name, Cursor c) throws ParseException {
    if (c.peek() instanceof Node.Paren) {
      return new CommandView.Other();
    }
    String reference = c.astring("reference");
    String pattern = c.astring("mailbox pattern");
    if (c.more()) {
      return new CommandView.Other();
    }
    return new CommandView.ListMailboxes(name, reference, pattern);
  }

  private static CommandView status(Cursor c) throws ParseException {
    Mailbox mailbox = c.mailbox("mailbox");
    List<String> items = Cursor.atoms(c.paren("status items"), "status item");
    c.end("STATUS");
    return new CommandView.Status(mailbox, items);
  }

  private static CommandView enable(Cursor c) throws ParseException {
    List<String> caps = new ArrayList<>();
    while (c.more()) {
      caps.add(c.atom("capability"));
    }
    return new CommandView.Enable(caps);
  }
}
