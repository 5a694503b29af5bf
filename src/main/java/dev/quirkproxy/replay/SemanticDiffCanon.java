package dev.quirkproxy.replay;

import dev.quirkproxy.codec.imap.parse.Node;
import dev.quirkproxy.codec.imap.parse.ParsedFrame;
import dev.quirkproxy.codec.imap.parse.ResponseCode;
import dev.quirkproxy.codec.imap.parse.ResponseData;
import dev.quirkproxy.codec.imap.parse.SequenceSet;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The canonical text of IMAP responses for {@link SemanticDiff}: strings compared by value (a
 * quoted string equals a literal with the same octets; long or binary values by size and SHA-256),
 * flag and capability lists as sorted sets, FETCH items by name in any order, message numbers in
 * the recorded session's terms (also in SEARCH and ESEARCH results), and what is ignored masked as
 * {@code *} (or left out, for RECENT).
 */
final class SemanticDiffCanon {

  /** Values longer than this are shown by size and hash. */
  private static final int SHOWN = 120;

  /** Ranges up to this many members are mapped member by member, longer ones by their ends. */
  private static final long EXPAND_LIMIT = 10_000;

  /** How one side's message numbers read in the recorded session's terms. */
  interface Numbers {
    String seq(long seq, long uid);

    String uid(long uid);

    /** Numbers as they are: the recorded side. */
    Numbers AS_IS =
        new Numbers() {
          @Override
          public String seq(long seq, long uid) {
            return Long.toString(seq);
          }

          @Override
          public String uid(long uid) {
            return Long.toString(uid);
          }
        };
  }

  /**
   * One response in canonical form.
   *
   * @param key what identifies it for item-wise comparison ({@code * 3 FETCH}), else its text
   * @param text the whole canonical text
   * @param items a FETCH's items by name, else null
   * @param tagged true for a tagged completion
   */
  record Canonical(String key, String text, Map<String, String> items, boolean tagged) {}

  private final Set<SemanticDiffIgnore> ignore;
  private final Numbers numbers;
  private final boolean uidCommand;

  SemanticDiffCanon(Set<SemanticDiffIgnore> ignore, Numbers numbers, boolean uidCommand) {
    this.ignore = ignore;
    this.numbers = numbers;
    this.uidCommand = uidCommand;
  }

  List<Canonical> all(List<ParsedFrame> responses) {
    List<Canonical> out = new ArrayList<>();
    for (ParsedFrame f : responses) {
      Canonical c = of(f);
      if (c != null) {
        out.add(c);
      }
    }
    return out;
  }

  /** The canonical form, or null for a response that is ignored altogether. */
  Canonical of(ParsedFrame f) {
    if (f instanceof ParsedFrame.Status s) {
      String t = status(s);
      return new Canonical(t, t, null, s.tagged());
    }
    if (f instanceof ParsedFrame.Data d) {
      return data(d);
    }
    if (f instanceof ParsedFrame.Unparsed u) {
      String t = new String(u.frame().toByteArray(), StandardCharsets.ISO_8859_1).strip();
      return new Canonical(t, t, null, false);
    }
    return null;
  }

  private String status(ParsedFrame.Status s) {
    StringBuilder b = new StringBuilder(s.tag()).append(' ').append(s.status());
    if (s.code() != null) {
      b.append(" [").append(code(s.code())).append(']');
    }
    if (!ignore.contains(SemanticDiffIgnore.TEXT) && !s.text().isEmpty()) {
      b.append(' ').append(text(s.text()));
    }
    return b.toString();
  }

  /** Free text with dates and timings masked when they are ignored. */
  String text(String text) {
    return ignore.contains(SemanticDiffIgnore.DATES)
        ? SemanticDiff.DATE_LIKE.matcher(text).replaceAll("*")
        : text;
  }

