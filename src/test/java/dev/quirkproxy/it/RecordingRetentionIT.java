package dev.quirkproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.capture.CaptureReader;
import dev.quirkproxy.capture.CaptureReader.Capture;
import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.it.RecordingSupport.RecordingProxy;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.testing.ScriptedServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention: with a file limit only the newest captures stay, their blob files with them and the
 * others' blob files gone; a capture still being written is never deleted; a byte limit deletes
 * from the oldest. Every session carries a literal larger than the inline limit, so every capture
 * has a blob file.
 */
class RecordingRetentionIT {

  private static final int INLINE_LIMIT = 100;
  private static final byte[] LITERAL = new byte[10_000];

  static {
    Arrays.fill(LITERAL, (byte) 'r');
  }

  @TempDir Path tmp;

  private ScriptedServer server;

  @BeforeEach
  void startServer() throws IOException {
    server = new ScriptedServer(RecordingRetentionIT::serve);
  }

  @AfterEach
  void stopServer() throws IOException {
    server.close();
  }

  @Test
  void onlyTheThreeNewestCapturesAndTheirBlobsRemain() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("captures"));
    List<String> ids = new ArrayList<>();
    try (RecordingProxy proxy =
        RecordingProxy.start(Protocol.IMAP, server.port(), limits(dir, 3, 0))) {
      for (int i = 0; i < 5; i++) {
        ids.add(session(proxy, dir));
        // All five must have existed: each capture was there, with its blob, after its session.
        assertThat(RecordingSupport.captureFiles(dir)).hasSize(Math.min(i + 1, 3));
      }
    }
    assertRemaining(dir, ids.subList(2, 5));
  }

  @Test
  void aCaptureStillBeingWrittenIsNotDeleted() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("captures"));
    List<String> ids = new ArrayList<>();
    try (RecordingProxy proxy =
            RecordingProxy.start(Protocol.IMAP, server.port(), limits(dir, 2, 0));
        RawClient longOne = RawClient.connect(proxy.port(), "long session")) {
      assertThat(longOne.line()).startsWith("* OK");
      fetch(longOne);
      for (int i = 0; i < 3; i++) {
        ids.add(session(proxy, dir, 1));
      }
      // The long session is still open: its capture stays, however old.
      fetch(longOne);
      longOne.sendLine("z LOGOUT");
      longOne.untilTagged("z");
      longOne.close();
      proxy.awaitNoSessions();
      proxy.close();
      List<Capture> left = RecordingSupport.readAll(dir);
      assertThat(left).hasSizeGreaterThanOrEqualTo(2);
      Capture oldest = left.get(0);
      assertThat(oldest.problems()).isEmpty();
      assertThat(oldest.footer().path("reason").asText()).isEqualTo("client closed the connection");
      // Two fetches of the long session, both in its blob.
      assertThat(Files.size(blobOf(oldest.file())))
          .isBetween(2L * LITERAL.length - 1000, 2L * LITERAL.length);
      assertThat(left.get(left.size() - 1).header().path("session").asText()).isEqualTo(ids.get(2));
    }
  }

  @Test
  void aByteLimitDeletesTheOldestFirst() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("captures"));
    List<String> ids = new ArrayList<>();
    // Each capture is a little over 10 000 octets: its blob plus a few JSON lines.
    long maxBytes = 25_000;
    try (RecordingProxy proxy =
        RecordingProxy.start(Protocol.IMAP, server.port(), limits(dir, 0, maxBytes))) {
      for (int i = 0; i < 5; i++) {
        ids.add(session(proxy, dir));
      }
    }
    List<Path> files = RecordingSupport.captureFiles(dir);
    // The limit is checked before a new capture is opened: what was there before the newest one
    // fits, the newest one comes on top.
    long older = 0;
    for (Path p : files.subList(0, files.size() - 1)) {
      older += Files.size(p) + Files.size(blobOf(p));
    }
    assertThat(older).isLessThanOrEqualTo(maxBytes);
    assertThat(files.size()).isBetween(2, 3);
    assertRemaining(dir, ids.subList(ids.size() - files.size(), ids.size()));
  }

  /** The store creates its directory itself; retention must not trip over a missing one. */
  @Test
  void retentionWorksBeforeTheDirectoryExists() throws Exception {
    Path dir = tmp.resolve("not-yet").resolve("captures");
    List<String> ids = new ArrayList<>();
    try (RecordingProxy proxy =
        RecordingProxy.start(Protocol.IMAP, server.port(), limits(dir, 3, 0))) {
      ids.add(session(proxy, dir));
    }
    assertRemaining(dir, ids);
  }

  // ---------------------------------------------------------------- harness

  private static CaptureSettings limits(Path dir, int maxFiles, long maxBytes) {
    return new CaptureSettings(
        dir, false, false, CaptureSettings.OnError.CLOSE, maxFiles, maxBytes, INLINE_LIMIT);
  }

  /**
   * One whole session with a FETCH of the literal; returns the id of its capture (the one new
   * capture file). Sessions are one after the other, at least a few milliseconds apart, so that
   * their captures' names sort by age.
   */
  private static String session(RecordingProxy proxy, Path dir) throws Exception {
    return session(proxy, dir, 0);
  }

  /** The same while {@code others} sessions stay open. */
  private static String session(RecordingProxy proxy, Path dir, int others) throws Exception {
    Set<Path> before = new HashSet<>(RecordingSupport.captureFiles(dir));
    try (RawClient client = RawClient.connect(proxy.port(), "client")) {
      String greeting = client.line();
      assertThat(greeting).as("greeting (the capture could not be opened?)").startsWith("* OK");
      fetch(client);
      client.sendLine("z LOGOUT");
      client.untilTagged("z");
    }
    long until = System.nanoTime() + 10_000_000_000L;
    while (proxy.server().openSessions() > others && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    assertThat(proxy.server().openSessions()).as("open sessions").isEqualTo(others);
    // The footer and the file's close are queued on the writer: wait until the capture is whole.
    Path mine = null;
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      List<Path> now = new ArrayList<>(RecordingSupport.captureFiles(dir));
      now.removeAll(before);
      if (now.size() == 1 && CaptureReader.read(now.get(0)).complete()) {
        mine = now.get(0);
        break;
      }
      Thread.sleep(10);
    }
    assertThat(mine).as("the new, complete capture in %s", dir).isNotNull();
    assertThat(blobOf(mine)).exists();
    Thread.sleep(5);
    return CaptureReader.read(mine).header().path("session").asText();
  }

  private static void fetch(RawClient client) throws IOException {
    client.sendLine("a FETCH 1 BODY[]");
    assertThat(client.untilTagged("a")).contains("a OK");
  }

  /**
   * Exactly the captures of {@code ids} remain, complete, each with its blob, and no other blob.
   */
  private static void assertRemaining(Path dir, List<String> ids) throws IOException {
    List<Capture> left = RecordingSupport.readAll(dir);
    assertThat(left.stream().map(c -> c.header().path("session").asText()).toList())
        .as("sessions whose captures remain")
        .isEqualTo(ids);
    List<Path> blobs = new ArrayList<>();
    for (Capture c : left) {
      assertThat(c.problems()).as("%s", c.file()).isEmpty();
      blobs.add(blobOf(c.file()));
      // The literal, but for chunks that happened to be small enough to stay inline.
      assertThat(Files.size(blobOf(c.file())))
          .isBetween(LITERAL.length - 1000L, (long) LITERAL.length);
    }
    assertThat(RecordingSupport.filesEndingWith(dir, ".blob"))
        .containsExactlyInAnyOrderElementsOf(blobs);
  }

  private static Path blobOf(Path jsonl) {
    return jsonl.resolveSibling(jsonl.getFileName().toString().replace(".jsonl", ".blob"));
  }

  /** Greets, answers FETCH with the literal, LOGOUT with BYE, anything else with OK. */
  private static void serve(Socket socket) throws IOException {
    BufferedReader in =
        new BufferedReader(
            new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
    OutputStream out = socket.getOutputStream();
    out.write("* OK ready\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    for (String line; (line = in.readLine()) != null; ) {
      String tag = line.split(" ")[0];
      if (line.contains(" FETCH ")) {
        out.write(
            ("* 1 FETCH (BODY[] {" + LITERAL.length + "}\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(LITERAL);
        out.write((")\r\n" + tag + " OK done\r\n").getBytes(StandardCharsets.US_ASCII));
      } else if (line.contains(" LOGOUT")) {
        out.write(("* BYE bye\r\n" + tag + " OK done\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return;
      } else {
        out.write((tag + " OK done\r\n").getBytes(StandardCharsets.US_ASCII));
      }
      out.flush();
    }
  }
}
