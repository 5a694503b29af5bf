package dev.quirkproxy.fingerprint;

import dev.quirkproxy.session.Protocol;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The fingerprinter with {@link Catalog#builtin()}, fed the way the relay's ClientIdentification
 * feeds it (first lines of frames, server first lines too). In this package only because scoring on
 * its own ({@link Scorer#score}, {@code observations()}) is package-private; the public {@code
 * fingerprint()} caches its answer until new evidence arrives.
 *
 * <ul>
 *   <li>{@code clientFrameSteady}: one client command line after the session's first 64 commands
 *       (only an ID is looked for then) — the per-command cost for the rest of a session.
 *   <li>{@code openingTranscript}: a fresh fingerprinter fed a Thunderbird session's opening (30
 *       lines: 14 client, 16 server; ID, ENABLE, LIST, SELECT, UID FETCH, IDLE) and then scored
 *       once, as the relay does on the first commands.
 *   <li>{@code scoreThunderbird} / {@code scoreNoId}: {@code Scorer.score(catalog, observations())}
 *       for a session with an ID command and for one without (Apple Mail-like shape, no ID: the
 *       catalog's heuristics decide).
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FingerprinterBench {

  /** Thunderbird 115 against mox (mjl-/mox#66), as in src/test/resources/fingerprints. */
  private static final List<String> THUNDERBIRD =
      List.of(
          "S: * OK [CAPABILITY IMAP4rev2 IMAP4rev1 ENABLE LITERAL+ IDLE SASL-IR ID UIDPLUS"
              + " AUTH=PLAIN AUTH=CRAM-MD5 LIST-EXTENDED SPECIAL-USE] mox imap",
          "C: 57 capability",
          "S: * CAPABILITY IMAP4rev2 IMAP4rev1 ENABLE LITERAL+ IDLE SASL-IR ID UIDPLUS AUTH=PLAIN"
              + " AUTH=CRAM-MD5 LIST-EXTENDED SPECIAL-USE",
          "S: 57 OK done",
          "C: 58 authenticate CRAM-MD5",
          "S: + PDEyMzQ1Njc4OTAuMTIzQGxvY2FsaG9zdD4=",
          "C: bWpsQG1veC5leGFtcGxlIGYzOGE2ZjQ0ZTNhZmFhNDY3ZDg2NTAyOWRiNjg1MzVm",
          "S: 58 OK [CAPABILITY IMAP4rev2 IMAP4rev1 ENABLE LITERAL+ IDLE SASL-IR ID UIDPLUS"
              + " LIST-EXTENDED SPECIAL-USE] authenticate done",
          "C: 59 ID (\"name\" \"Thunderbird\" \"version\" \"115.2.2\")",
          "S: * ID (\"name\" \"mox\" \"version\" \"v0.0.7\")",
          "S: 59 OK done",
          "C: 60 ENABLE UTF8=ACCEPT",
          "S: * ENABLED UTF8=ACCEPT",
          "S: 60 OK enabled",
          "C: 61 list (subscribed) \"\" \"*\" return (special-use)",
          "S: * LIST (\\Subscribed) \"/\" INBOX",
          "S: 61 OK list done",
          "C: 62 select \"INBOX\"",
          "S: * 3 EXISTS",
          "S: 62 OK [READ-WRITE] select done",
          "C: 63 UID fetch 1:* (FLAGS)",
          "S: * 1 FETCH (UID 1 FLAGS (\\Seen))",
          "S: 63 OK fetch done",
          "C: 64 IDLE",
          "S: + idling",
          "C: DONE",
          "S: 64 OK idle done",
          "C: 65 noop",
          "S: 65 OK noop done",
          "C: 66 UID fetch 4:* (FLAGS)");

  /** Apple Mail-like without ID (mjl-/mox#66 shape). */
  private static final List<String> NO_ID =
      List.of(
          "S: * OK [CAPABILITY IMAP4rev2 IMAP4rev1 ID IDLE AUTH=PLAIN] mox imap",
          "C: 2.1 LOGIN \"alice@example.org\" \"secret\"",
          "S: 2.1 OK logged in",
          "C: 3.1 SELECT INBOX",
          "S: * 4 EXISTS",
          "S: 3.1 OK [READ-WRITE] done",
          "C: 4.1 FETCH 1:4 (FLAGS UID)",
          "S: * 1 FETCH (FLAGS () UID 1)",
          "S: 4.1 OK done",
          "C: 5.1 LSUB \"\" *",
          "S: * LSUB () \"/\" INBOX",
          "S: 5.1 OK done",
          "C: 6.1 IDLE",
          "S: + idling",
          "C: DONE",
          "S: 6.1 OK done",
          "C: 7.1 UID FETCH 1:* (FLAGS UID)",
          "S: 7.1 OK done");

  /** What a client sends for the rest of a session. */
  private static final String[] STEADY = {
    "167 UID fetch 4001:* (FLAGS)",
    "168 noop",
    "169 UID fetch 4017:4020 (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Bcc"
        + " Subject Date Message-ID Priority X-Priority References Newsgroups In-Reply-To"
        + " Content-Type Reply-To)])",
    "170 uid store 4018 +FLAGS (\\Seen)",
    "171 STATUS \"Sent\" (UIDNEXT MESSAGES UNSEEN RECENT)",
    "172 UID search UNSEEN",
  };

  private Catalog catalog;
  private Fingerprinter steady;
  private Fingerprinter thunderbird;
  private Fingerprinter noId;
  private int next;

  @Setup(Level.Trial)
  public void setup() {
    catalog = Catalog.builtin();
    thunderbird = feed(new Fingerprinter(catalog, Protocol.IMAP), THUNDERBIRD);
    noId = feed(new Fingerprinter(catalog, Protocol.IMAP), NO_ID);
    steady = feed(new Fingerprinter(catalog, Protocol.IMAP), THUNDERBIRD);
    for (int i = 0; i < 80; i++) {
      steady.clientFrame(STEADY[i % STEADY.length].replace("167 ", (200 + i) + " "));
    }
    System.out.printf(
        java.util.Locale.ROOT,
        "%n[fingerprint] thunderbird -> %s %s (%.2f); no-id -> %s (%.2f); steady -> %s%n",
        thunderbird.fingerprint().family(),
        thunderbird.fingerprint().version(),
        thunderbird.fingerprint().confidence(),
        noId.fingerprint().family(),
        noId.fingerprint().confidence(),
        steady.fingerprint().family());
  }

  private static Fingerprinter feed(Fingerprinter fp, List<String> transcript) {
    for (String l : transcript) {
      if (l.startsWith("S: ")) {
        fp.server(l.substring(3));
      } else {
        fp.clientFrame(l.substring(3));
      }
    }
    return fp;
  }

  @Benchmark
  public Fingerprinter clientFrameSteady() {
    String line = STEADY[next];
    next = next == STEADY.length - 1 ? 0 : next + 1;
    steady.clientFrame(line);
    return steady;
  }

  @Benchmark
  public Fingerprint openingTranscript() {
    return feed(new Fingerprinter(catalog, Protocol.IMAP), THUNDERBIRD).fingerprint();
  }

  @Benchmark
  public Fingerprint scoreThunderbird() {
    return Scorer.score(catalog, thunderbird.observations());
  }

  @Benchmark
  public Fingerprint scoreNoId() {
    return Scorer.score(catalog, noId.observations());
  }
}