  private String code(ResponseCode code) {
    String name = code.name();
    List<Node> args = code.args();
    return switch (name) {
      case "UIDVALIDITY" -> masked(name, SemanticDiffIgnore.UIDVALIDITY, code.raw());
      case "UIDNEXT" -> masked(name, SemanticDiffIgnore.UIDNEXT, code.raw());
      case "HIGHESTMODSEQ" -> masked(name, SemanticDiffIgnore.MODSEQ, code.raw());
      case "UNSEEN" ->
          code.number() == null ? code.raw() : name + " " + numbers.seq(code.number(), 0);
      case "PERMANENTFLAGS" -> name + " " + sortedSet(code.flags());
      case "CAPABILITY" ->
          name + " " + sortedSet(upper(code.capabilities())).replaceAll("[()]", "");
      case "APPENDUID", "COPYUID" -> uidPlus(name, args);
      default -> name + (args.isEmpty() ? "" : " " + join(args));
    };
  }

  private String masked(String name, SemanticDiffIgnore what, String raw) {
    return ignore.contains(what) ? name + " *" : upper(raw);
  }

  private String uidPlus(String name, List<Node> args) {
    StringBuilder b = new StringBuilder(name);
    for (int i = 0; i < args.size(); i++) {
      boolean hidden =
          i == 0
              ? ignore.contains(SemanticDiffIgnore.UIDVALIDITY)
              : i == args.size() - 1 && ignore.contains(SemanticDiffIgnore.UIDNEXT);
      b.append(' ').append(hidden ? "*" : canon(args.get(i)));
    }
    return b.toString();
  }

  private Canonical data(ParsedFrame.Data d) {
    ResponseData v = d.view();
    String t;
    if (v instanceof ResponseData.Fetch f) {
      return fetch(d, f);
    } else if (v instanceof ResponseData.Recent r) {
      if (ignore.contains(SemanticDiffIgnore.RECENT)) {
        return null;
      }
      t = "* " + r.count() + " RECENT";
    } else if (v instanceof ResponseData.Exists e) {
      t = "* " + e.count() + " EXISTS";
    } else if (v instanceof ResponseData.Expunge e) {
      t = "* " + numbers.seq(e.seq(), 0) + " EXPUNGE";
    } else if (v instanceof ResponseData.Search s) {
      List<String> n = new ArrayList<>();
      for (long x : s.numbers()) {
        n.add(uidCommand ? numbers.uid(x) : numbers.seq(x, 0));
      }
      n.sort(SemanticDiffCanon::numeric);
      t = ("* SEARCH " + String.join(" ", n)).strip();
      if (s.modSeq() != null) {
        t += " (MODSEQ " + (ignore.contains(SemanticDiffIgnore.MODSEQ) ? "*" : s.modSeq()) + ")";
      }
    } else if (v instanceof ResponseData.Esearch e) {
      t = esearch(e);
    } else if (v instanceof ResponseData.Flags f) {
      t = "* FLAGS " + sortedSet(flags(f.flags()));
    } else if (v instanceof ResponseData.Capability c) {
      t = "* CAPABILITY " + sortedSet(upper(c.capabilities())).replaceAll("[()]", "");
    } else if (v instanceof ResponseData.Status s) {
      List<String> items = new ArrayList<>();
      for (ResponseData.Status.StatusItem i : s.items()) {
        String name = upper(i.name());
        SemanticDiffIgnore hide =
            switch (name) {
              case "UIDVALIDITY" -> SemanticDiffIgnore.UIDVALIDITY;
              case "UIDNEXT" -> SemanticDiffIgnore.UIDNEXT;
              case "HIGHESTMODSEQ" -> SemanticDiffIgnore.MODSEQ;
              case "RECENT" -> SemanticDiffIgnore.RECENT;
              default -> null;
            };
        items.add(name + " " + (hide != null && ignore.contains(hide) ? "*" : i.value()));
      }
      items.sort(null);
      t = "* STATUS " + mailboxName(s.mailbox()) + " (" + String.join(" ", items) + ")";
    } else if (v instanceof ResponseData.MailboxList l) {
      // RFC 9051 §7.3.1: attributes in any order; a name the same quoted or as an atom.
      t =
          "* "
              + upper(l.kind())
              + " "
              + sortedSet(flags(l.attributes()))
              + " "
              + (l.delimiter() == null ? "NIL" : quote(l.delimiter()))
              + " "
              + mailboxName(l.mailbox());
    } else {
      t = join(d.tokens().items());
    }
    return new Canonical(t, t, null, false);
  }

