package dev.quirkproxy.rules;

import dev.quirkproxy.codec.imap.parse.CommandView;
import dev.quirkproxy.codec.imap.parse.FetchAtt;
import dev.quirkproxy.codec.imap.parse.ParsedFrame;
import dev.quirkproxy.codec.imap.parse.SequenceSet;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.MailboxView;
import dev.quirkproxy.session.PendingCommand;
import dev.quirkproxy.session.Session;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The handlers that make the client's view of the selected mailbox differ from the upstream's for a
 * while, over one {@link TranslatedView} per session (issue 7):
 *
 * <ul>
 *   <li>{@code expunged-stubs}: a client that fetches messages the upstream no longer has gets stub
 *       data for each of them instead of a NO (or nothing), and an upstream EXPUNGE that RFC 9051
 *       §7.5.1 does not allow at that moment (while answering FETCH, STORE or SEARCH) is held back
 *       and told at the next point that allows it;
 *   <li>{@code delete-to-trash}: setting {@code \Deleted} outside Trash moves the messages to Trash
 *       (UID MOVE / MOVE) while the client sees them flagged {@code \Deleted} until its EXPUNGE;
 *   <li>{@code move-detection}: messages COPYed and then deleted and expunged with no refresh in
 *       between were moved, not deleted: they do not go to Trash.
 * </ul>
 *
 * <p>Sequence numbers are translated both ways while the views differ. Each action adds its feature
 * to the session's handler; the handler runs once per frame however many of its rules match. Apply
 * them to every frame of the sessions they are for (their rules' {@code when} names clients, not
 * frames).
 */
final class MailboxViewHandler implements RuleAction {

  private static final Pattern NUMBERED =
      Pattern.compile("^\\* (\\d{1,10}) (EXISTS|EXPUNGE|FETCH)\\b");
  private static final Pattern TAGGED =
      Pattern.compile("^(\\S+) (OK|NO|BAD)(?: \\[([^\\]]*)\\])?(.*)$", Pattern.CASE_INSENSITIVE);
  private static final Set<String> NO_EXPUNGE_WHILE = Set.of("FETCH", "STORE", "SEARCH");

  private final boolean stubsOn;
  private final String trash;
  private final Set<String> refresh;
  private final boolean asMove;
  private final StubFetch stubFetch;

  private MailboxViewHandler(Params p, String feature) throws RuleException {
    stubsOn = feature.equals("stubs");
    if (feature.equals("trash")) {
      p.allow("type", "trash");
      trash = p.string("trash", "Trash");
    } else {
      trash = null;
    }
    if (feature.equals("moves")) {
      p.allow("type", "refresh", "asMove");
      asMove = p.bool("asMove", true);
      refresh =
          new java.util.HashSet<>(
              p.has("refresh")
                  ? p.strings("refresh").stream().map(r -> r.toUpperCase(Locale.ROOT)).toList()
                  : List.of("NOOP", "SELECT", "EXAMINE", "FETCH FLAGS", "UID FETCH FLAGS"));
    } else {
      refresh = null;
      asMove = false;
    }
    stubFetch = stubsOn ? new StubFetch(p) : null;
  }

  static RuleAction stubs(Params p) throws RuleException {
    return new MailboxViewHandler(p, "stubs");
  }

  static RuleAction deleteToTrash(Params p) throws RuleException {
    return new MailboxViewHandler(p, "trash");
  }

  static RuleAction moveDetection(Params p) throws RuleException {
    return new MailboxViewHandler(p, "moves");
  }

  /**
   * A STORE +FLAGS (\Deleted) sent upstream as a MOVE to Trash.
   *
   * @param silent the client asked for no FETCH answer
   * @param uid the client used UID STORE
   * @param moved client sequence number, UID and flags of each message moved, as they go
   * @param target the mailbox they go to, for the answer's text
   */
  record Move(boolean silent, boolean uid, List<TranslatedView.Ghost> moved, String target) {}

