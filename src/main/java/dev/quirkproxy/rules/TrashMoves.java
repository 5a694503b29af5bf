package dev.quirkproxy.rules;

import dev.quirkproxy.codec.imap.parse.CommandView;
import dev.quirkproxy.codec.imap.parse.ParsedFrame;
import dev.quirkproxy.codec.imap.parse.SequenceSet;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.MailboxView;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The commands of {@code delete-to-trash} and {@code move-detection} (issue 7, handlers 3 and 4): a
 * STORE of {@code \\Deleted} outside Trash sent upstream as a move to Trash, unless the messages
 * were just COPYed (then it is the end of a move), and the COPYs and refreshes that decide it. The
 * responses are handled by {@link MailboxViewHandler}, over the same per-session state.
 */
final class TrashMoves {

  private TrashMoves() {}

  static boolean refreshes(MailboxViewHandler.State st, String name, Frame f) {
    if (st.refresh == null) {
      return false;
    }
    if (name.equals("FETCH") || name.equals("UID FETCH")) {
      return st.refresh.contains(name + " FLAGS")
          && f.firstLine().toUpperCase(Locale.ROOT).contains("FLAGS");
    }
    return st.refresh.contains(name);
  }

  /** Move detection: the source messages of a COPY, as UIDs. */
  static void rememberCopy(
      MailboxViewHandler.State st, ImapSession imap, CommandView.Copy copy, boolean uid) {
    if (uid) {
      st.copiedUidSets.add(copy.set());
      return;
    }
    MailboxView m = imap.mailbox();
    long clientExists = MailboxViewHandler.exists(imap) + st.view.extra();
    for (long c = 1; c <= clientExists && m != null; c++) {
      if (copy.set().contains(c, clientExists)) {
        // The client's numbers hold until a refresh; the UID, where known, for UID STOREs.
        st.copiedSeqs.add(c);
        long u = st.view.toUpstream(c);
        long id = u > 0 ? m.uid(u) : 0;
        if (id > 0) {
          st.copiedUids.add(id);
        }
      }
    }
  }

  /**
   * Move detection on an upstream with MOVE (RFC 6851): a COPY within the selected mailbox is held
   * and answered OK, so that a delete of the same messages right after can go as one {@code UID
   * MOVE} (see {@link #heldCopyEnds}). Held only when every message's UID is known and the target
   * is on the command line (no literal). Returns true when held.
   */
  static boolean holdCopy(
      Frame f,
      Effect e,
      ImapSession imap,
      MailboxViewHandler.State st,
      String tag,
      CommandView.Copy copy,
      boolean uid) {
    String line = f.firstLine();
    if (!imap.hasCapability("MOVE") || imap.mailbox() == null || line.endsWith("}")) {
      return false;
    }
    java.util.SortedSet<Long> uids = uids(imap, st, copy.set(), uid);
    int at = line.indexOf(' ' + copy.set().text() + ' ');
    if (uids == null || uids.isEmpty() || at < 0) {
      return false;
    }
    String target = line.substring(at + copy.set().text().length() + 2);
    st.held = new MailboxViewHandler.HeldCopy(tag, uids, target);
    e.answer(
        tag
            + " OK "
            + (uid ? "UID " : "")
            + "COPY completed (quirkproxy: held, sent as a MOVE if these messages are deleted next)");
    return true;
  }

  /**
   * The client's next command after a held COPY: a {@code STORE +FLAGS (\Deleted)} of exactly the
   * copied messages goes upstream as {@code UID MOVE} and is answered as the STORE (the client sees
   * the messages flagged until its EXPUNGE, through the translated view); any other command has the
   * COPY sent before it, under the proxy's tag. Returns true when the command became the MOVE.
   */
  static boolean heldCopyEnds(Frame f, Effect e, ImapSession imap, MailboxViewHandler.State st) {
    MailboxViewHandler.HeldCopy held = st.held;
    st.held = null;
    String uidList = joined(held.uids());
    if (f.parsed() instanceof ParsedFrame.Command c
        && c.view() instanceof CommandView.Store store
        && isDeletedFlag(store)) {
      boolean uid = c.uid();
      if (held.uids().equals(uids(imap, st, store.set(), uid))) {
        String target = held.target();
        st.moves.put(
            c.tag(),
            new MailboxViewHandler.Move(
                store.silent(),
                uid,
                new ArrayList<>(),
                target.startsWith("\"") ? target.substring(1, target.length() - 1) : target));
        e.replaceFrame(c.tag() + " UID MOVE " + uidList + " " + target, true);
        return true;
      }
    }
    st.lateCopies.add(held.tag() + "-qp0");
    e.injectBefore(List.of(held.tag() + "-qp0 UID COPY " + uidList + " " + held.target()));
    return false;
  }

