package dev.quirkproxy.relay;

import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.fingerprint.Catalog;
import dev.quirkproxy.fingerprint.Evidence;
import dev.quirkproxy.fingerprint.Fingerprint;
import dev.quirkproxy.fingerprint.Fingerprinter;
import dev.quirkproxy.session.ClientIdentity;
import dev.quirkproxy.session.Protocol;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The live fingerprint of one session: feeds the {@link Fingerprinter} the first line of every
 * frame as received (the same lines {@code quirkproxy fingerprint} reads from a capture, so both
 * give the same answer) and says when the answer changed enough to tell. Scoring is not done on
 * every command: after each of the first {@value #EVERY_COMMAND} commands, then after the 16th,
 * 24th, 32nd, 48th and 64th, and whenever an ID command arrives. On the session's event loop.
 */
final class ClientIdentification {

  private static final int EVERY_COMMAND = 12;
  private static final double CONFIDENCE_STEP = 0.05;

  /** From this confidence on, a new answer is logged at info level (below, at debug). */
  static final double CONFIDENT = 0.25;

  private final Fingerprinter fingerprinter;
  private final ClientIdentity forced;
  private Fingerprint reported;
  private int commands;

  /**
   * @param forcedFamily a catalog family the listener forces ({@code --client}), or null
   */
  ClientIdentification(Catalog catalog, Protocol protocol, String forcedFamily) {
    this.fingerprinter = new Fingerprinter(catalog, protocol);
    this.forced = forcedFamily == null ? null : new ClientIdentity(forcedFamily, null, 1.0, true);
  }

  /** The identity forced by configuration, or null. */
  ClientIdentity forced() {
    return forced;
  }

  /** A status line the proxy said to the client in the server's place (protocol translation). */
  void serverLine(String line) {
    fingerprinter.server(line);
  }

  /** A part received from the server. */
  void server(WirePart part) {
    if (part.isLine() && part.frameStart()) {
      fingerprinter.server(part.text());
    }
  }

  /**
   * A part received from the client; returns the new fingerprint when the answer changed (family,
   * version, or confidence by {@value #CONFIDENCE_STEP} or more), else null.
   */
  Fingerprint client(WirePart part) {
    if (!part.isLine() || !part.frameStart()) {
      return null;
    }
    String line = part.text();
    fingerprinter.clientFrame(line);
    commands++;
    if (commands > EVERY_COMMAND && !milestone(commands) && !isId(line)) {
      return null;
    }
    Fingerprint now = fingerprinter.fingerprint();
    if (reported != null
        && reported.family().equals(now.family())
        && java.util.Objects.equals(reported.version(), now.version())
        && Math.abs(reported.confidence() - now.confidence()) < CONFIDENCE_STEP) {
      return null;
    }
    if (reported == null && now.family().equals(Fingerprint.UNKNOWN)) {
      reported = now;
      return null;
    }
    reported = now;
    return now;
  }

  /** The answer from all the evidence so far (scored now). */
  Fingerprint current() {
    return fingerprinter.fingerprint();
  }

  private static boolean milestone(int n) {
    return n == 16 || n == 24 || n == 32 || n == 48 || n == 64;
  }

  private static boolean isId(String line) {
    int sp = line.indexOf(' ');
    return sp > 0 && line.regionMatches(true, sp + 1, "ID ", 0, 3);
  }

  static ClientIdentity identity(Fingerprint fp) {
    return new ClientIdentity(fp.family(), fp.version(), fp.confidence(), false);
  }

  /** The fingerprint as capture fields: family, version, confidence, evidence, alternatives. */
  static Map<String, Object> fields(Fingerprint fp) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("family", fp.family());
    if (fp.version() != null) {
      f.put("version", fp.version());
    }
    f.put("confidence", Math.round(fp.confidence() * 1000) / 1000.0);
    List<Map<String, Object>> evidence = new ArrayList<>();
    for (Evidence e : fp.evidence()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("kind", e.kind());
      m.put("detail", e.detail());
      if (e.weight() != 0) {
        m.put("weight", Math.round(e.weight() * 100) / 100.0);
      }
      evidence.add(m);
    }
    f.put("evidence", evidence);
    if (!fp.alsoPossible().isEmpty()) {
      f.put("alsoPossible", fp.alsoPossible());
    }
    return f;
  }

  /** For a log line: {@code thunderbird 128.0 (0.93; tag: …, id: …)}. */
  static String describe(Fingerprint fp) {
    StringBuilder sb = new StringBuilder(fp.family());
    if (fp.version() != null) {
      sb.append(' ').append(fp.version());
    }
    sb.append(String.format(Locale.ROOT, " (confidence %.2f", fp.confidence()));
    if (!fp.alsoPossible().isEmpty()) {
      sb.append("; also possible: ").append(String.join(", ", fp.alsoPossible()));
    }
    return sb.append(')').toString();
  }
}
