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
 * {@code expunged-stubs} (issue 7, handler 1): a client that fetches messages the upstream no
 * longer has gets stub data for each of them instead of a NO (or nothing), and an upstream EXPUNGE
 * that RFC 9051 §7.5.1 does not allow at that moment (while answering FETCH, STORE or SEARCH) is
 * held back in a {@link TranslatedView} and told at the next point that allows it, with every
 * sequence number translated meanwhile. Apply it to every frame of the sessions it is for (its
 * rule's {@code when} names clients, not frames).
 */
final class ExpungedStubs implements RuleAction {

  private static final Pattern NUMBERED =
      Pattern.compile("^\\* (\\d{1,10}) (EXISTS|EXPUNGE|FETCH)\\b");
  private static final Pattern TAGGED =
      Pattern.compile("^(\\S+) (OK|NO|BAD)(?: \\[([^\\]]*)\\])?(.*)$", Pattern.CASE_INSENSITIVE);
  private static final Set<String> NO_EXPUNGE_WHILE = Set.of("FETCH", "STORE", "SEARCH");

  private final String flagsWhenUnknown;
  private final String envelope;
  private final String bodyStructure;
  private final String internalDate;
  private final long size;
  private final String body;

  private ExpungedStubs(Params p) throws RuleException {
    p.allow("type", "flags", "envelope", "bodyStructure", "internalDate", "size", "body");
    flagsWhenUnknown =
        "(" + String.join(" ", p.has("flags") ? p.strings("flags") : List.of()) + ")";
    envelope = p.string("envelope", "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
    // Dovecot's stub values (imap-fetch.c, client-quirks.md #22) unless the rule says otherwise.
    bodyStructure = p.string("bodyStructure", "(\"text\" \"plain\" NIL NIL NIL \"7bit\" 0 0)");
    internalDate = p.string("internalDate", "01-Jan-1970 00:00:00 +0000");
    size = p.integer("size", 0, Integer.MAX_VALUE, 0);
    body = p.has("body") ? quoted(p.string("body")) : "NIL";
  }

  static RuleAction create(Params p) throws RuleException {
    return new ExpungedStubs(p);
  }

  /** What a FETCH in progress asked for and what the upstream has answered so far. */
  private record Request(
      boolean uid,
      SequenceSet set,
      List<FetchAtt> items,
      Set<Long> answered,
      Set<Long> answeredUids) {}

  /** Per session: the translated view and the FETCH commands in progress, by tag. */
  private static final class State {
    final TranslatedView view = new TranslatedView();
    final Map<String, Request> fetches = new HashMap<>();
  }

  @Override
  public void apply(Frame f, Effect e) {
    if (!(f.session() instanceof ImapSession imap)) {
      return;
    }
    State st = f.session().attachment(State.class, State::new);
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
    if (!verb.equals("FETCH") && (st.view.inSync() || uid)) {
      return;
    }
    ParsedFrame parsed = f.parsed();
    if (!(parsed instanceof ParsedFrame.Command c)) {
      return;
    }
    if (c.view() instanceof CommandView.Fetch fetch) {
      st.fetches.put(
          c.tag(),
          new Request(
              uid, fetch.set(), fetch.items(), new LinkedHashSet<>(), new LinkedHashSet<>()));
      if (!uid && !st.view.inSync()) {
        translateSet(f, e, st, fetch.set(), imap, c.tag());
      }
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
        for (String stub : stubs(r, imap, st)) {
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
    Matcher t = TAGGED.matcher(line);
    if (t.matches() && !line.startsWith("* ")) {
      tagged(f, e, imap, st, t);
    }
  }

  private void expunge(Frame f, Effect e, ImapSession imap, State st, long u) {
    PendingCommand now = last(imap);
    MailboxView m = imap.mailbox();
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
    Request r = st.fetches.remove(tag);
    String command = imap.completed() == null ? "" : imap.completed().name();
    boolean uid = imap.completed() != null && imap.completed().uid();
    if (r != null) {
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
          out.add(stub(r, c, uid, g != null ? g.flags() : m.flags(u)));
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
      out.add(stub(r, c, uid, flags));
    }
    return out;
  }

  private String stub(Request r, long c, long uid, List<String> flags) {
    StringBuilder sb = new StringBuilder("* ").append(c).append(" FETCH (");
    List<String> items = new ArrayList<>();
    boolean uidAsked = r.uid();
    for (FetchAtt a : expand(r.items())) {
      String n = a.name();
      switch (n) {
        case "FLAGS" ->
            items.add(
                "FLAGS "
                    + (flags == null ? flagsWhenUnknown : "(" + String.join(" ", flags) + ")"));
        case "UID" -> uidAsked = true;
        case "ENVELOPE" -> items.add("ENVELOPE " + envelope);
        case "BODYSTRUCTURE", "BODY" -> {
          if (a.section() == null) {
            items.add(n + " " + bodyStructure);
          } else {
            items.add("BODY[" + a.section().text() + "]" + partial(a) + " " + body);
          }
        }
        case "BODY.PEEK" ->
            items.add(
                "BODY["
                    + (a.section() == null ? "" : a.section().text())
                    + "]"
                    + partial(a)
                    + " "
                    + body);
        case "BINARY", "BINARY.PEEK" ->
            items.add("BINARY[" + (a.section() == null ? "" : a.section().text()) + "] " + body);
        case "RFC822.SIZE" -> items.add("RFC822.SIZE " + size);
        case "INTERNALDATE" -> items.add("INTERNALDATE \"" + internalDate + "\"");
        case "RFC822", "RFC822.HEADER", "RFC822.TEXT" -> items.add(n + " " + body);
        default -> {}
      }
    }
    if (uidAsked && uid > 0) {
      items.add(0, "UID " + uid);
    }
    return sb.append(String.join(" ", items)).append(')').toString();
  }

  private static String partial(FetchAtt a) {
    return a.partial() == null ? "" : "<" + a.partial().origin() + ">";
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** FETCH macros as their items (RFC 9051 §6.4.5). */
  private static List<FetchAtt> expand(List<FetchAtt> items) {
    List<FetchAtt> out = new ArrayList<>();
    for (FetchAtt a : items) {
      List<String> names =
          switch (a.name()) {
            case "ALL" -> List.of("FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE");
            case "FAST" -> List.of("FLAGS", "INTERNALDATE", "RFC822.SIZE");
            case "FULL" -> List.of("FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY");
            default -> null;
          };
      if (names == null) {
        out.add(a);
      } else {
        names.forEach(n -> out.add(new FetchAtt(n, null, null, null)));
      }
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

  private static long exists(ImapSession imap) {
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
