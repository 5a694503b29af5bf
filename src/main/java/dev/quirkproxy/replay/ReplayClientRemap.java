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
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Maps message numbers between the recorded session and the live one: a recorded UID to the live
 * UID of the message with the same Message-ID and size, sequence numbers through their UIDs.
 * Commands are rewritten recorded → live before they are sent; live answers are read live →
 * recorded before they are compared. Where a side does not know a message, the number is left as it
 * is (the mailboxes are assumed to be alike there); a live message that fits no recorded one is
 * shown as {@code live:N}.
 */
final class ReplayClientRemap {

  /** Ranges up to this size are mapped member by member, longer ones by their ends. */
  private static final long EXPAND_LIMIT = 10_000;

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
   * The command with its message set rewritten for the live mailbox (FETCH, STORE, COPY, MOVE, UID
   * EXPUNGE); other commands, and sets that map to themselves, are returned unchanged.
   */
  byte[] rewrite(byte[] command) {
    ParsedFrame p = new ImapParser().command(FrameBytes.of(command));
    if (!(p instanceof ParsedFrame.Command c)
        || c.arguments().isEmpty()
        || !Set.of("FETCH", "STORE", "COPY", "MOVE", "EXPUNGE").contains(c.name())
        || (c.name().equals("EXPUNGE") && !c.uid())) {
      return command;
    }
    Node set = c.arguments().get(0);
    if (!(set instanceof Node.Atom || set instanceof Node.Num) || set.position() < 0) {
      return command;
    }
    String text = Node.text(set);
    String mapped = mapSet(text, c.uid());
    if (mapped.equals(text)) {
      return command;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = (int) set.position();
    out.write(command, 0, at);
    out.writeBytes(mapped.getBytes(StandardCharsets.US_ASCII));
    out.write(command, at + text.length(), command.length - at - text.length());
    return out.toByteArray();
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

  private static String compress(List<Long> sorted) {
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