  /**
   * A COPY the proxy answered without sending (move detection on an upstream with MOVE): sent as a
   * UID MOVE if the client's next command deletes exactly these messages, else as the COPY.
   *
   * @param tag the client's tag
   * @param uids the UIDs copied, in the upstream's numbering
   * @param target the target mailbox as the client wrote it
   */
  record HeldCopy(String tag, java.util.SortedSet<Long> uids, String target) {}

  /** What a FETCH in progress asked for and what the upstream has answered so far. */
  private record Request(
      boolean uid,
      SequenceSet set,
      List<FetchAtt> items,
      Set<Long> answered,
      Set<Long> answeredUids) {}

  /**
   * Per session: the features its rules turned on, the translated view, the FETCHes and moves in
   * progress by tag, and the messages COPYed since the last refresh (move detection).
   */
  static final class State {
    MailboxViewHandler stubs;
    String trash;
    Set<String> refresh;
    boolean asMove;
    HeldCopy held;

    /** Tags of held COPYs sent late: their answers are not the client's, but a failure is told. */
    final Set<String> lateCopies = new java.util.HashSet<>();

    Frame last;
    final TranslatedView view = new TranslatedView();
    final Map<String, Request> fetches = new HashMap<>();
    final Map<String, Move> moves = new HashMap<>();
    final Set<String> proxyTags = new java.util.HashSet<>();
    final List<SequenceSet> copiedUidSets = new ArrayList<>();
    final Set<Long> copiedUids = new java.util.HashSet<>();
    final Set<Long> copiedSeqs = new java.util.HashSet<>();
  }

  @Override
  public void apply(Frame f, Effect e) {
    if (!(f.session() instanceof ImapSession imap)) {
      return;
    }
    State st = f.session().attachment(State.class, State::new);
    if (stubsOn && st.stubs == null) {
      st.stubs = this;
    }
    if (trash != null) {
      st.trash = trash;
    }
    if (refresh != null) {
      st.refresh = refresh;
      st.asMove = asMove;
    }
    if (st.last == f) {
      // Another of this session's handler rules has dealt with the frame already.
      return;
    }
    st.last = f;
    if (f.fromClient()) {
      command(f, e, imap, st);
    } else {
      response(f, e, imap, st);
    }
  }

  // ---- client → upstream

  private void command(Frame f, Effect e, ImapSession imap, State st) {
    String name = f.commandName();
    boolean uid = name.startsWith("UID ");
    String verb = uid ? name.substring(4) : name;
    if (st.held != null && TrashMoves.heldCopyEnds(f, e, imap, st)) {
      return;
    }
    boolean moveWork =
        (st.trash != null && verb.equals("STORE"))
            || (st.refresh != null && (verb.equals("COPY") || TrashMoves.refreshes(st, name, f)));
    if (!verb.equals("FETCH") && !moveWork && (st.view.inSync() || uid)) {
      return;
    }
    ParsedFrame parsed = f.parsed();
    if (!(parsed instanceof ParsedFrame.Command c)) {
      return;
    }
    if (st.refresh != null && TrashMoves.refreshes(st, name, f)) {
      // The client looked at the listing again: a later delete is a delete, not part of a move.
      st.copiedUidSets.clear();
      st.copiedUids.clear();
      st.copiedSeqs.clear();
    }
    if (st.refresh != null && c.view() instanceof CommandView.Copy copy && !copy.move()) {
      TrashMoves.rememberCopy(st, imap, copy, uid);
      if (st.asMove && TrashMoves.holdCopy(f, e, imap, st, c.tag(), copy, uid)) {
        return;
      }
    }
    if (st.trash != null
        && c.view() instanceof CommandView.Store store
        && TrashMoves.toTrash(f, e, imap, st, c.tag(), store, uid)) {
      return;
    }
    if (c.view() instanceof CommandView.Fetch fetch && st.stubs != null) {
      st.fetches.put(
          c.tag(),
          new Request(
              uid, fetch.set(), fetch.items(), new LinkedHashSet<>(), new LinkedHashSet<>()));
      if (!uid && !st.view.inSync()) {
        translateSet(f, e, st, fetch.set(), imap, c.tag());
      }
    } else if (c.view() instanceof CommandView.Fetch fetch && !uid && !st.view.inSync()) {
      translateSet(f, e, st, fetch.set(), imap, c.tag());
    } else if (!uid && c.view() instanceof CommandView.Store store) {
      translateSet(f, e, st, store.set(), imap, c.tag());
    } else if (!uid && c.view() instanceof CommandView.Copy copy) {
      translateSet(f, e, st, copy.set(), imap, c.tag());
    }
  }

