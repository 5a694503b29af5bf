package dev.quirkproxy.replay;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One side's view of the selected mailbox, as far as FETCH answers showed it: sequence number → UID
 * (RFC 9051 §2.3.1), and per UID what identifies the message across servers: its Message-ID (from
 * ENVELOPE) and its RFC822.SIZE. Unknown entries stay unknown, never guessed.
 */
final class ReplayClientNumbering {

  /** What identifies a message; null / -1 where not seen. */
  record Identity(String messageId, long size) {

    Identity merge(Identity other) {
      return new Identity(
          other.messageId != null ? other.messageId : messageId,
          other.size >= 0 ? other.size : size);
    }

    boolean known() {
      return messageId != null || size >= 0;
    }

    /** True when every field this one knows is the same in {@code other}. */
    boolean fits(Identity other) {
      return known()
          && (messageId == null || messageId.equals(other.messageId))
          && (size < 0 || size == other.size);
    }
  }

  private final List<Long> uids = new ArrayList<>();
  private final Map<Long, Identity> identities = new HashMap<>();

  /** A new mailbox was selected. */
  void reset() {
    uids.clear();
    identities.clear();
  }

  void fetched(long seq, long uid, Identity identity) {
    if (seq < 1 || seq > 10_000_000) {
      return;
    }
    while (uids.size() < seq) {
      uids.add(0L);
    }
    if (uid > 0) {
      uids.set((int) seq - 1, uid);
      if (identity.known()) {
        identities.merge(uid, identity, Identity::merge);
      }
    }
  }

  void expunge(long seq) {
    if (seq >= 1 && seq <= uids.size()) {
      uids.remove((int) seq - 1);
    }
  }

  /** The UID at {@code seq}, or 0. */
  long uid(long seq) {
    return seq >= 1 && seq <= uids.size() ? uids.get((int) seq - 1) : 0;
  }

  /** The sequence number of {@code uid}, or 0. */
  long seq(long uid) {
    int i = uids.indexOf(uid);
    return i < 0 ? 0 : i + 1;
  }

  Identity identity(long uid) {
    return identities.get(uid);
  }

  boolean knowsIdentities() {
    return !identities.isEmpty();
  }

  /** The one UID whose identity fits {@code wanted}; 0 when none or several do. */
  long uidOf(Identity wanted) {
    if (wanted == null || !wanted.known()) {
      return 0;
    }
    long found = 0;
    for (Map.Entry<Long, Identity> e : identities.entrySet()) {
      if (wanted.fits(e.getValue())) {
        if (found != 0) {
          return 0;
        }
        found = e.getKey();
      }
    }
    return found;
  }
}
