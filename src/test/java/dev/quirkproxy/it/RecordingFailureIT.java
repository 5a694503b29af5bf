package dev.quirkproxy.it;

import static dev.quirkproxy.it.RecordingSupport.latin1;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.quirkproxy.capture.CaptureReader;
import dev.quirkproxy.capture.CaptureReader.Capture;
import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.capture.CaptureSettings.OnError;
import dev.quirkproxy.capture.Direction;
import dev.quirkproxy.it.RecordingSupport.Cli;
import dev.quirkproxy.it.RecordingSupport.LogCapture;
import dev.quirkproxy.it.RecordingSupport.PackagedProxy;
import dev.quirkproxy.it.RecordingSupport.RecordingProxy;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.testing.ScriptedServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Captures that cannot be written. The capture directory is a path under a regular file, which
 * nobody can create, root included (permissions would not stop root). With {@code close} the
 * session is refused before anything reaches the upstream; with {@code continue} it is relayed and
 * a warning logged. A capture that fails in the middle of a session (its blob file cannot be
 * created) ends the session at the next frame boundary, or goes on with the gap marked.
 */
class RecordingFailureIT {

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

  /** A directory that cannot be created: its parent is a regular file. */
  private Path unwritable() throws Exception {
    Path file = Files.writeString(tmp.resolve("a-regular-file"), "not a directory\n");
    return file.resolve("captures");
  }

  private static CaptureSettings settings(Path dir, OnError onError, int inlineLimit) {
    return new CaptureSettings(dir, false, false, onError, 0, 0, inlineLimit);
  }

  // ---------------------------------------------------------------- unwritable: close

  @Test
  void imapSessionIsRefusedAndNothingReachesTheUpstream() throws Exception {
    try (TcpTap tap = new TcpTap(dovecot.imapPort());
        LogCapture logs = new LogCapture(Level.INFO);
        RecordingProxy proxy =
            RecordingProxy.start(
                Protocol.IMAP,
                tap.port(),
                settings(unwritable(), OnError.CLOSE, CaptureSettings.DEFAULT_INLINE_LIMIT))) {
      try (RawClient client = RawClient.connect(proxy.port(), "refused imap client")) {
        String first = client.line();
        assertThat(first).startsWith("* BYE [UNAVAILABLE] quirkproxy: recording failed: ");
        // A client that does not wait for the greeting: nothing it sends may go anywhere.
        client.sendLine("a LOGIN someone " + Dovecot.PASSWORD);
        assertThat(client.drain()).isEmpty();
      } catch (java.net.SocketException e) {
        // The proxy may have closed before the LOGIN was written: also fine.
      }
      proxy.awaitNoSessions();
      Thread.sleep(200);
      assertThat(tap.conversations()).as("connections to the upstream").isEmpty();
      assertThat(logs.warnings())
          .anyMatch(
              w ->
                  w.contains("recording failed (")
                      && w.contains("closing the session rather than relaying it unrecorded"));
    }
  }

  @Test
  void pop3SessionIsRefusedAndNothingReachesTheUpstream() throws Exception {
    try (TcpTap tap = new TcpTap(dovecot.pop3Port());
        RecordingProxy proxy =
            RecordingProxy.start(
                Protocol.POP3,
                tap.port(),
                settings(unwritable(), OnError.CLOSE, CaptureSettings.DEFAULT_INLINE_LIMIT))) {
      try (RawClient client = RawClient.connect(proxy.port(), "refused pop3 client")) {
        assertThat(client.line()).startsWith("-ERR [SYS/TEMP] quirkproxy: recording failed: ");
        assertThat(client.drain()).isEmpty();
      }
      proxy.awaitNoSessions();
      Thread.sleep(200);
      assertThat(tap.conversations()).as("connections to the upstream").isEmpty();
    }
  }

  // ---------------------------------------------------------------- unwritable: continue

