package dev.quirkproxy.it;

import static dev.quirkproxy.it.RecordingSupport.latin1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quirkproxy.capture.CaptureReader;
import dev.quirkproxy.capture.CaptureReader.Capture;
import dev.quirkproxy.capture.Direction;
import dev.quirkproxy.it.RecordingSupport.Cli;
import dev.quirkproxy.it.RecordingSupport.PackagedProxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged proxy killed with SIGKILL in the middle of a session: what it recorded until then is
 * intact (every line written is one complete JSON object, sequence numbers run on without a hole,
 * blob ranges are readable), at most the last moments are missing, and {@code captures verify}
 * reports the capture as cut or without a footer (exit 1).
 */
class RecordingCrashIT {

  /** How long the test lets the proxy settle before the kill: the writer flushes every 100 ms. */
  private static final long SETTLE_MILLIS = 1000;

  private static Dovecot dovecot;

  @TempDir Path tmp;

  @BeforeAll
  static void startDovecot() throws Exception {
    dovecot = Dovecot.start();
  }

  @AfterAll
  static void stopDovecot() {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  @Test
  void killedInTheMiddleOfABigFetch() throws Exception {
    String user = dovecot.newUser("crash-big");
    Path captures = tmp.resolve("captures");
    PackagedProxy proxy = startProxy(captures, "--record-secrets");
    RawClient client = null;
    try {
      client = RawClient.connect(proxy.port(), "crash client");
      assertThat(client.line()).startsWith("* OK");
      client.sendLine("a LOGIN " + user + " " + Dovecot.PASSWORD);
      client.untilTagged("a");
      client.sendLine("b SELECT INBOX");
      client.untilTagged("b");
      // One whole 5 MiB FETCH, then half of a second one.
      client.sendLine("c UID FETCH 5 BODY.PEEK[]");
      assertThat(client.untilTagged("c")).contains("c OK");
      client.sendLine("d UID FETCH 5 BODY.PEEK[]");
      String fetch = client.line();
      long size = RawClient.literalAtEnd(fetch);
      assertThat(size).as(fetch).isEqualTo(MailSeed.BIG.crlfSize());
      client.bytes(size / 2);
      // Everything the client has now passed the proxy at least SETTLE_MILLIS before the kill.
      Thread.sleep(SETTLE_MILLIS);
      proxy.process().destroyForcibly();
      assertThat(proxy.process().waitFor(20, TimeUnit.SECONDS)).isTrue();

      Capture c = checkCut(captures);
      byte[] sent = client.sent();
      byte[] received = client.received();
      Transcripts.assertIdentical(
          "recorded client>proxy vs all the client sent", sent, c.bytes(Direction.CLIENT_TO_PROXY));
      byte[] recorded = c.bytes(Direction.UPSTREAM_TO_PROXY);
      assertThat((long) recorded.length)
          .as("octets recorded from Dovecot, vs %d the client had received", received.length)
          .isGreaterThanOrEqualTo(received.length);
      Transcripts.assertIdentical(
          "what the client received vs the start of what was recorded from Dovecot",
          received,
          java.util.Arrays.copyOf(recorded, received.length));
      // The first FETCH went into the blob, and the blob ranges the events name are all there.
      assertThat(
              c.events().stream()
                  .filter(e -> e.has("blob"))
                  .mapToLong(e -> e.path("blob").path("length").asLong())
                  .sum())
          .isGreaterThan(MailSeed.BIG.crlfSize());
    } finally {
      if (client != null) {
        client.close();
      }
      proxy.close();
    }
  }

  @Test
  void killedWhileTheClientSendsManySmallCommands() throws Exception {
    String user = dovecot.newUser("crash-small");
    Path captures = tmp.resolve("captures");
    PackagedProxy proxy = startProxy(captures);
    RawClient client = RawClient.connect(proxy.port(), "crash client");
    AtomicBoolean stop = new AtomicBoolean();
    List<Throwable> failures = new ArrayList<>();
    Thread load =
        new Thread(
            () -> {
              try {
                for (int i = 0; !stop.get(); i++) {
                  // Pipelined batches of NOOPs: many small lines in both directions.
                  StringBuilder batch = new StringBuilder();
                  for (int j = 0; j < 20; j++) {
                    batch.append('n').append(i).append('-').append(j).append(" NOOP\r\n");
                  }
                  client.send(batch.toString());
                  client.untilTagged("n" + i + "-19");
                }
              } catch (Throwable e) {
                if (!stop.get()) {
                  synchronized (failures) {
                    failures.add(e);
                  }
                }
              }
            },
            "noop-load");
    try {
      assertThat(client.line()).startsWith("* OK");
      client.sendLine("a LOGIN " + user + " " + Dovecot.PASSWORD);
      client.untilTagged("a");
      load.start();
      // Let it run, then kill without warning while commands and answers are in flight.
      Thread.sleep(1000);
      proxy.process().destroyForcibly();
      assertThat(proxy.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
      stop.set(true);
      load.join(30_000);
      assertThat(load.isAlive()).isFalse();

      Capture c = checkCut(captures);
      assertThat(c.events().size()).as("events recorded in 1 s of NOOPs").isGreaterThan(100);
      checkTornCopy(c, tmp.resolve("torn.jsonl"));
      // The password is redacted (the default); otherwise the record is what the client sent.
      String sent = latin1(client.sent()).replace(Dovecot.PASSWORD, "[REDACTED]");
      String recordedClient = latin1(c.bytes(Direction.CLIENT_TO_PROXY));
      assertThat(sent).as("what the client sent").startsWith(recordedClient);
      assertThat(recordedClient).contains(" LOGIN " + user + " [REDACTED]\r\n");
      // Dovecot's answers: the client's copy and the record are cut from the same stream.
      String received = latin1(client.received());
      String recordedServer = latin1(c.bytes(Direction.UPSTREAM_TO_PROXY));
      String shorter = received.length() < recordedServer.length() ? received : recordedServer;
      String longer = shorter == received ? recordedServer : received;
      assertThat(longer).as("received vs recorded from Dovecot").startsWith(shorter);
      assertThat(recordedServer).contains(" OK NOOP completed");
    } finally {
      stop.set(true);
      client.close();
      proxy.close();
      load.join(10_000);
    }
    synchronized (failures) {
      for (Throwable t : failures) {
        // Only the kill may end the load: a read cut short by it is expected, nothing else.
        assertThat(String.valueOf(t))
            .as("load thread")
            .containsAnyOf("closed", "reset", "Broken pipe", "Socket closed");
      }
    }
  }

  // ---------------------------------------------------------------- checks

  /**
   * The one capture of a killed proxy: {@code captures verify} exits 1 naming a cut or a missing
   * footer; the reader keeps every event before the cut, in sequence, each a complete JSON object.
   */
  private static Capture checkCut(Path captures) throws Exception {
    List<Path> files = RecordingSupport.captureFiles(captures);
    assertThat(files).hasSize(1);
    Path file = files.get(0);

    Cli verify = RecordingSupport.cli("captures", "verify", file.toString());
    assertThat(verify.exitCode()).as(verify.out() + verify.err()).isEqualTo(1);
    assertThat(verify.out())
        .startsWith(file + ": ")
        .containsAnyOf("cut at line ", "no footer: the session did not end cleanly");

    Capture c = CaptureReader.read(file);
    assertThat(c.header()).isNotNull();
    assertThat(c.footer()).isNull();
    assertThat(c.complete()).isFalse();
    assertThat(c.problems()).isNotEmpty();
    assertThat(c.events()).isNotEmpty();

    // Each line that ends in a line feed is one whole JSON object; only an unterminated tail may
    // be left, and the reader names where it starts.
    byte[] all = Files.readAllBytes(file);
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < all.length; i++) {
      if (all[i] == '\n') {
        lines.add(json.readTree(new String(all, start, i - start, StandardCharsets.UTF_8)));
        start = i + 1;
      }
    }
    assertThat(lines).allMatch(JsonNode::isObject);
    assertThat(lines).hasSize(1 + c.events().size());
    if (start < all.length) {
      int lineNo = lines.size() + 1;
      assertThat(c.problems().get(0))
          .startsWith(
              "cut at line "
                  + lineNo
                  + " (byte "
                  + start
                  + "): the last line is incomplete, "
                  + (all.length - start)
                  + " bytes");
      assertThat(verify.out()).contains("cut at line " + lineNo + " (byte " + start + ")");
    } else {
      assertThat(c.problems()).hasSize(1);
      assertThat(c.problems().get(0)).startsWith("no footer: the session did not end cleanly");
    }

    // Sequence numbers 1, 2, 3, ... with no hole: nothing in the middle was lost.
    long seq = 0;
    for (ObjectNode e : c.events()) {
      assertThat(e.path("seq").asLong()).isEqualTo(++seq);
    }
    return c;
  }

  /**
   * A kill -9 leaves whole lines (the writer hands whole buffers of lines to the system), so a torn
   * last line needs a crash of the machine or a full disk; here it is made by cutting a copy of the
   * capture inside its last line. Everything before the cut is read back, and verify says where.
   */
  private static void checkTornCopy(Capture c, Path torn) throws Exception {
    byte[] all = Files.readAllBytes(c.file());
    int lastLineStart = all.length - 1;
    while (lastLineStart > 0 && all[lastLineStart - 1] != '\n') {
      lastLineStart--;
    }
    int cutAt = lastLineStart + (all.length - lastLineStart) / 2;
    Files.write(torn, java.util.Arrays.copyOf(all, cutAt));
    long lines = 0;
    for (int i = 0; i < cutAt; i++) {
      if (all[i] == '\n') {
        lines++;
      }
    }
    Capture t = CaptureReader.read(torn);
    assertThat(t.events()).hasSize(c.events().size() - 1);
    assertThat(t.events()).isEqualTo(c.events().subList(0, c.events().size() - 1));
    String cut = "cut at line " + (lines + 1) + " (byte " + lastLineStart + ")";
    assertThat(t.problems().get(0)).startsWith(cut + ": the last line is incomplete");
    Cli verify = RecordingSupport.cli("captures", "verify", torn.toString());
    assertThat(verify.exitCode()).isEqualTo(1);
    assertThat(verify.out()).contains(torn + ": " + cut);
  }

  private PackagedProxy startProxy(Path captures, String... extra) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--upstream",
                "imap://127.0.0.1:" + dovecot.imapPort(),
                "--captures",
                captures.toString()));
    args.addAll(List.of(extra));
    return PackagedProxy.start(tmp.resolve("proxy.stderr"), args.toArray(String[]::new));
  }
}
