package dev.quirkproxy.replay;

import dev.quirkproxy.codec.imap.parse.FrameBytes;
import dev.quirkproxy.codec.imap.parse.ImapParser;
import dev.quirkproxy.codec.imap.parse.MsgAtt;
import dev.quirkproxy.codec.imap.parse.Node;
import dev.quirkproxy.codec.imap.parse.ParsedFrame;
import dev.quirkproxy.codec.imap.parse.ResponseData;
import dev.quirkproxy.codec.imap.parse.SequenceSet;
import dev.quirkproxy.replay.ReplayClientNumbering.Identity;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Maps message numbers between the recorded session and the live one: a recorded UID to the live
 * UID of the message with the same Message-ID and size, sequence numbers through their UIDs.
 * Commands are rewritten recorded → live before they are sent; live answers are read live →
 * recorded before they are compared. Where a side does not know a message, the number is left as it
 * is (the mailboxes are assumed to be alike there); a live message that fits no recorded one is
 * shown as {@code live:N}. SEARCH keys are rewritten too; SEARCH and ESEARCH results are read back
 * in {@link SemanticDiffCanon}.
 */
final class ReplayClientRemap {

  /** Ranges up to this size are mapped member by member, longer ones by their ends. */
  private static final long EXPAND_LIMIT = 10_000;

  /** Search keys without arguments (RFC 9051 §6.4.4, RFC 8514). */
  private static final Set<String> NO_ARGUMENT =
      Set.of(
          "ALL",
          "ANSWERED",
          "DELETED",
          "DRAFT",
          "FLAGGED",
          "NEW",
          "OLD",
          "RECENT",
          "SEEN",
          "UNANSWERED",
          "UNDELETED",
          "UNDRAFT",
          "UNFLAGGED",
          "UNSEEN",
          "SAVEDATESUPPORTED");

  /** Search keys with one argument that is not a message set (RFC 9051, 5032, 7162, 8474, 8514). */
  private static final Set<String> ONE_ARGUMENT =
      Set.of(
          "BCC",
          "BEFORE",
          "BODY",
          "CC",
          "FROM",
          "KEYWORD",
          "ON",
          "SENTBEFORE",
          "SENTON",
          "SENTSINCE",
          "SINCE",
          "SUBJECT",
          "TEXT",
          "TO",
          "UNKEYWORD",
          "LARGER",
          "SMALLER",
          "OLDER",
          "YOUNGER",
          "SAVEDBEFORE",
          "SAVEDON",
          "SAVEDSINCE",
          "EMAILID",
          "THREADID",
          "FILTER");

  final ReplayClientNumbering recorded = new ReplayClientNumbering();
  final ReplayClientNumbering live = new ReplayClientNumbering();

  /** A new mailbox was selected on both sides. */
  void reset() {
    recorded.reset();
    live.reset();
  }

  /** Learns from one response of a side. */
  void observe(ParsedFrame response, boolean liveSide) {
    ReplayClientNumbering n = liveSide ? live : recorded;
    if (response instanceof ParsedFrame.Data d) {
      if (d.view() instanceof ResponseData.Fetch f) {
        n.fetched(f.seq(), uidOf(f), identityOf(f));
      } else if (d.view() instanceof ResponseData.Expunge e) {
        n.expunge(e.seq());
      }
    }
  }

  static long uidOf(ResponseData.Fetch f) {
    MsgAtt.Uid uid = f.item(MsgAtt.Uid.class);
    return uid == null ? 0 : uid.uid();
  }

  static Identity identityOf(ResponseData.Fetch f) {
    MsgAtt.EnvelopeItem env = f.item(MsgAtt.EnvelopeItem.class);
    MsgAtt.Rfc822Size size = f.item(MsgAtt.Rfc822Size.class);
    return new Identity(
        env == null ? null : env.envelope().messageId(), size == null ? -1 : size.size());
  }