  /** Rewrites the command's sequence set in upstream numbers, or answers it when only ghosts. */
  private void translateSet(
      Frame f, Effect e, State st, SequenceSet set, ImapSession imap, String tag) {
    long clientExists = exists(imap) + st.view.extra();
    String upstream = st.view.toUpstream(set, clientExists);
    if (upstream == null) {
      // Only messages the upstream no longer has: the proxy answers (stubs follow for a FETCH).
      Request r = st.fetches.remove(tag);
      if (r != null) {
        for (String stub : st.stubs == null ? List.<String>of() : stubs(r, imap, st)) {
          e.answer(stub);
        }
      }
      e.answer(tag + " OK " + f.commandName() + " completed (quirkproxy: expunged messages)");
      return;
    }
    String original = set.text();
    e.editText(
        t -> {
          int at = t.indexOf(" " + original);
          return at < 0 || !t.startsWith(tag + " ")
              ? t
              : t.substring(0, at + 1) + upstream + t.substring(at + 1 + original.length());
        });
  }

  // ---- upstream → client

  private void response(Frame f, Effect e, ImapSession imap, State st) {
    String line = f.firstLine();
    Matcher m = NUMBERED.matcher(line);
    if (m.find()) {
      long n = Long.parseLong(m.group(1));
      switch (m.group(2).toUpperCase(Locale.ROOT)) {
        case "EXPUNGE" -> expunge(f, e, imap, st, n);
        case "EXISTS" -> {
          if (!st.view.inSync()) {
            renumber(e, n, n + st.view.extra());
          }
        }
        default -> fetched(f, e, st, n);
      }
      return;
    }
    if (!st.view.inSync() && line.regionMatches(true, 0, "* SEARCH", 0, 8)) {
      PendingCommand now = last(imap);
      if (now != null && !now.uid()) {
        // Sequence numbers found by a plain SEARCH are the upstream's: the client's are others.
        e.editText(t -> searchInClientNumbers(t, st));
      }
      return;
    }
    Matcher t = TAGGED.matcher(line);
    if (t.matches() && !line.startsWith("* ")) {
      tagged(f, e, imap, st, t);
    }
  }

  /** {@code * SEARCH 2 5 (MODSEQ 9)} with each number in the client's numbering. */
  private static String searchInClientNumbers(String text, State st) {
    int end = text.indexOf('\r') >= 0 ? text.indexOf('\r') : text.indexOf('\n');
    String line = end < 0 ? text : text.substring(0, end);
    StringBuilder out = new StringBuilder("* SEARCH");
    String[] words = line.substring(8).trim().split(" ");
    for (int i = 0; i < words.length; i++) {
      String w = words[i];
      if (w.startsWith("(")) {
        // A MODSEQ item (RFC 7162) ends the list of numbers.
        out.append(' ')
            .append(String.join(" ", java.util.Arrays.copyOfRange(words, i, words.length)));
        break;
      }
      if (!w.isEmpty()) {
        out.append(' ')
            .append(
                w.matches("\\d{1,10}") ? Long.toString(st.view.toClient(Long.parseLong(w))) : w);
      }
    }
    return out + (end < 0 ? "" : text.substring(end));
  }

