package dev.quirkproxy.session;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The selected mailbox as the traffic has shown it (RFC 9051 §7.3, RFC 7162 §3.2.10): its name,
 * UIDVALIDITY, UIDNEXT, flags, the message count, and for each sequence number the UID and flags
 * where a FETCH or a UID SEARCH told them. Unknown entries stay unknown rather than guessed: {@link
 * #uid(long)} answers 0 for them.
 *
 * <p>Memory grows only with what the traffic names: a session that never fetches holds no
 * per-message arrays, however large {@link #exists()} is, and at most {@value #MAX_TRACKED}
 * messages are tracked. Confined to the session's event loop; read-only outside this package.
 */
public final class MailboxView {

  /** The most messages whose UID and flags are kept; beyond it the view stops learning. */
  public static final int MAX_TRACKED = 1_000_000;

  private final String name;
  private final String decoded;
  private final boolean examined;
  private long uidValidity;
  private long uidNext;
  private long highestModSeq;
  private boolean readOnly;
  private List<String> flags = List.of();
  private List<String> permanentFlags = List.of();
  private long exists;
  private long recent;

  /** UIDs by sequence number - 1 (unsigned 32-bit, 0 = unknown); {@code known} entries in use. */
  private int[] uids = new int[0];

  private List<?>[] messageFlags = new List<?>[0];
  private int known;
  private boolean overflowed;
  private long lastExpungedUid;
  private List<String> lastExpungedFlags;

  /** One shared list per distinct flag set, so 100,000 "\Seen" messages hold one list. */
  private final Map<List<String>, List<String>> flagSets = new HashMap<>();

  MailboxView(String name, String decoded, boolean examined) {
    this.name = name;
    this.decoded = decoded;
    this.examined = examined;
    this.readOnly = examined;
  }

  /** The mailbox name as the client sent it (modified UTF-7, or UTF-8 after UTF8=ACCEPT). */
  public String name() {
    return name;
  }

  /** The mailbox name as a person writes it ({@code Été} for {@code &AMk-t&AOk-}). */
  public String decodedName() {
    return decoded;
  }

  /** True when it was opened with EXAMINE. */
  public boolean examined() {
    return examined;
  }

  /** True when opened with EXAMINE or the server said {@code [READ-ONLY]}. */
  public boolean readOnly() {
    return readOnly;
  }

  /** The {@code [UIDVALIDITY n]} seen while selecting, else 0. */
  public long uidValidity() {
    return uidValidity;
  }

  /** The last {@code [UIDNEXT n]} seen, else 0. */
  public long uidNext() {
    return uidNext;
  }

  /** The last {@code [HIGHESTMODSEQ n]} seen (RFC 7162), else 0. */
  public long highestModSeq() {
    return highestModSeq;
  }

  /** The message count: the last EXISTS, less the EXPUNGEs and VANISHEDs since. */
  public long exists() {
    return exists;
  }

  /** The last RECENT count (IMAP4rev1 servers). */
  public long recent() {
    return recent;
  }

  /** The mailbox's flags from its {@code FLAGS} response. */
  public List<String> flags() {
    return flags;
  }

  /** The flags from {@code [PERMANENTFLAGS (…)]}. */
  public List<String> permanentFlags() {
    return permanentFlags;
  }

  /** The UID of message {@code seq}, or 0 when the traffic has not shown it. */
  public long uid(long seq) {
    if (seq < 1 || seq > known) {
      return 0;
    }
    return Integer.toUnsignedLong(uids[(int) seq - 1]);
  }

  /** The flags last seen for message {@code seq}, or null when not seen. */
  @SuppressWarnings("unchecked")
  public List<String> flags(long seq) {
    if (seq < 1 || seq > known) {
      return null;
    }
    return (List<String>) messageFlags[(int) seq - 1];
  }

  /**
   * The sequence number of the message with {@code uid}, or 0 when the traffic has not shown it.
   */
  public long seq(long uid) {
    // UIDs rise with sequence numbers; unknown (0) entries are skipped while bisecting.
    int lo = 0;
    int hi = known - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int probe = mid;
      while (probe >= lo && uids[probe] == 0) {
        probe--;
      }
      if (probe < lo) {
        lo = mid + 1;
        continue;
      }
      long u = Integer.toUnsignedLong(uids[probe]);
      if (u == uid) {
        return probe + 1L;
      }
      if (u < uid) {
        lo = mid + 1;
      } else {
        hi = probe - 1;
      }
    }
    return 0;
  }

  /** How many sequence numbers have a known UID. */
  public long knownUids() {
    long n = 0;
    for (int i = 0; i < known; i++) {
      if (uids[i] != 0) {
        n++;
      }
    }
    return n;
  }

  /**
   * The UID (0 when unknown) of the message the last {@code * n EXPUNGE} removed: whoever looks at
   * that response after the tracker can still tell which message it was.
   */
  public long lastExpungedUid() {
    return lastExpungedUid;
  }

  /** The flags last seen for that message, or null. */
  public List<String> lastExpungedFlags() {
    return lastExpungedFlags;
  }

  /** True when more messages were named than the view keeps ({@value #MAX_TRACKED}). */
  public boolean overflowed() {
    return overflowed;
  }

  /** The known UIDs in sequence order (0 for unknown), up to the last known one. */
  public long[] uidMap() {
    long[] out = new long[known];
    for (int i = 0; i < known; i++) {
      out[i] = Integer.toUnsignedLong(uids[i]);
    }
    return out;
  }

  // ---- updates, from ImapSession

  void uidValidity(long value) {
    if (uidValidity != 0 && value != uidValidity) {
      // RFC 9051 §2.3.1.1: every UID the client knew is void.
      clearMessages();
    }
    uidValidity = value;
  }

  void uidNext(long value) {
    uidNext = value;
  }

  void highestModSeq(long value) {
    highestModSeq = value;
  }

  void readOnly(boolean value) {
    readOnly = value;
  }

  void mailboxFlags(List<String> value) {
    flags = List.copyOf(value);
  }

  void permanentFlags(List<String> value) {
    permanentFlags = List.copyOf(value);
  }

  void recent(long value) {
    recent = value;
  }

  /** {@code * n EXISTS}: the count only grows this way; a smaller count means the view was off. */
  void exists(long count) {
    if (count < known) {
      known = (int) count;
    }
    exists = count;
  }

  /** {@code * n EXPUNGE}: message n is gone and every later one moves down by one. */
  void expunge(long seq) {
    lastExpungedUid = uid(seq);
    lastExpungedFlags = flags(seq);
    if (seq < 1 || seq > exists) {
      return;
    }
    exists--;
    if (seq <= known) {
      removeSlots((int) seq - 1, 1);
    }
  }

  /**
   * {@code * VANISHED uid-set} (RFC 7162 §3.2.10, not EARLIER): each UID is a message gone. Known
   * UIDs are removed where they stand; a UID the view has not seen lies between its known
   * neighbours, and any unknown slot there is as good as another, so one is removed.
   */
  void vanished(long first, long last) {
    long count = last - first + 1;
    exists = Math.max(0, exists - count);
    // The gap holding UIDs first..last: from after the last known UID below first, to before the
    // first known UID above last.
    int from = 0;
    int to = known;
    for (int i = 0; i < known; i++) {
      long u = Integer.toUnsignedLong(uids[i]);
      if (u == 0) {
        continue;
      }
      if (u < first) {
        from = i + 1;
      } else if (u > last) {
        to = i;
        break;
      }
    }
    // Every known UID between the neighbours is in first..last; the unknown slots cover the rest.
    long removeUnknown = count;
    for (int i = from; i < to; i++) {
      if (uids[i] != 0) {
        removeUnknown--;
      }
    }
    int w = from;
    for (int i = from; i < to; i++) {
      boolean gone = uids[i] != 0 || removeUnknown-- > 0;
      if (!gone) {
        uids[w] = uids[i];
        messageFlags[w] = messageFlags[i];
        w++;
      }
    }
    // Unknown slots past the end of the arrays (exists > known) take the rest: nothing to move.
    removeSlots(w, to - w);
    known = (int) Math.min(known, exists);
  }

  /** A FETCH response for message {@code seq}: its UID and/or flags when present (else null/0). */
  void fetched(long seq, long uid, List<String> seenFlags) {
    if (seq < 1 || (uid == 0 && seenFlags == null)) {
      return;
    }
    if (seq > exists) {
      // The server never said EXISTS for it; believe the FETCH.
      exists = seq;
    }
    if (!ensure(seq)) {
      return;
    }
    int i = (int) seq - 1;
    if (uid != 0) {
      uids[i] = (int) uid;
    }
    if (seenFlags != null) {
      messageFlags[i] = flagSets.computeIfAbsent(List.copyOf(seenFlags), f -> f);
    }
  }

  /** The UIDs of every message in order, e.g. from {@code UID SEARCH ALL} when counts agree. */
  void allUids(List<Long> inOrder) {
    if (inOrder.size() != exists || !ensure(inOrder.size())) {
      return;
    }
    List<Long> sorted = new ArrayList<>(inOrder);
    Collections.sort(sorted);
    for (int i = 0; i < sorted.size(); i++) {
      uids[i] = (int) (long) sorted.get(i);
    }
  }

  private boolean ensure(long seq) {
    if (seq > MAX_TRACKED) {
      overflowed = true;
      return false;
    }
    if (seq > uids.length) {
      int size = (int) Math.min(MAX_TRACKED, Math.max(seq, uids.length * 2L));
      uids = Arrays.copyOf(uids, size);
      messageFlags = Arrays.copyOf(messageFlags, size);
    }
    if (seq > known) {
      known = (int) seq;
    }
    return true;
  }

  private void removeSlots(int at, int count) {
    if (count <= 0 || at >= known) {
      return;
    }
    count = Math.min(count, known - at);
    System.arraycopy(uids, at + count, uids, at, known - at - count);
    System.arraycopy(messageFlags, at + count, messageFlags, at, known - at - count);
    Arrays.fill(uids, known - count, known, 0);
    Arrays.fill(messageFlags, known - count, known, null);
    known -= count;
  }

  private void clearMessages() {
    uids = new int[0];
    messageFlags = new List<?>[0];
    known = 0;
    flagSets.clear();
  }
}