  long liveUid(long recordedUid) {
    long u = live.uidOf(recorded.identity(recordedUid));
    return u != 0 ? u : recordedUid;
  }

  long liveSeq(long recordedSeq) {
    long recUid = recorded.uid(recordedSeq);
    if (recUid == 0) {
      return recordedSeq;
    }
    long s = live.seq(liveUid(recUid));
    return s != 0 ? s : recordedSeq;
  }

  /** A live UID in the recorded session's terms. */
  String recordedUid(long liveUid) {
    long r = recorded.uidOf(live.identity(liveUid));
    if (r != 0) {
      return Long.toString(r);
    }
    boolean unmatched = live.identity(liveUid) != null && recorded.knowsIdentities();
    return unmatched ? "live:" + liveUid : Long.toString(liveUid);
  }

  /** A live sequence number in the recorded session's terms; {@code uidHint} when known, else 0. */
  String recordedSeq(long liveSeq, long uidHint) {
    long uid = uidHint > 0 ? uidHint : live.uid(liveSeq);
    if (uid == 0) {
      return Long.toString(liveSeq);
    }
    String recUid = recordedUid(uid);
    if (recUid.startsWith("live:")) {
      return "live:" + liveSeq;
    }
    long s = recorded.seq(Long.parseLong(recUid));
    return Long.toString(s != 0 ? s : liveSeq);
  }

  /**
   * The command with its message sets rewritten for the live mailbox (FETCH, STORE, COPY, MOVE, UID
   * EXPUNGE; SEARCH's sequence-set and {@code UID} keys); other commands, and sets that map to
   * themselves, are returned unchanged.
   */
  byte[] rewrite(byte[] command) {
    ParsedFrame p = new ImapParser().command(FrameBytes.of(command));
    if (!(p instanceof ParsedFrame.Command c) || c.arguments().isEmpty()) {
      return command;
    }
    List<Edit> edits = new ArrayList<>();
    if (c.name().equals("SEARCH")) {
      search(c.arguments(), edits);
    } else if (Set.of("FETCH", "STORE", "COPY", "MOVE", "EXPUNGE").contains(c.name())
        && (c.uid() || !c.name().equals("EXPUNGE"))) {
      edit(c.arguments().get(0), c.uid(), edits);
    }
    return edits.isEmpty() ? command : splice(command, edits);
  }

  /** One replacement in a command: the node's text at its position. */
  private record Edit(int at, int length, String replacement) {}

  private void edit(Node set, boolean uid, List<Edit> edits) {
    if (!(set instanceof Node.Atom || set instanceof Node.Num) || set.position() < 0) {
      return;
    }
    String text = Node.text(set);
    String mapped = mapSet(text, uid);
    if (!mapped.equals(text)) {
      edits.add(new Edit((int) set.position(), text.length(), mapped));
    }
  }

  private static byte[] splice(byte[] command, List<Edit> edits) {
    List<Edit> sorted = new ArrayList<>(edits);
    sorted.sort(Comparator.comparingInt(Edit::at));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int from = 0;
    for (Edit e : sorted) {
      out.write(command, from, e.at() - from);
      out.writeBytes(e.replacement().getBytes(StandardCharsets.US_ASCII));
      from = e.at() + e.length();
    }
    out.write(command, from, command.length - from);
    return out.toByteArray();
  }

  /**
   * SEARCH's arguments: {@code [RETURN (…)] [CHARSET x]} then search keys; a bare sequence set is
   * sequence numbers (also in UID SEARCH), the argument of {@code UID} UIDs. An unknown key stops
   * the walk there (its arguments could be read as sets).
   */
  private void search(List<Node> args, List<Edit> edits) {
    int i = 0;
    if (i < args.size() && keyword(args.get(i)).equals("RETURN")) {
      i += 2;
    }
    if (i < args.size() && keyword(args.get(i)).equals("CHARSET")) {
      i += 2;
    }
    while (i >= 0 && i < args.size()) {
      i = searchKey(args, i, edits);
    }
  }

