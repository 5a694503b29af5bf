package dev.quirkproxy.replay;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Maps POP3 message numbers between the recorded session and the live one (RFC 1939 numbers are
 * fixed for a session, 1..n in the maildrop's order). Each side's (number → size, Message-ID,
 * unique-id) comes from LIST, TOP, RETR and UIDL answers: the recorded side's from the whole
 * capture, the live side's from the replay's own {@code LIST} and {@code TOP n 0} (or {@code UIDL}
 * when TOP is refused). Matching, each live message used once: first by Message-ID (and size where
 * both know it), then by a unique-id the same on both sides (the same maildrop), then the rest by
 * size, in order, between the live numbers of their matched neighbours. A recorded message whose
 * size or Message-ID is known and that fits no live one is missing; one never seen keeps its
 * number, as does a live number the probe did not see.
 */
final class ReplayClientPop3Remap {

  /** A recorded message number with no live counterpart: the command is not sent. */
  static final int MISSING = 0;

  /** Commands whose first argument is a message number. */
  private static final Set<String> NUMBERED = Set.of("LIST", "UIDL", "TOP", "RETR", "DELE");

  /** What identifies a message; null / -1 where not seen. */
  record Identity(String messageId, long size, String uidl) {

    static final Identity NONE = new Identity(null, -1, null);

    Identity merge(Identity o) {
      return new Identity(
          o.messageId != null ? o.messageId : messageId,
          o.size >= 0 ? o.size : size,
          o.uidl != null ? o.uidl : uidl);
    }

    /** True when it shows the message's Message-ID or size. */
    boolean known() {
      return messageId != null || size >= 0;
    }

    /** Same Message-ID and size where both sides know them, and at least one known on both. */
    boolean fits(Identity o) {
      boolean shared = false;
      if (messageId != null && o.messageId != null) {
        if (!messageId.equals(o.messageId)) {
          return false;
        }
        shared = true;
      }
      if (size >= 0 && o.size >= 0) {
        if (size != o.size) {
          return false;
        }
        shared = true;
      }
      return shared;
    }

    @Override
    public String toString() {
      List<String> parts = new ArrayList<>();
      if (size >= 0) {
        parts.add("size " + size);
      }
      if (messageId != null) {
        parts.add("Message-ID " + messageId);
      }
      return String.join(", ", parts);
    }
  }

  private final TreeMap<Integer, Identity> recorded = new TreeMap<>();
  private final TreeMap<Integer, Identity> live = new TreeMap<>();
  private TreeMap<Integer, Integer> toLive;
  private final Map<Integer, Integer> toRecorded = new HashMap<>();

  /** Learns from one command and its answer (status line, body, {@code .CRLF}) of a side. */
  void observe(String command, byte[] answer, boolean liveSide) {
    String[] w = command.strip().split(" +");
    String name = w[0].toUpperCase(Locale.ROOT);
    List<String> lines = new String(answer, StandardCharsets.ISO_8859_1).lines().toList();
    if (lines.isEmpty() || !lines.get(0).startsWith("+OK")) {
      return;
    }
    TreeMap<Integer, Identity> side = liveSide ? live : recorded;
    List<String> body = body(lines);
    switch (name) {
      case "LIST", "UIDL" -> {
        boolean list = name.equals("LIST");
        List<String> scan = w.length > 1 ? List.of(lines.get(0).substring(3)) : body;
        for (String s : scan) {
          String[] v = s.strip().split(" +");
          int n = number(v[0]);
          if (n > 0 && v.length > 1) {
            if (list) {
              long size = number(v[1]);
              if (size >= 0) {
                side.merge(n, new Identity(null, size, null), Identity::merge);
              }
            } else {
              side.merge(n, new Identity(null, -1, v[1]), Identity::merge);
            }
          }
        }
      }
      case "TOP", "RETR" -> {
        int n = w.length > 1 ? number(w[1]) : -1;
        String id = messageId(body);
        if (n > 0 && id != null) {
          side.merge(n, new Identity(id, -1, null), Identity::merge);
        }
      }
      default -> {
        // nothing to learn
      }
    }
  }

  /** The live side's message numbers learnt so far. */
  List<Integer> liveNumbers() {
    return List.copyOf(live.keySet());
  }

  /** Pairs recorded and live messages; before this, numbers are left as they are. */
  void match() {
    toLive = new TreeMap<>();
    toRecorded.clear();
    for (Map.Entry<Integer, Identity> r : recorded.entrySet()) {
      if (r.getValue().messageId() == null) {
        continue;
      }
      for (Map.Entry<Integer, Identity> l : live.entrySet()) {
        if (!toRecorded.containsKey(l.getKey())
            && r.getValue().messageId().equals(l.getValue().messageId())
            && r.getValue().fits(l.getValue())) {
          pair(r.getKey(), l.getKey());
          break;
        }
      }
    }
    for (Map.Entry<Integer, Identity> r : recorded.entrySet()) {
      String uidl = r.getValue().uidl();
      if (toLive.containsKey(r.getKey()) || uidl == null) {
        continue;
      }
      for (Map.Entry<Integer, Identity> l : live.entrySet()) {
        if (!toRecorded.containsKey(l.getKey())
            && uidl.equals(l.getValue().uidl())
            && r.getValue().fits(l.getValue())) {
          pair(r.getKey(), l.getKey());
          break;
        }
      }
    }
    for (Map.Entry<Integer, Identity> r : recorded.entrySet()) {
      if (toLive.containsKey(r.getKey()) || !r.getValue().known()) {
        continue;
      }
      Map.Entry<Integer, Integer> below = toLive.lowerEntry(r.getKey());
      Map.Entry<Integer, Integer> above = toLive.higherEntry(r.getKey());
      int lo = below == null ? 0 : below.getValue();
      int hi = above == null ? Integer.MAX_VALUE : above.getValue();
      for (Map.Entry<Integer, Identity> l : live.subMap(lo, false, hi, false).entrySet()) {
        if (!toRecorded.containsKey(l.getKey()) && r.getValue().fits(l.getValue())) {
          pair(r.getKey(), l.getKey());
          break;
        }
      }
    }
  }

  private void pair(int recordedNumber, int liveNumber) {
    toLive.put(recordedNumber, liveNumber);
    toRecorded.put(liveNumber, recordedNumber);
  }

  /** The live number of a recorded one, {@link #MISSING}, or the number itself when unknown. */
  int liveNumber(int recordedNumber) {
    if (toLive == null) {
      return recordedNumber;
    }
    Integer l = toLive.get(recordedNumber);
    if (l != null) {
      return l;
    }
    Identity id = recorded.get(recordedNumber);
    return id != null && id.known() && !live.isEmpty() ? MISSING : recordedNumber;
  }

  /** What the recorded session showed of a message, for a report. */
  Identity recordedIdentity(int recordedNumber) {
    return recorded.getOrDefault(recordedNumber, Identity.NONE);
  }

  /** A live number in the recorded session's terms; {@code live:N} for an unmatched live one. */
  String recordedNumber(int liveNumber) {
    if (toLive == null) {
      return Integer.toString(liveNumber);
    }
    Integer r = toRecorded.get(liveNumber);
    if (r != null) {
      return Integer.toString(r);
    }
    boolean unmatched = live.containsKey(liveNumber) && !recorded.isEmpty();
    return unmatched ? "live:" + liveNumber : Integer.toString(liveNumber);
  }

  /**
   * The command with its message number (LIST n, UIDL n, TOP n m, RETR n, DELE n) made live; null
   * when the recorded message has no live counterpart.
   */
  String rewrite(String command) {
    int n = recordedArgument(command);
    if (n <= 0) {
      return command;
    }
    int l = liveNumber(n);
    if (l == MISSING) {
      return null;
    }
    if (l == n) {
      return command;
    }
    int at = command.indexOf(' ');
    while (command.charAt(at) == ' ') {
      at++;
    }
    return command.substring(0, at) + l + command.substring(at + Integer.toString(n).length());
  }

  /** The recorded message number a command names, or -1. */
  static int recordedArgument(String command) {
    String[] w = command.strip().split(" +");
    return w.length > 1 && NUMBERED.contains(w[0].toUpperCase(Locale.ROOT)) ? number(w[1]) : -1;
  }

  /**
   * The live answer to a recorded command with message numbers in recorded terms: LIST and UIDL
   * listings line by line, {@code +OK n …} of LIST n and UIDL n; other answers as they are.
   */
  byte[] toRecorded(String command, byte[] answer) {
    String[] w = command.strip().split(" +");
    String name = w[0].toUpperCase(Locale.ROOT);
    if (toLive == null || !(name.equals("LIST") || name.equals("UIDL"))) {
      return answer;
    }
    String text = new String(answer, StandardCharsets.ISO_8859_1);
    if (!text.startsWith("+OK")) {
      return answer;
    }
    StringBuilder out = new StringBuilder();
    int from = 0;
    boolean first = true;
    while (from < text.length()) {
      int nl = text.indexOf('\n', from);
      int end = nl < 0 ? text.length() : nl + 1;
      String line = text.substring(from, end);
      if (first && w.length > 1) {
        out.append(renumbered(line, 4));
      } else if (!first && w.length == 1 && !line.startsWith(".")) {
        out.append(renumbered(line, 0));
      } else {
        out.append(line);
      }
      first = false;
      from = end;
    }
    return out.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /** {@code line} with the number starting at {@code at} in recorded terms. */
  private String renumbered(String line, int at) {
    if (at > line.length()) {
      return line;
    }
    int end = at;
    while (end < line.length() && Character.isDigit(line.charAt(end))) {
      end++;
    }
    int n = end > at ? number(line.substring(at, end)) : -1;
    return n > 0 ? line.substring(0, at) + recordedNumber(n) + line.substring(end) : line;
  }

  /** The body lines between the status line and the terminating dot. */
  private static List<String> body(List<String> lines) {
    List<String> out = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String s = lines.get(i);
      if (s.equals(".")) {
        break;
      }
      out.add(s.startsWith(".") ? s.substring(1) : s);
    }
    return out;
  }

  /** The Message-ID header field's value (RFC 5322 §3.6.4), unfolded and trimmed, or null. */
  static String messageId(List<String> message) {
    for (int i = 0; i < message.size() && !message.get(i).isEmpty(); i++) {
      String s = message.get(i);
      if (s.regionMatches(true, 0, "Message-ID:", 0, 11)) {
        StringBuilder v = new StringBuilder(s.substring(11));
        for (int j = i + 1;
            j < message.size()
                && !message.get(j).isEmpty()
                && " \t".indexOf(message.get(j).charAt(0)) >= 0;
            j++) {
          v.append(message.get(j));
        }
        String id = v.toString().strip();
        return id.isEmpty() ? null : id;
      }
    }
    return null;
  }

  private static int number(String s) {
    if (s.isEmpty() || s.length() > 9 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    return Integer.parseInt(s);
  }
}
