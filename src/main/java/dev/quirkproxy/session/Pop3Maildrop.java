package dev.quirkproxy.session;

import dev.quirkproxy.codec.WirePart;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the traffic has shown of the POP3 maildrop (RFC 1939 §5): the totals of the last STAT, the
 * sizes from LIST scan listings and the unique-ids from UIDL listings (§7; multi-line or for one
 * message), and the messages marked deleted by DELE until a successful RSET. Read-only to everyone
 * but {@link Pop3Session}, which reports the answers here.
 *
 * <p>Only the standard answer formats are read: the greeting and the PASS/APOP answers have no
 * standard format for counts (RFC 1939 §4, §7), so their free text is never parsed. Message numbers
 * stay valid for the whole session (§4), so a deleted message keeps its size and unique-id. Lines
 * that do not follow the grammar are ignored; RETR, TOP and CAPA bodies are never looked into.
 */
public final class Pop3Maildrop {

  /**
   * Most messages recorded per map (sizes, unique-ids, deleted): bounds the memory a server uses.
   */
  public static final int MAX_TRACKED_MESSAGES = 100_000;

  /** RFC 2449 §4: a response line is at most 512 octets; a longer listing line is ignored. */
  private static final int MAX_LISTING_LINE = 512;

  /** RFC 1939 §7: a unique-id is 1 to 70 characters in the range 0x21–0x7E. */
  private static final int MAX_UNIQUE_ID = 70;

  /** Which listing a multi-line body holds (RFC 1939 §5 scan listing, §7 unique-id listing). */
  private enum Listing {
    SCAN,
    UNIQUE_ID
  }

  private final int maxTrackedMessages;
  private final SortedMap<Integer, Long> sizes = new TreeMap<>();
  private final SortedMap<Integer, String> uniqueIds = new TreeMap<>();
  private final SortedSet<Integer> deleted = new TreeSet<>();
  private long statMessageCount = -1;
  private long statMaildropSize = -1;
  private boolean truncated;
  private final ListingReader listingReader = new ListingReader();

  Pop3Maildrop(int maxTrackedMessages) {
    this.maxTrackedMessages = maxTrackedMessages;
  }

  /**
   * The number of messages in the last successful STAT answer, or -1 before one. RFC 1939 §5: it
   * does not count messages marked deleted at the time.
   */
  public long statMessageCount() {
    return statMessageCount;
  }

  /** The maildrop size in octets of the last successful STAT answer, or -1 before one. */
  public long statMaildropSize() {
    return statMaildropSize;
  }

  /** Sizes in octets by message number, from LIST answers; an unmodifiable live view. */
  public SortedMap<Integer, Long> messageSizes() {
    return Collections.unmodifiableSortedMap(sizes);
  }

  /** Unique-ids by message number, from UIDL answers; an unmodifiable live view. */
  public SortedMap<Integer, String> uniqueIds() {
    return Collections.unmodifiableSortedMap(uniqueIds);
  }

  /**
   * Messages the server marked deleted (DELE answered {@code +OK}) since the session began or the
   * last successful RSET; an unmodifiable live view. They keep their numbers (RFC 1939 §5).
   */
  public SortedSet<Integer> deletedMessages() {
    return Collections.unmodifiableSortedSet(deleted);
  }

  /**
   * True once a message was not recorded because {@link #messageSizes()}, {@link #uniqueIds()} or
   * {@link #deletedMessages()} already held the cap ({@link #MAX_TRACKED_MESSAGES} by default):
   * they are then incomplete.
   */
  public boolean truncated() {
    return truncated;
  }

  /** A new status line arrived: any listing body before it has ended. */
  void statusLine() {
    listingReader.start(null);
  }

  /** STAT's drop listing: {@code "+OK" SP count SP octets [SP anything]} (RFC 1939 §5). */
  void statAnswered(String line) {
    int from = afterOk(line);
    int sp = from < 0 ? -1 : line.indexOf(' ', from);
    if (sp < 0) {
      return;
    }
    long count = number(line, from, sp, 9);
    long octets = number(line, sp + 1, wordEnd(line, sp + 1), 18);
    if (count >= 0 && octets >= 0) {
      statMessageCount = count;
      statMaildropSize = octets;
    }
  }

  /**
   * A {@code +OK} to LIST: a scan listing body follows a bare LIST; with an argument the line is
   * the listing of {@code messageNumber} (0 when the argument was not a valid number).
   */
  void listAnswered(boolean hasArgument, int messageNumber, String line) {
    listingAnswer(Listing.SCAN, hasArgument, messageNumber, line);
  }