  private void expunge(Frame f, Effect e, ImapSession imap, State st, long u) {
    // The client's own command: a STORE \\Deleted the proxy turned into an expunge may have the
    // proxy's flag restoring STORE pipelined after it.
    PendingCommand now = null;
    for (PendingCommand c : imap.pending().values()) {
      if (!st.proxyTags.contains(c.tag())) {
        now = c;
      }
    }
    MailboxView m = imap.mailbox();
    Move move = now == null ? null : st.moves.get(now.tag());
    if (move != null) {
      // A message moved to Trash for a STORE \Deleted: the client still sees it, flagged.
      List<String> flags = new ArrayList<>();
      List<String> had = m == null ? null : m.lastExpungedFlags();
      if (had != null) {
        flags.addAll(had);
      }
      if (flags.stream().noneMatch(x -> x.equalsIgnoreCase("\\Deleted"))) {
        flags.add("\\Deleted");
      }
      long uidMoved = m == null ? 0 : m.lastExpungedUid();
      long c = st.view.hide(u, uidMoved, flags);
      move.moved().add(new TranslatedView.Ghost(c, uidMoved, flags));
      e.drop();
      return;
    }
    if (now != null && !now.uid() && NO_EXPUNGE_WHILE.contains(now.name())) {
      st.view.hide(
          u, m == null ? 0 : m.lastExpungedUid(), m == null ? null : m.lastExpungedFlags());
      e.drop();
      return;
    }
    if (!st.view.inSync()) {
      List<String> told = released(st);
      e.injectBefore(told);
      // After the release the views agree: the upstream's number is the client's.
    }
  }

  private void fetched(Frame f, Effect e, State st, long u) {
    long c = st.view.toClient(u);
    if (c != u) {
      renumber(e, u, c);
    }
    long uid = uidOf(f);
    for (Request r : st.fetches.values()) {
      r.answered().add(c);
      r.answeredUids().add(uid);
    }
  }