  @Test
  void withContinueTheSessionIsRelayedAndAWarningLogged() throws Exception {
    Path dir = unwritable();
    try (TcpTap imapTap = new TcpTap(dovecot.imapPort());
        TcpTap pop3Tap = new TcpTap(dovecot.pop3Port());
        LogCapture logs = new LogCapture(Level.INFO);
        RecordingProxy imap =
            RecordingProxy.start(
                Protocol.IMAP,
                imapTap.port(),
                settings(dir, OnError.CONTINUE, CaptureSettings.DEFAULT_INLINE_LIMIT));
        RecordingProxy pop3 =
            RecordingProxy.start(
                Protocol.POP3,
                pop3Tap.port(),
                settings(dir, OnError.CONTINUE, CaptureSettings.DEFAULT_INLINE_LIMIT))) {
      try (RawClient client = RawClient.connect(imap.port(), "imap client")) {
        assertThat(client.line()).startsWith("* OK [CAPABILITY ");
        client.sendLine("a NOOP");
        assertThat(client.untilTagged("a")).startsWith("a OK ");
        client.sendLine("z LOGOUT");
        assertThat(client.untilTagged("z")).contains("* BYE ").contains("z OK ");
      }
      try (RawClient client = RawClient.connect(pop3.port(), "pop3 client")) {
        assertThat(client.line()).startsWith("+OK ");
        client.sendLine("CAPA");
        assertThat(client.pop3(true)).startsWith("+OK").contains("\r\nUSER\r\n");
        client.sendLine("QUIT");
        assertThat(client.line()).startsWith("+OK ");
      }
      imap.awaitNoSessions();
      pop3.awaitNoSessions();
      List<TcpTap.Conversation> relayed = imapTap.awaitAllClosed(ProxyRig.CLOSE_TIMEOUT);
      assertThat(relayed).hasSize(1);
      assertThat(latin1(relayed.get(0).fromClient())).isEqualTo("a NOOP\r\nz LOGOUT\r\n");
      assertThat(pop3Tap.awaitAllClosed(ProxyRig.CLOSE_TIMEOUT)).hasSize(1);
      assertThat(
              logs.warnings().stream()
                  .filter(
                      w -> w.contains("relaying continues unrecorded, the capture marks the gap")))
          .hasSize(2);
    }
    assertThat(dir.getParent()).isRegularFile();
  }

  /** The packaged proxy says at start that it cannot record, then applies its policy. */
  @Test
  void packagedProxyWarnsAtStartThenRefusesOrRelays() throws Exception {
    Path dir = unwritable();
    String upstream = "imap://127.0.0.1:" + dovecot.imapPort();
    try (PackagedProxy proxy =
        PackagedProxy.start(
            tmp.resolve("close.stderr"), "--upstream", upstream, "--captures", dir.toString())) {
      assertThat(proxy.stderr())
          .contains("captures cannot be written to " + dir)
          .contains("sessions will be refused");
      try (RawClient client = RawClient.connect(proxy.port(), "refused client")) {
        assertThat(client.line()).startsWith("* BYE [UNAVAILABLE] quirkproxy: recording failed: ");
        assertThat(client.drain()).isEmpty();
      }
    }
    try (PackagedProxy proxy =
        PackagedProxy.start(
            tmp.resolve("continue.stderr"),
            "--upstream",
            upstream,
            "--captures",
            dir.toString(),
            "--on-record-error",
            "continue")) {
      assertThat(proxy.stderr()).contains("sessions will go unrecorded");
      try (RawClient client = RawClient.connect(proxy.port(), "relayed client")) {
        assertThat(client.line()).startsWith("* OK ");
        client.sendLine("a NOOP");
        assertThat(client.untilTagged("a")).startsWith("a OK ");
        client.sendLine("z LOGOUT");
        assertThat(client.untilTagged("z")).contains("z OK ");
      }
      assertThat(proxy.stderr()).contains("relaying continues unrecorded");
    }
  }