  /**
   * RFC 4731 / RFC 9051 §7.3.4: return data sorted by name; ALL, MIN, MAX (and PARTIAL's set) in
   * the recorded session's numbers (UIDs after {@code UID}, else sequence numbers).
   */
  private String esearch(ResponseData.Esearch e) {
    StringBuilder b = new StringBuilder("* ESEARCH");
    if (e.tag() != null) {
      b.append(" (TAG ").append(string(e.tag())).append(')');
    }
    if (e.uid()) {
      b.append(" UID");
    }
    List<String> items = new ArrayList<>();
    for (ResponseData.Esearch.ReturnData d : e.data()) {
      String name = upper(d.name());
      Node value = d.value();
      String shown =
          switch (name) {
            case "MIN", "MAX" ->
                value instanceof Node.Num n ? number(n.value(), e.uid()) : canon(value);
            case "ALL" -> numberSet(Node.text(value), e.uid());
            case "MODSEQ" -> ignore.contains(SemanticDiffIgnore.MODSEQ) ? "*" : canon(value);
            case "PARTIAL" -> partial(value, e.uid());
            default -> canon(value);
          };
      items.add(name + " " + shown);
    }
    items.sort(null);
    items.forEach(i -> b.append(' ').append(i));
    return b.toString();
  }

  private String number(long n, boolean uid) {
    return uid ? numbers.uid(n) : numbers.seq(n, 0);
  }

  /** RFC 9394 {@code PARTIAL (range set)}: the set mapped, the range as it is. */
  private String partial(Node value, boolean uid) {
    if (value instanceof Node.Paren p && p.items().items().size() == 2) {
      Node set = p.items().items().get(1);
      return "("
          + canon(p.items().items().get(0))
          + " "
          + (set instanceof Node.Nil ? "NIL" : numberSet(Node.text(set), uid))
          + ")";
    }
    return canon(value);
  }

  /** A set of numbers in the recorded session's terms, as a compressed set; {@code live:N} last. */
  private String numberSet(String text, boolean uid) {
    SequenceSet set;
    try {
      set = SequenceSet.parse(text);
    } catch (IllegalArgumentException bad) {
      return text;
    }
    if (set.saved()) {
      return text;
    }
    java.util.TreeSet<Long> members = new java.util.TreeSet<>();
    List<String> other = new ArrayList<>();
    for (SequenceSet.Range r : set.ranges()) {
      long a = Math.min(r.first(), r.last());
      long c = Math.max(r.first(), r.last());
      if (c == SequenceSet.STAR || c - a > EXPAND_LIMIT) {
        other.add(number(a, uid) + ":" + (c == SequenceSet.STAR ? "*" : number(c, uid)));
        continue;
      }
      for (long n = a; n <= c; n++) {
        String m = number(n, uid);
        if (m.chars().allMatch(Character::isDigit)) {
          members.add(Long.parseLong(m));
        } else {
          other.add(m);
        }
      }
    }
    other.sort(SemanticDiffCanon::numeric);
    String head = ReplayClientRemap.compress(List.copyOf(members));
    List<String> all = new ArrayList<>();
    if (!head.isEmpty()) {
      all.add(head);
    }
    all.addAll(other);
    return String.join(",", all);
  }

  private Canonical fetch(ParsedFrame.Data d, ResponseData.Fetch f) {
    Map<String, String> items = new TreeMap<>();
    long uid = ReplayClientRemap.uidOf(f);
    Node last = d.tokens().items().get(d.tokens().items().size() - 1);
    if (last instanceof Node.Paren p) {
      List<Node> att = p.items().items();
      for (int i = 0; i + 1 < att.size(); i += 2) {
        String name = canon(att.get(i));
        items.put(name, item(name, att.get(i + 1)));
      }
    }
    String key = "* " + numbers.seq(f.seq(), uid) + " FETCH";
    StringBuilder t = new StringBuilder(key).append(" (");
    items.forEach(
        (k, v) ->
            t.append(t.charAt(t.length() - 1) == '(' ? "" : " ")
                .append(k)
                .append(' ')
                .append(shorten(v)));
    return new Canonical(key, t.append(')').toString(), items, false);
  }

