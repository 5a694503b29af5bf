package dev.quirkproxy.replay;

import dev.quirkproxy.capture.CaptureReader.Capture;
import dev.quirkproxy.capture.Direction;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The client side of an IMAP capture as steps to replay, each with what the upstream answered it in
 * the capture. Responses are attributed by tag: a step gets the untagged responses since the
 * previous tagged completion and its own completion (exact for clients that wait for each answer,
 * an approximation for pipelining clients). Continuation requests are not kept. A command the
 * upstream never completed (one the proxy answered itself, e.g. COMPRESS) is not a step, nor is a
 * recorded STARTTLS (the replay does its own).
 */
record ReplayClientScript(List<byte[]> greeting, List<Step> steps, List<String> skipped) {

  /** The largest frame read from a capture. */
  static final long MAX_FRAME = 1L << 30;

  /** Why a recorded STARTTLS is not a step. */
  static final String STARTTLS_SKIPPED =
      "STARTTLS is not replayed (TLS is the replay's own: imaps:// or ?tls=starttls)";

  /**
   * One command to replay.
   *
   * @param tag its tag
   * @param command the command frame as recorded (literals included)
   * @param followUps untagged client lines sent after it (SASL responses, IDLE's DONE)
   * @param recorded the upstream's responses to it, the tagged completion last
   */
  record Step(String tag, byte[] command, List<byte[]> followUps, List<byte[]> recorded) {

    /** The command's first line without its ending, for display. */
    String firstLine() {
      String s = new String(command, StandardCharsets.ISO_8859_1);
      int eol = s.indexOf('\n');
      return (eol < 0 ? s : s.substring(0, eol)).stripTrailing();
    }

    /** The command name in upper case, {@code UID FETCH} as {@code FETCH}. */
    String name() {
      String[] w = firstLine().split(" ");
      if (w.length < 2) {
        return "";
      }
      String n = w[1].toUpperCase(Locale.ROOT);
      return n.equals("UID") && w.length > 2 ? w[2].toUpperCase(Locale.ROOT) : n;
    }
  }

  static ReplayClientScript of(Capture capture) throws IOException {
    if (!"imap".equals(capture.header().path("protocol").asText())) {
      throw new IOException(
          "only IMAP captures can be replayed, this one is "
              + capture.header().path("protocol").asText());
    }
    Map<String, List<byte[]>> answers = new HashMap<>();
    List<byte[]> greeting = new ArrayList<>();
    List<byte[]> pending = new ArrayList<>();
    ReplayClientFramer server =
        new ReplayClientFramer(
            new ByteArrayInputStream(capture.bytes(Direction.UPSTREAM_TO_PROXY)), true, MAX_FRAME);
    boolean first = true;
    for (byte[] f = server.next(); f != null; f = server.next()) {
      String line = firstLine(f);
      if (first) {
        greeting.add(f);
        first = false;
      } else if (line.startsWith("+")) {
        continue;
      } else if (line.startsWith("* ")) {
        pending.add(f);
      } else {
        pending.add(f);
        answers.putIfAbsent(line.split(" ", 2)[0], pending);
        pending = new ArrayList<>();
      }
    }
    Map<String, Step> steps = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    Step last = null;
    ReplayClientFramer client =
        new ReplayClientFramer(
            new ByteArrayInputStream(capture.bytes(Direction.CLIENT_TO_PROXY)), false, MAX_FRAME);
    for (byte[] f = client.next(); f != null; f = client.next()) {
      String line = firstLine(f);
      String[] w = line.split(" ");
      boolean command = w.length >= 2 && !isFollowUp(last, line);
      if (!command) {
        if (last != null) {
          last.followUps().add(f);
        }
        continue;
      }
      if (w[1].equalsIgnoreCase("STARTTLS")) {
        skipped.add(line + ": " + STARTTLS_SKIPPED);
        last = null;
        continue;
      }
      List<byte[]> recorded = answers.get(w[0]);
      if (recorded == null || steps.containsKey(w[0])) {
        skipped.add(line + ": the upstream did not answer it in the capture");
        last = null;
        continue;
      }
      last = new Step(w[0], f, new ArrayList<>(), recorded);
      steps.put(w[0], last);
    }
    return new ReplayClientScript(greeting, List.copyOf(steps.values()), skipped);
  }

  /** A line after AUTHENTICATE or IDLE that is not a new command (SASL response, DONE). */
  private static boolean isFollowUp(Step last, String line) {
    if (last == null) {
      return false;
    }
    String name = last.name();
    if (name.equals("IDLE")) {
      return line.equalsIgnoreCase("DONE");
    }
    return name.equals("AUTHENTICATE") && !line.contains(" ");
  }

  static String firstLine(byte[] frame) {
    String s = new String(frame, StandardCharsets.ISO_8859_1);
    int eol = s.indexOf('\n');
    return (eol < 0 ? s : s.substring(0, eol)).stripTrailing();
  }
}