  /**
   * A capture whose file could not be created is closed quietly: no writer error about it (the
   * writer thread logged {@code capture writer: java.lang.NullPointerException} when it tried to
   * write the footer of a capture that never opened).
   */
  @Test
  void aCaptureThatNeverOpenedEndsWithoutAWriterError() throws Exception {
    for (OnError policy : OnError.values()) {
      Files.writeString(tmp.resolve("file-" + policy), "a file\n");
    }
    try (TcpTap tap = new TcpTap(dovecot.imapPort());
        LogCapture logs = new LogCapture(Level.INFO)) {
      for (OnError policy : OnError.values()) {
        try (RecordingProxy proxy =
            RecordingProxy.start(
                Protocol.IMAP,
                tap.port(),
                settings(
                    tmp.resolve("file-" + policy).resolve("x"),
                    policy,
                    CaptureSettings.DEFAULT_INLINE_LIMIT))) {
          try (RawClient client = RawClient.connect(proxy.port(), "client")) {
            client.line();
            client.sendLine("z LOGOUT");
            client.drain();
          } catch (java.net.SocketException e) {
            // Refused (close): fine.
          }
          proxy.awaitNoSessions();
        }
      }
      assertThat(logs.warnings()).noneMatch(w -> w.contains("capture writer:"));
      assertThat(logs.warnings()).noneMatch(w -> w.contains("Exception"));
    }
  }

  // ---------------------------------------------------------------- failing mid-session

