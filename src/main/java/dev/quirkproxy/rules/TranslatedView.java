package dev.quirkproxy.rules;

import dev.quirkproxy.codec.imap.parse.SequenceSet;
import java.util.ArrayList;
import java.util.List;

/**
 * The client's view of the selected mailbox next to the upstream's, while they differ: messages the
 * upstream has expunged but the client has not been told of yet ("ghosts", RFC 9051 §7.5.1 forbids
 * an EXPUNGE while answering FETCH, STORE or SEARCH). The client's sequence numbers are the
 * upstream's with the ghosts still in place; every sequence number in a command or a response is
 * translated between the two until the ghosts are released as EXPUNGE responses at a point where
 * they are allowed, and the views agree again.
 *
 * <p>Ghosts are kept as client sequence numbers in ascending order, with the UID and flags the
 * message had (for stub answers). Per session, on its event loop.
 */
final class TranslatedView {

  /** A message the client still sees and the upstream no longer has. */
  record Ghost(long seq, long uid, List<String> flags) {}

  private final List<Ghost> ghosts = new ArrayList<>();

  boolean inSync() {
    return ghosts.isEmpty();
  }

  List<Ghost> ghosts() {
    return List.copyOf(ghosts);
  }

  /** How many more messages the client sees than the upstream has. */
  int extra() {
    return ghosts.size();
  }

  /** The ghost at client sequence number {@code c}, or null. */
  Ghost ghostAt(long c) {
    for (Ghost g : ghosts) {
      if (g.seq() == c) {
        return g;
      }
      if (g.seq() > c) {
        break;
      }
    }
    return null;
  }

  /** The ghost with this UID, or null. */
  Ghost ghostWithUid(long uid) {
    for (Ghost g : ghosts) {
      if (uid != 0 && g.uid() == uid) {
        return g;
      }
    }
    return null;
  }

  /** The upstream sequence number of client message {@code c}, or 0 when it is a ghost. */
  long toUpstream(long c) {
    long before = 0;
    for (Ghost g : ghosts) {
      if (g.seq() == c) {
        return 0;
      }
      if (g.seq() > c) {
        break;
      }
      before++;
    }
    return c - before;
  }

  /** The client sequence number of upstream message {@code u}. */
  long toClient(long u) {
    long c = u;
    for (Ghost g : ghosts) {
      if (g.seq() <= c) {
        c++;
      } else {
        break;
      }
    }
    return c;
  }

  /**
   * The upstream expunged its message {@code u}, and the client must not be told now: it stays in
   * the client's view as a ghost; returns its client sequence number.
   */
  long hide(long u, long uid, List<String> flags) {
    long c = toClient(u);
    int at = 0;
    while (at < ghosts.size() && ghosts.get(at).seq() < c) {
      at++;
    }
    ghosts.add(at, new Ghost(c, uid, flags == null ? List.of() : List.copyOf(flags)));
    return c;
  }

  /**
   * The upstream expunged its message {@code u} and the client is told now: returns the client
   * sequence number to announce; later ghosts move down by one.
   */
  long expungeNow(long u) {
    long c = toClient(u);
    for (int i = 0; i < ghosts.size(); i++) {
      Ghost g = ghosts.get(i);
      if (g.seq() > c) {
        ghosts.set(i, new Ghost(g.seq() - 1, g.uid(), g.flags()));
      }
    }
    return c;
  }

  /**
   * The EXPUNGE responses that tell the client of every ghost, highest first (so each number is
   * right when it arrives); the views agree afterwards.
   */
  List<Long> release() {
    List<Long> out = new ArrayList<>();
    for (int i = ghosts.size() - 1; i >= 0; i--) {
      out.add(ghosts.get(i).seq());
    }
    ghosts.clear();
    return out;
  }

  /**
   * A client sequence set in upstream numbers ({@code *} stays {@code *}); ghosts drop out. Null
   * when nothing but ghosts is left.
   */
  String toUpstream(SequenceSet set, long clientExists) {
    StringBuilder out = new StringBuilder();
    for (SequenceSet.Range r : set.ranges()) {
      boolean openEnd = r.first() == SequenceSet.STAR || r.last() == SequenceSet.STAR;
      long a = Math.min(r.first(), r.last());
      long b = openEnd ? clientExists : Math.max(r.first(), r.last());
      if (r.first() == SequenceSet.STAR && r.last() == SequenceSet.STAR) {
        a = clientExists;
      }
      // The first and last non-ghost messages in a..b.
      while (a <= b && ghostAt(a) != null) {
        a++;
      }
      while (b >= a && ghostAt(b) != null) {
        b--;
      }
      if (a > b) {
        continue;
      }
      String from = Long.toString(toUpstream(a));
      String to = openEnd ? "*" : Long.toString(toUpstream(b));
      out.append(out.length() == 0 ? "" : ",").append(from.equals(to) ? from : from + ":" + to);
    }
    return out.length() == 0 ? null : out.toString();
  }
}