  private static boolean isDeletedFlag(CommandView.Store store) {
    return store.sign() == '+'
        && store.flags().size() == 1
        && store.flags().get(0).equalsIgnoreCase("\\Deleted");
  }

  /**
   * The upstream UIDs a client's set names (sequence numbers in the client's numbering), or null
   * when a message's UID is unknown.
   */
  private static java.util.SortedSet<Long> uids(
      ImapSession imap, MailboxViewHandler.State st, SequenceSet set, boolean uid) {
    MailboxView m = imap.mailbox();
    java.util.SortedSet<Long> out = new java.util.TreeSet<>();
    if (m == null) {
      return null;
    }
    long clientExists = m.exists() + st.view.extra();
    for (long c = 1; c <= clientExists; c++) {
      long u = st.view.toUpstream(c);
      long id = u > 0 ? m.uid(u) : 0;
      boolean named =
          uid ? id > 0 && set.contains(id, Long.MAX_VALUE) : set.contains(c, clientExists);
      if (uid ? id == 0 && u > 0 : named && id == 0) {
        // A UID not seen yet: which messages the set names is not known.
        return null;
      }
      if (named) {
        out.add(id);
      }
    }
    return out;
  }

  private static String joined(java.util.Collection<Long> uids) {
    StringBuilder b = new StringBuilder();
    for (long u : uids) {
      b.append(b.length() == 0 ? "" : ",").append(u);
    }
    return b.toString();
  }