  /**
   * The capture opens, then its blob file cannot be created (a directory is in the way) when the
   * first large literal arrives: with {@code close}, the literal still reaches the client whole,
   * then {@code * BYE} at the frame boundary, and nothing the client sends after reaches the
   * server.
   */
  @Test
  void failingMidSessionWithCloseEndsTheSessionAtTheFrameBoundary() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    Path dir = tmp.resolve("captures-mid-close");
    try (ScriptedServer server = new ScriptedServer(s -> literalServer(s, received));
        LogCapture logs = new LogCapture(Level.INFO);
        RecordingProxy proxy =
            RecordingProxy.start(
                Protocol.IMAP, server.port(), settings(dir, OnError.CLOSE, 1000))) {
      try (RawClient client = RawClient.connect(proxy.port(), "client")) {
        assertThat(client.line()).startsWith("* OK");
        blockBlob(dir);
        client.sendLine("a FETCH 1 BODY[]");
        String fetch = client.line();
        assertThat(fetch).isEqualTo("* 1 FETCH (BODY[] {" + LITERAL.length + "}");
        assertThat(client.bytes(LITERAL.length)).isEqualTo(LITERAL);
        assertThat(client.line()).isEqualTo(")");
        // The failure is noticed on the writer thread, so what the server sent in the same breath
        // (the tagged OK) may be out before the proxy knows; then comes the goodbye.
        String next = client.line();
        if (next.equals("a OK done")) {
          next = client.line();
        }
        assertThat(next).startsWith("* BYE ").contains("quirkproxy: recording failed: ");
        try {
          client.sendLine("b NOOP");
          client.drain();
        } catch (java.net.SocketException e) {
          // Closed already.
        }
      }
      proxy.awaitNoSessions();
      assertThat(received).doesNotContain("b NOOP");
      assertThat(logs.warnings())
          .anyMatch(w -> w.contains("closing the session rather than relaying it unrecorded"));
    }
  }

  /**
   * With {@code close}, once recording has failed nothing the client sends may reach the server
   * unrecorded, even while the proxy waits for the server's frame to end before its {@code * BYE}.
   */
  @Test
  void afterAFailureMidFrameNothingMoreFromTheClientIsRelayed() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    Path dir = tmp.resolve("captures-mid-pipelined");
    try (ScriptedServer server = new ScriptedServer(s -> literalServer(s, received, true));
        RecordingProxy proxy =
            RecordingProxy.start(
                Protocol.IMAP, server.port(), settings(dir, OnError.CLOSE, 1000))) {
      try (RawClient client = RawClient.connect(proxy.port(), "client")) {
        assertThat(client.line()).startsWith("* OK");
        blockBlob(dir);
        client.sendLine("a FETCH 1 BODY[]");
        assertThat(client.line()).isEqualTo("* 1 FETCH (BODY[] {" + LITERAL.length + "}");
        client.bytes(LITERAL.length / 2);
        // The first half of the literal failed to record long ago; the server waits for this.
        Thread.sleep(300);
        client.sendLine("b STORE 1 +FLAGS (\\Deleted)");
        client.bytes(LITERAL.length - LITERAL.length / 2);
        assertThat(client.line()).isEqualTo(")");
        assertThat(client.line()).startsWith("* BYE ").contains("recording failed");
      }
      proxy.awaitNoSessions();
      assertThat(received).as("what the server got").containsExactly("a FETCH 1 BODY[]");
    }
  }

  /**
   * The same with {@code continue}: the session goes on, and the capture is complete (footer and
   * all) with its gap marked in the footer; {@code captures verify} must not call it ok.
   */
  @Test
  void failingMidSessionWithContinueMarksTheGap() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    Path dir = tmp.resolve("captures-mid-continue");
    Capture c;
    try (ScriptedServer server = new ScriptedServer(s -> literalServer(s, received));
        LogCapture logs = new LogCapture(Level.INFO);
        RecordingProxy proxy =
            RecordingProxy.start(
                Protocol.IMAP, server.port(), settings(dir, OnError.CONTINUE, 1000))) {
      try (RawClient client = RawClient.connect(proxy.port(), "client")) {
        assertThat(client.line()).startsWith("* OK");
        blockBlob(dir);
        client.sendLine("a FETCH 1 BODY[]");
        assertThat(client.untilTagged("a")).contains("a OK");
        client.sendLine("b NOOP");
        assertThat(client.untilTagged("b")).contains("b OK");
        client.sendLine("z LOGOUT");
        client.untilTagged("z");
      }
      proxy.awaitNoSessions();
      proxy.close();
      assertThat(received).contains("b NOOP");
      assertThat(logs.warnings()).anyMatch(w -> w.contains("relaying continues unrecorded"));
      c = CaptureReader.read(RecordingSupport.captureFiles(dir).get(0));
    }
    assertThat(c.footer()).as("footer").isNotNull();
    assertThat(c.footer().path("gaps").asLong()).as("gaps in the footer").isPositive();
    // The record stops at the failure: the NOOP is not in it.
    assertThat(latin1(c.bytes(Direction.CLIENT_TO_PROXY))).isEqualTo("a FETCH 1 BODY[]\r\n");
    Cli verify = RecordingSupport.cli("captures", "verify", c.file().toString());
    assertThat(verify.exitCode())
        .as("verify of a capture with gaps: %s", verify.out())
        .isEqualTo(1);
  }

  private static final byte[] LITERAL = new byte[10_000];

  static {
    Arrays.fill(LITERAL, (byte) 'x');
  }

  /** A server whose FETCH answer carries a 10 000 octet literal; records the lines it got. */
  private static void literalServer(Socket socket, List<String> received) throws Exception {
    literalServer(socket, received, false);
  }

  /**
   * The same; with {@code pause} it stops after half the literal until the client sent a line (or
   * two seconds passed).
   */
  private static void literalServer(Socket socket, List<String> received, boolean pause)
      throws Exception {
    BufferedReader in =
        new BufferedReader(
            new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
    OutputStream out = socket.getOutputStream();
    out.write("* OK [CAPABILITY IMAP4rev1] scripted\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    for (String line; (line = in.readLine()) != null; ) {
      received.add(line);
      String tag = line.split(" ")[0];
      if (line.contains(" FETCH ")) {
        out.write(
            ("* 1 FETCH (BODY[] {" + LITERAL.length + "}\r\n").getBytes(StandardCharsets.US_ASCII));
        if (pause) {
          out.write(LITERAL, 0, LITERAL.length / 2);
          out.flush();
          socket.setSoTimeout(2000);
          try {
            String during = in.readLine();
            if (during != null) {
              received.add(during);
            }
          } catch (java.net.SocketTimeoutException e) {
            // Nothing came: as it should be.
          }
          socket.setSoTimeout(0);
          out.write(LITERAL, LITERAL.length / 2, LITERAL.length - LITERAL.length / 2);
        } else {
          out.write(LITERAL);
        }
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

  /** Puts a directory where the open capture's blob file is about to be created. */
  private static void blockBlob(Path dir) throws Exception {
    List<Path> files = RecordingSupport.captureFiles(dir);
    assertThat(files).as("the capture, open since before the greeting").hasSize(1);
    Path jsonl = files.get(0);
    String name = jsonl.getFileName().toString();
    Files.createDirectory(jsonl.resolveSibling(name.replace(".jsonl", ".blob")));
  }
}