  /** Walks the search key at {@code i}; the index after it, or -1 to stop. */
  private int searchKey(List<Node> args, int i, List<Edit> edits) {
    Node n = args.get(i);
    if (n instanceof Node.Paren p) {
      List<Node> inner = p.items().items();
      for (int j = 0; j < inner.size(); ) {
        j = searchKey(inner, j, edits);
        if (j < 0) {
          return -1;
        }
      }
      return i + 1;
    }
    String k = keyword(n);
    if (k.isEmpty()) {
      return -1;
    }
    if (isSet(k)) {
      edit(n, false, edits);
      return i + 1;
    }
    if (NO_ARGUMENT.contains(k)) {
      return i + 1;
    }
    if (ONE_ARGUMENT.contains(k)) {
      return i + 2;
    }
    switch (k) {
      case "HEADER":
        return i + 3;
      case "MODSEQ":
        // RFC 7162: [entry-name entry-type-req] mod-sequence-valzer
        return i + 1 < args.size() && !(args.get(i + 1) instanceof Node.Num) ? i + 4 : i + 2;
      case "UID":
        if (i + 1 < args.size()) {
          edit(args.get(i + 1), true, edits);
        }
        return i + 2;
      case "NOT", "FUZZY":
        return i + 1 < args.size() ? searchKey(args, i + 1, edits) : -1;
      case "OR":
        int second = i + 1 < args.size() ? searchKey(args, i + 1, edits) : -1;
        return second >= 0 && second < args.size() ? searchKey(args, second, edits) : -1;
      default:
        return -1;
    }
  }

  private static String keyword(Node n) {
    return n instanceof Node.Atom || n instanceof Node.Num
        ? Node.text(n).toUpperCase(Locale.ROOT)
        : "";
  }

  private static boolean isSet(String text) {
    if (!text.chars()
        .allMatch(c -> c >= '0' && c <= '9' || c == ':' || c == ',' || c == '*' || c == '$')) {
      return false;
    }
    try {
      SequenceSet.parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  String mapSet(String text, boolean uid) {
    SequenceSet set;
    try {
      set = SequenceSet.parse(text);
    } catch (IllegalArgumentException e) {
      return text;
    }
    if (set.saved()) {
      return text;
    }
    TreeSet<Long> members = new TreeSet<>();
    StringBuilder open = new StringBuilder();
    for (SequenceSet.Range r : set.ranges()) {
      long a = Math.min(r.first(), r.last());
      long b = Math.max(r.first(), r.last());
      if (a == SequenceSet.STAR) {
        open.append(",*");
      } else if (b == SequenceSet.STAR || b - a > EXPAND_LIMIT) {
        open.append(',').append(map(a, uid)).append(':').append(star(b, uid));
      } else {
        for (long n = a; n <= b; n++) {
          members.add(map(n, uid));
        }
      }
    }
    StringBuilder out = new StringBuilder(compress(List.copyOf(members)));
    out.append(out.length() == 0 && open.length() > 0 ? open.substring(1) : open);
    return out.toString();
  }

  private String star(long n, boolean uid) {
    return n == SequenceSet.STAR ? "*" : Long.toString(map(n, uid));
  }

  private long map(long n, boolean uid) {
    if (n == SequenceSet.STAR) {
      return n;
    }
    return uid ? liveUid(n) : liveSeq(n);
  }

  static String compress(List<Long> sorted) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < sorted.size(); ) {
      int j = i;
      while (j + 1 < sorted.size() && sorted.get(j + 1) == sorted.get(j) + 1) {
        j++;
      }
      out.append(out.length() == 0 ? "" : ",").append(sorted.get(i));
      if (j > i) {
        out.append(':').append(sorted.get(j));
      }
      i = j + 1;
    }
    return out.toString();
  }
}