  static boolean copied(MailboxViewHandler.State st, long uid) {
    if (st.copiedUids.contains(uid)) {
      return true;
    }
    for (SequenceSet s : st.copiedUidSets) {
      if (s.contains(uid, Long.MAX_VALUE)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Delete-to-Trash: {@code STORE +FLAGS[.SILENT] (\Deleted)} outside Trash goes upstream as a MOVE
   * of the same messages to Trash (when the upstream has MOVE, RFC 6851). Messages the client
   * COPYed just before (move detection) are left to their delete. Returns true when it acted.
   */
  static boolean toTrash(
      Frame f,
      Effect e,
      ImapSession imap,
      MailboxViewHandler.State st,
      String tag,
      CommandView.Store store,
      boolean uid) {
    MailboxView m = imap.mailbox();
    if (m == null
        || store.sign() != '+'
        || !store.item().toUpperCase(Locale.ROOT).startsWith("+FLAGS")
        || store.flags().size() != 1
        || !store.flags().get(0).equalsIgnoreCase("\\Deleted")
        || m.decodedName().equalsIgnoreCase(st.trash)
        || m.name().equalsIgnoreCase(st.trash)
        || imap.capabilities().isEmpty()) {
      // Nothing known of the upstream (no [CAPABILITY], no CAPABILITY asked): leave it alone.
      return false;
    }
    long clientExists = m.exists() + st.view.extra();
    if (st.refresh != null
        && (!st.copiedUids.isEmpty() || !st.copiedUidSets.isEmpty() || !st.copiedSeqs.isEmpty())) {
      // Move detection: deleting what was just copied finishes a move; no copy goes to Trash.
      boolean all = true;
      for (long c = 1; c <= clientExists; c++) {
        boolean named = uid ? false : store.set().contains(c, clientExists);
        long u = st.view.toUpstream(c);
        long id = u > 0 ? m.uid(u) : 0;
        if (uid && id > 0) {
          named = store.set().contains(id, Long.MAX_VALUE);
        }
        if (named && !(id > 0 && copied(st, id)) && !(!uid && st.copiedSeqs.contains(c))) {
          all = false;
        }
      }
      if (all) {
        return false;
      }
    }
    String target = "\"" + st.trash.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    if (!imap.hasCapability("MOVE")) {
      return copyStoreExpunge(
          e, st, m, tag, store, uid, clientExists, target, imap.hasCapability("UIDPLUS"));
    }
    String set = uid ? store.set().text() : st.view.toUpstream(store.set(), clientExists);
    if (set == null) {
      return false;
    }
    st.moves.put(
        tag, new MailboxViewHandler.Move(store.silent(), uid, new ArrayList<>(), st.trash));
    e.replaceFrame(tag + (uid ? " UID MOVE " : " MOVE ") + set + " " + target, true);
    return true;
  }

  /**
   * Delete-to-Trash on an upstream without MOVE. With UIDPLUS (RFC 4315): {@code UID COPY} to
   * Trash, {@code UID STORE +FLAGS.SILENT (\Deleted)}, then {@code UID EXPUNGE} of exactly those
   * UIDs. Without it: the same with a plain {@code EXPUNGE}, the {@code \Deleted} flag of every
   * other message taken off before and put back after, so no other message is expunged (this needs
   * the flags of every message, from the client's earlier FETCHes; else the STORE goes on
   * unchanged). The proxy's commands go under its own tags and their answers are not shown; the
   * client's tag answers the expunge. Needs the UIDs: a STORE by sequence number whose messages'
   * UIDs the tracker has not seen goes on unchanged.
   */
  static boolean copyStoreExpunge(
      Effect e,
      MailboxViewHandler.State st,
      MailboxView m,
      String tag,
      CommandView.Store store,
      boolean uid,
      long clientExists,
      String target,
      boolean uidplus) {
    String uids;
    if (uid) {
      uids = store.set().text();
    } else {
      List<String> known = new ArrayList<>();
      for (long c = 1; c <= clientExists; c++) {
        if (!store.set().contains(c, clientExists)) {
          continue;
        }
        long u = st.view.toUpstream(c);
        long id = u > 0 ? m.uid(u) : 0;
        if (id == 0) {
          return false;
        }
        known.add(Long.toString(id));
      }
      if (known.isEmpty()) {
        return false;
      }
      uids = String.join(",", known);
    }
    java.util.Set<String> listed = java.util.Set.of(uids.split(","));
    java.util.function.LongPredicate moving =
        uid
            ? id -> store.set().contains(id, Long.MAX_VALUE)
            : id -> listed.contains(Long.toString(id));
    String others = uidplus ? "" : otherDeleted(m, moving);
    if (others == null) {
      return false;
    }
    st.moves.put(
        tag, new MailboxViewHandler.Move(store.silent(), uid, new ArrayList<>(), st.trash));
    List<String> before = new ArrayList<>();
    before.add(tag + "-qp1 UID COPY " + uids + " " + target);
    if (!others.isEmpty()) {
      before.add(tag + "-qp2 UID STORE " + others + " -FLAGS.SILENT (\\Deleted)");
    }
    before.add(tag + "-qp3 UID STORE " + uids + " +FLAGS.SILENT (\\Deleted)");
    before.forEach(l -> st.proxyTags.add(l.substring(0, l.indexOf(' '))));
    e.injectBefore(before);
    e.replaceFrame(tag + (uidplus ? " UID EXPUNGE " + uids : " EXPUNGE"), true);
    if (!others.isEmpty()) {
      st.proxyTags.add(tag + "-qp4");
      e.injectAfter(List.of(tag + "-qp4 UID STORE " + others + " +FLAGS.SILENT (\\Deleted)"));
    }
    return true;
  }

  /**
   * The UIDs of the messages not {@code moving} flagged {@code \Deleted} ("" when none), or null
   * when the tracker has not seen every message's UID and flags.
   */
  private static String otherDeleted(MailboxView m, java.util.function.LongPredicate moving) {
    List<String> others = new ArrayList<>();
    for (long seq = 1; seq <= m.exists(); seq++) {
      long id = m.uid(seq);
      List<String> flags = m.flags(seq);
      if (id == 0 || flags == null) {
        return null;
      }
      if (!moving.test(id) && flags.stream().anyMatch(f -> f.equalsIgnoreCase("\\Deleted"))) {
        others.add(Long.toString(id));
      }
    }
    return String.join(",", others);
  }
}