  /** A {@code +OK} to UIDL: as {@link #listAnswered}, for unique-id listings (RFC 1939 §7). */
  void uidlAnswered(boolean hasArgument, int messageNumber, String line) {
    listingAnswer(Listing.UNIQUE_ID, hasArgument, messageNumber, line);
  }

  /** A {@code +OK} to {@code DELE messageNumber}. */
  void deleAnswered(int messageNumber) {
    if (messageNumber > 0) {
      record(deleted, messageNumber);
    }
  }

  /** A {@code +OK} to RSET: no message is marked deleted any more. */
  void rsetAnswered() {
    deleted.clear();
  }

  /** A part the server sent; only the body of a LIST or UIDL is looked into. */
  void serverSent(WirePart part) {
    if (listingReader.listing == null || part.kind() != WirePart.Kind.BODY) {
      return;
    }
    part.content().forEachByte(listingReader);
    if (part.frameEnd()) {
      listingReader.start(null);
    }
  }

  private void listingAnswer(Listing listing, boolean hasArgument, int messageNumber, String line) {
    if (!hasArgument) {
      listingReader.start(listing);
      return;
    }
    int from = afterOk(line);
    if (from >= 0 && messageNumber > 0) {
      listingLine(listing, line, from, messageNumber);
    }
  }

  /**
   * One scan listing ({@code msg SP octets}) or unique-id listing ({@code msg SP unique-id}), from
   * {@code from} in {@code line}; anything after a further SP is allowed (RFC 1939 §5, §7). When
   * {@code expected} is positive the listing must be for that message.
   */
  private void listingLine(Listing listing, String line, int from, int expected) {
    int sp = line.indexOf(' ', from);
    if (sp < 0) {
      return;
    }
    long msg = number(line, from, sp, 9);
    if (msg <= 0 || (expected > 0 && msg != expected)) {
      return;
    }
    int end = wordEnd(line, sp + 1);
    if (listing == Listing.SCAN) {
      long octets = number(line, sp + 1, end, 18);
      if (octets >= 0) {
        record(sizes, (int) msg, octets);
      }
    } else if (isUniqueId(line, sp + 1, end)) {
      record(uniqueIds, (int) msg, line.substring(sp + 1, end));
    }
  }

  /** Where the text after {@code "+OK" SP} starts, or -1. */
  private static int afterOk(String line) {
    return line.length() > 4 && line.charAt(3) == ' ' ? 4 : -1;
  }

  /** The end of the word starting at {@code from}: the next SP or the end of {@code s}. */
  static int wordEnd(String s, int from) {
    int sp = s.indexOf(' ', from);
    return sp < 0 ? s.length() : sp;
  }

  /** The decimal number in {@code s[from, to)} of at most {@code maxDigits} digits, or -1. */
  static long number(String s, int from, int to, int maxDigits) {
    if (to <= from || to - from > maxDigits) {
      return -1;
    }
    long n = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  private static boolean isUniqueId(String s, int from, int to) {
    if (to <= from || to - from > MAX_UNIQUE_ID) {
      return false;
    }
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  private <V> void record(Map<Integer, V> map, int msg, V value) {
    if (map.size() >= maxTrackedMessages && !map.containsKey(msg)) {
      truncated = true;
      return;
    }
    map.put(msg, value);
  }

  private void record(SortedSet<Integer> set, int msg) {
    if (set.size() >= maxTrackedMessages && !set.contains(msg)) {
      truncated = true;
      return;
    }
    set.add(msg);
  }

  /**
   * Puts the lines of a LIST or UIDL body back together from its chunks, which end anywhere. The
   * terminating "." and dot-stuffed lines start with a dot, which no listing does, so they are
   * skipped with the other lines that do not parse.
   */
  private final class ListingReader implements ByteProcessor {
    private final byte[] buffer = new byte[MAX_LISTING_LINE];
    private Listing listing;
    private int length;
    private boolean overlong;

    void start(Listing listing) {
      this.listing = listing;
      length = 0;
      overlong = false;
    }

    @Override
    public boolean process(byte b) {
      if (b == '\n') {
        if (!overlong) {
          int n = length > 0 && buffer[length - 1] == '\r' ? length - 1 : length;
          listingLine(listing, new String(buffer, 0, n, StandardCharsets.ISO_8859_1), 0, 0);
        }
        length = 0;
        overlong = false;
      } else if (length < buffer.length) {
        buffer[length++] = b;
      } else {
        overlong = true;
      }
      return true;
    }
  }
}
