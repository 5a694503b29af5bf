package dev.quirkproxy.capture;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quirkproxy.capture.CaptureReader.Capture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The client's and the upstream server's frames of a capture (a line and the literals it announces,
 * RFC 9051 §4.3), each whole, in the order they started: the conversation the upstream server had.
 * A client part the proxy rewrote towards the server ({@code proxy>upstream} with {@code re}) is
 * taken as rewritten; what the proxy sent the client instead of a server answer is left out.
 */
final class CapturedFrames {

  /** One piece of a frame: a line (with its CRLF) or a literal's content. */
  record Part(boolean literal, String text) {}

  /** One frame; {@code redacted} when the recorder masked a secret in it. */
  record Frame(boolean fromClient, List<Part> parts, boolean redacted) {

    String text() {
      StringBuilder sb = new StringBuilder();
      parts.forEach(p -> sb.append(p.text()));
      return sb.toString();
    }
  }

  private CapturedFrames() {}

  static List<Frame> of(Capture c) throws IOException {
    List<Frame> frames = new ArrayList<>();
    Map<Direction, List<Part>> open = new EnumMap<>(Direction.class);
    Map<Long, String> rewritten = rewrittenForUpstream(c);
    for (ObjectNode e : c.events()) {
      if (!e.path("type").asText().equals("frame")) {
        continue;
      }
      Direction dir = Direction.ofCode(e.path("dir").asText());
      if (dir != Direction.CLIENT_TO_PROXY && dir != Direction.UPSTREAM_TO_PROXY) {
        continue;
      }
      String text =
          rewritten.getOrDefault(
              e.path("seq").asLong(), new String(c.data(e), StandardCharsets.UTF_8));
      if (text.isEmpty()) {
        // Never reached the server: the proxy answered it or dropped it.
        continue;
      }
      if (e.path("start").asBoolean() || !open.containsKey(dir)) {
        List<Part> parts = new ArrayList<>();
        open.put(dir, parts);
        // Added now, filled as its events come: frames stay in the order they started.
        frames.add(new Frame(dir == Direction.CLIENT_TO_PROXY, parts, false));
      }
      boolean literal = e.path("kind").asText().equals("literal");
      List<Part> parts = open.get(dir);
      Part last = parts.isEmpty() ? null : parts.get(parts.size() - 1);
      if (literal && last != null && last.literal()) {
        // A large literal is recorded in chunks: one part again.
        parts.set(parts.size() - 1, new Part(true, last.text() + text));
      } else {
        parts.add(new Part(literal, text));
      }
      if (e.path("redacted").asBoolean()) {
        for (int i = frames.size() - 1; i >= 0; i--) {
          Frame f = frames.get(i);
          if (f.parts() == open.get(dir)) {
            frames.set(i, new Frame(f.fromClient(), f.parts(), true));
            break;
          }
        }
      }
      if (e.path("end").asBoolean()) {
        open.remove(dir);
      }
    }
    return frames;
  }

  /**
   * What reached the server instead of a client part, by the part's event number: the proxy's
   * rewrite, or "" for a part it answered itself or dropped.
   */
  static Map<Long, String> rewrittenForUpstream(Capture c) throws IOException {
    Map<Long, String> rewritten = new HashMap<>();
    Set<Long> fromClient = new HashSet<>();
    Set<Long> answered = new HashSet<>();
    for (ObjectNode e : c.events()) {
      String dir = e.path("dir").asText();
      if (e.path("type").asText().equals("frame") && dir.equals(Direction.CLIENT_TO_PROXY.code())) {
        fromClient.add(e.path("seq").asLong());
      } else if (e.path("type").asText().equals("frame") && e.has("re")) {
        long re = e.path("re").asLong();
        if (dir.equals(Direction.PROXY_TO_UPSTREAM.code())) {
          rewritten.merge(re, new String(c.data(e), StandardCharsets.UTF_8), String::concat);
        } else if (fromClient.contains(re)) {
          answered.add(re);
        }
      } else if (e.path("outcome").asText().equals("dropped")
          && fromClient.contains(e.path("of").asLong())) {
        answered.add(e.path("of").asLong());
      }
    }
    answered.forEach(seq -> rewritten.putIfAbsent(seq, ""));
    return rewritten;
  }

  /** Refuses anything but an IMAP capture: the script formats are IMAP only. */
  static void requireImap(Capture c, String format) {
    String protocol = c.header() == null ? "unknown" : c.header().path("protocol").asText();
    if (!protocol.equals("imap")) {
      throw new IllegalArgumentException(
          format + " scripts are IMAP only; this capture is " + protocol);
    }
  }
}