  private String item(String name, Node value) {
    return switch (name) {
      case "FLAGS" -> sortedSet(flags(children(value)));
      case "UID" -> value instanceof Node.Num n ? numbers.uid(n.value()) : canon(value);
      case "INTERNALDATE" -> ignore.contains(SemanticDiffIgnore.DATES) ? "*" : canon(value);
      case "MODSEQ" -> ignore.contains(SemanticDiffIgnore.MODSEQ) ? "(*)" : canon(value);
      default -> canon(value);
    };
  }

  private List<String> flags(List<String> flags) {
    List<String> out = new ArrayList<>();
    for (String f : flags) {
      if (!(ignore.contains(SemanticDiffIgnore.RECENT) && f.equalsIgnoreCase("\\Recent"))) {
        out.add(f);
      }
    }
    return out;
  }

  private static List<String> children(Node n) {
    List<String> out = new ArrayList<>();
    if (n instanceof Node.Paren p) {
      for (Node c : p.items().items()) {
        out.add(Node.text(c));
      }
    }
    return out;
  }

  /** A mailbox name by value (INBOX in any case is INBOX, RFC 9051 §5.1). */
  private static String mailboxName(dev.quirkproxy.codec.imap.parse.Mailbox m) {
    return string(m.isInbox() ? "INBOX" : m.name());
  }

  /** A node's canonical text: strings by value, atoms as written, lists recursively. */
  static String canon(Node n) {
    if (n instanceof Node.Quoted q) {
      return string(q.value());
    }
    if (n instanceof Node.Lit l) {
      return string(l.data().latin1());
    }
    if (n instanceof Node.Nil) {
      return "NIL";
    }
    if (n instanceof Node.Paren p) {
      return "(" + join(p.items().items()) + ")";
    }
    if (n instanceof Node.Bracket b) {
      return upper(b.prefix()) + "[" + upper(join(b.section().items())) + "]" + b.suffix();
    }
    return Node.text(n);
  }

  private static String join(List<Node> nodes) {
    List<String> out = new ArrayList<>();
    for (Node n : nodes) {
      out.add(canon(n));
    }
    return String.join(" ", out);
  }

  /** A string by value: quoted, or by size and hash when long or not printable. */
  private static String string(String latin1) {
    boolean printable = latin1.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
    return latin1.length() <= SHOWN && printable
        ? quote(latin1)
        : "{" + latin1.length() + " octets, sha256 " + sha256(latin1) + "}";
  }

  private static String quote(String latin1) {
    return "\"" + latin1.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** A long value as its start and a hash of the whole, for showing it. */
  static String shorten(String value) {
    return value.length() <= SHOWN
        ? value
        : value.substring(0, SHOWN) + "\u2026 sha256 " + sha256(value);
  }

  private static String sha256(String latin1) {
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256").digest(latin1.getBytes(StandardCharsets.ISO_8859_1));
      return HexFormat.of().formatHex(h, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  private static String sortedSet(List<String> items) {
    return "(" + String.join(" ", new java.util.TreeSet<>(items)) + ")";
  }

  private static List<String> upper(List<String> items) {
    return items.stream().map(SemanticDiffCanon::upper).toList();
  }

  private static String upper(String s) {
    return s.toUpperCase(Locale.ROOT);
  }

  private static int numeric(String a, String b) {
    boolean na = a.chars().allMatch(Character::isDigit);
    boolean nb = b.chars().allMatch(Character::isDigit);
    if (na && nb) {
      return Long.compare(Long.parseLong(a), Long.parseLong(b));
    }
    return na ? -1 : nb ? 1 : a.compareTo(b);
  }
}
