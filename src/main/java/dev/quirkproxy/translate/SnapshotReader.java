package dev.quirkproxy.translate;

import dev.quirkproxy.codec.WirePart;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Collects the answer to {@code UID FETCH 1:* (UID RFC822.SIZE)}: one {@code * n FETCH (UID u
 * RFC822.SIZE s)} line per message (RFC 9051 §7.5.2), read from its first line only.
 */
final class SnapshotReader {

  private static final Pattern FETCH =
      Pattern.compile("^\\* \\d+ FETCH \\(", Pattern.CASE_INSENSITIVE);
  private static final Pattern UID =
      Pattern.compile("[( ]UID (\\d{1,10})\\b", Pattern.CASE_INSENSITIVE);
  private static final Pattern SIZE =
      Pattern.compile("[( ]RFC822\\.SIZE (\\d{1,15})\\b", Pattern.CASE_INSENSITIVE);

  private long[] uids = new long[16];
  private long[] sizes = new long[16];
  private int count;

  void part(WirePart part) {
    if (!part.isLine() || !part.frameStart()) {
      return;
    }
    String text = part.text();
    if (!FETCH.matcher(text).find()) {
      return;
    }
    Matcher uid = UID.matcher(text);
    Matcher size = SIZE.matcher(text);
    if (!uid.find() || !size.find()) {
      // e.g. a FLAGS update about another message: not part of the listing.
      return;
    }
    if (count == uids.length) {
      uids = Arrays.copyOf(uids, count * 2);
      sizes = Arrays.copyOf(sizes, count * 2);
    }
    uids[count] = Long.parseLong(uid.group(1));
    sizes[count] = Long.parseLong(size.group(1));
    count++;
  }

  Pop3Snapshot snapshot(long uidValidity, Pop3Translation.Order order) {
    return Pop3Snapshot.of(
        uidValidity, Arrays.copyOf(uids, count), Arrays.copyOf(sizes, count), order);
  }
}
