package dev.quirkproxy.translate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The maildrop as a POP3 session sees it: the IMAP mailbox's messages at login, numbered 1..n once
 * and for all (RFC 1939 §3: numbers do not change during a session), with the deletions marked so
 * far. Unique-ids are {@code <uidvalidity>.<uid>}: stable across sessions for as long as the
 * mailbox keeps its UIDVALIDITY, whatever happens to other messages.
 */
final class Pop3Snapshot {

  private final long uidValidity;
  private final long[] uids;
  private final long[] sizes;
  private final boolean[] deleted;

  /**
   * @param uids the messages' UIDs in message-number order
   * @param sizes their RFC822.SIZE, in the same order
   */
  Pop3Snapshot(long uidValidity, long[] uids, long[] sizes) {
    this.uidValidity = uidValidity;
    this.uids = uids.clone();
    this.sizes = sizes.clone();
    this.deleted = new boolean[uids.length];
  }

  /** Orders {@code uid → size} pairs by UID (ascending or descending) into a snapshot. */
  static Pop3Snapshot of(long uidValidity, long[] uids, long[] sizes, Pop3Translation.Order order) {
    Integer[] index = new Integer[uids.length];
    for (int i = 0; i < index.length; i++) {
      index[i] = i;
    }
    Arrays.sort(
        index,
        (a, b) ->
            order == Pop3Translation.Order.UID
                ? Long.compare(uids[a], uids[b])
                : Long.compare(uids[b], uids[a]));
    long[] u = new long[uids.length];
    long[] s = new long[uids.length];
    for (int i = 0; i < index.length; i++) {
      u[i] = uids[index[i]];
      s[i] = sizes[index[i]];
    }
    return new Pop3Snapshot(uidValidity, u, s);
  }

  /** All messages, deleted ones included (the highest message number). */
  int size() {
    return uids.length;
  }

  /** True when {@code n} names a message that exists and is not marked deleted. */
  boolean live(long n) {
    return n >= 1 && n <= uids.length && !deleted[(int) n - 1];
  }

  long uid(int n) {
    return uids[n - 1];
  }

  long octets(int n) {
    return sizes[n - 1];
  }

  /** The unique-id of message {@code n} (RFC 1939 §7 UIDL): {@code <uidvalidity>.<uid>}. */
  String uniqueId(int n) {
    return uidValidity + "." + uids[n - 1];
  }

  int liveCount() {
    int c = 0;
    for (boolean d : deleted) {
      c += d ? 0 : 1;
    }
    return c;
  }

  long liveOctets() {
    long total = 0;
    for (int i = 0; i < uids.length; i++) {
      total += deleted[i] ? 0 : sizes[i];
    }
    return total;
  }

  /** Marks message {@code n} deleted; the caller has checked {@link #live}. */
  void delete(int n) {
    deleted[n - 1] = true;
  }

  /** RSET: unmarks every message. */
  void undeleteAll() {
    Arrays.fill(deleted, false);
  }

  /** The UIDs marked deleted, ascending. */
  long[] deletedUids() {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < uids.length; i++) {
      if (deleted[i]) {
        out.add(uids[i]);
      }
    }
    return out.stream().mapToLong(Long::longValue).sorted().toArray();
  }

  /** An IMAP sequence-set of UIDs (RFC 9051 §9 {@code sequence-set}), runs joined: 1:3,7. */
  static String uidSet(long[] sortedUids) {
    StringBuilder b = new StringBuilder();
    int i = 0;
    while (i < sortedUids.length) {
      int j = i;
      while (j + 1 < sortedUids.length && sortedUids[j + 1] == sortedUids[j] + 1) {
        j++;
      }
      if (b.length() > 0) {
        b.append(',');
      }
      b.append(sortedUids[i]);
      if (j > i) {
        b.append(':').append(sortedUids[j]);
      }
      i = j + 1;
    }
    return b.toString();
  }
}