  private static long uidOf(Frame f) {
    Matcher m = Pattern.compile("\\bUID (\\d{1,10})").matcher(f.firstLine());
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  private void tagged(Frame f, Effect e, ImapSession imap, State st, Matcher t) {
    String tag = t.group(1);
    if (st.lateCopies.remove(tag)) {
      if (t.group(2).equalsIgnoreCase("OK")) {
        e.drop();
      } else {
        // The client was told OK when the COPY was held: the failure reaches it as a warning.
        e.replaceFrame(
            "* NO [ALERT] quirkproxy: the COPY answered OK earlier failed on the server:"
                + t.group(4),
            false);
      }
      return;
    }
    if (st.proxyTags.remove(tag)) {
      // The answer to a command the proxy sent on its own: the client never asked.
      e.drop();
      return;
    }
    Move move = st.moves.remove(tag);
    if (move != null) {
      if (t.group(2).equalsIgnoreCase("OK")) {
        List<String> lines = new ArrayList<>();
        for (TranslatedView.Ghost g : move.moved()) {
          if (!move.silent() && g.seq() > 0) {
            lines.add(
                "* "
                    + g.seq()
                    + " FETCH ("
                    + (move.uid() && g.uid() > 0 ? "UID " + g.uid() + " " : "")
                    + "FLAGS ("
                    + String.join(" ", g.flags())
                    + "))");
          }
        }
        e.injectBefore(lines);
        e.replaceFrame(
            tag
                + " OK "
                + (move.uid() ? "UID " : "")
                + "STORE completed (quirkproxy: moved to "
                + move.target()
                + ")",
            false);
      }
      return;
    }
    String done = imap.completed() == null ? "" : imap.completed().name();
    if (t.group(2).equalsIgnoreCase("OK")
        && (done.equals("SELECT")
            || done.equals("EXAMINE")
            || done.equals("CLOSE")
            || done.equals("UNSELECT"))) {
      // A new mailbox, or none: the client knows nothing of the old one any more.
      st.view.release();
      st.copiedUids.clear();
      st.copiedUidSets.clear();
      st.copiedSeqs.clear();
    }
    Request r = st.fetches.remove(tag);
    String command = imap.completed() == null ? "" : imap.completed().name();
    boolean uid = imap.completed() != null && imap.completed().uid();
    if (r != null && st.stubs != null) {
      List<String> stubs = stubs(r, imap, st);
      String status = t.group(2).toUpperCase(Locale.ROOT);
      String code = t.group(3) == null ? "" : t.group(3).toUpperCase(Locale.ROOT);
      if (!stubs.isEmpty() || status.equals("NO") || code.startsWith("EXPUNGEISSUED")) {
        e.injectBefore(stubs);
        if (!status.equals("BAD")) {
          e.replaceFrame(
              tag
                  + " OK "
                  + (uid ? "UID " : "")
                  + "FETCH completed (quirkproxy: stubs for expunged messages)",
              false);
        }
      }
    }
    if (!st.view.inSync() && (uid || !NO_EXPUNGE_WHILE.contains(command))) {
      // A point where EXPUNGE is allowed: the client learns of every held-back expunge.
      e.injectBefore(released(st));
    }
  }

  /** Stub FETCH responses for every requested message the view knows and the upstream left out. */
  private List<String> stubs(Request r, ImapSession imap, State st) {
    List<String> out = new ArrayList<>();
    MailboxView m = imap.mailbox();
    long clientExists = exists(imap) + st.view.extra();
    if (r.uid()) {
      Set<Long> known = new java.util.TreeSet<>();
      for (TranslatedView.Ghost g : st.view.ghosts()) {
        known.add(g.uid());
      }
      if (m != null) {
        for (long u : m.uidMap()) {
          known.add(u);
        }
      }
      for (long uid : known) {
        if (uid == 0 || r.answeredUids().contains(uid) || !r.set().contains(uid, Long.MAX_VALUE)) {
          continue;
        }
        TranslatedView.Ghost g = st.view.ghostWithUid(uid);
        long u = g != null || m == null ? 0 : m.seq(uid);
        long c = g != null ? g.seq() : u > 0 ? st.view.toClient(u) : 0;
        if (c > 0 && !r.answered().contains(c)) {
          out.add(
              st.stubs.stubFetch.render(
                  r.uid(), r.items(), c, uid, g != null ? g.flags() : m.flags(u)));
        }
      }
      return out;
    }
    for (long c = 1; c <= clientExists; c++) {
      if (!r.set().contains(c, clientExists) || r.answered().contains(c)) {
        continue;
      }
      TranslatedView.Ghost g = st.view.ghostAt(c);
      long u = st.view.toUpstream(c);
      long uid = g != null ? g.uid() : m == null ? 0 : m.uid(u);
      List<String> flags = g != null ? g.flags() : m == null ? null : m.flags(u);
      out.add(st.stubs.stubFetch.render(r.uid(), r.items(), c, uid, flags));
    }
    return out;
  }

  private static List<String> released(State st) {
    List<String> out = new ArrayList<>();
    for (long c : st.view.release()) {
      out.add("* " + c + " EXPUNGE");
    }
    return out;
  }

  private static void renumber(Effect e, long from, long to) {
    e.editText(t -> t.replaceFirst("^\\* " + from + " ", "* " + to + " "));
  }

  static long exists(ImapSession imap) {
    MailboxView m = imap.mailbox();
    return m == null ? 0 : m.exists();
  }

  private static PendingCommand last(Session s) {
    PendingCommand last = null;
    for (PendingCommand c : ((ImapSession) s).pending().values()) {
      last = c;
    }
    return last;
  }
}
