package dev.quirkproxy.it;

import static dev.quirkproxy.it.RecordingSupport.latin1;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quirkproxy.capture.CaptureReader.Capture;
import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.capture.Direction;
import dev.quirkproxy.it.RecordingSupport.Cli;
import dev.quirkproxy.it.RecordingSupport.RecordingProxy;
import dev.quirkproxy.session.Protocol;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients (Python's imaplib, curl) through a recording proxy in front of Dovecot, secrets
 * kept: client → front tap → proxy → upstream tap → Dovecot. For every session the capture's
 * client>proxy bytes must be exactly what the client sent (the front tap's record) and its
 * upstream>proxy bytes exactly what Dovecot sent (the upstream tap's record), and the command line
 * ({@code captures export|show|verify}) must give the same. The 5 MiB message goes through the
 * capture's blob file, which keeps the JSON Lines file small.
 */
class RecordingRoundTripIT {

  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(60);

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

  /** Sessions a client ran through the recording proxy, and what the taps saw. */
  private record Recorded(
      Path captures,
      List<Capture> sessions,
      List<TcpTap.Conversation> front,
      List<TcpTap.Conversation> upstream) {}

  @FunctionalInterface
  private interface ClientRun {
    void run(int port, String user, Path work) throws Exception;
  }

  @Test
  void pythonImaplibSessionsAreRecordedByteForByte() throws Exception {
    Recorded r =
        record(
            Protocol.IMAP,
            "rt-imaplib",
            (port, user, work) -> {
              String summary = python(work, "imap_client.py", port, user);
              assertThat(summary)
                  .contains("login OK")
                  .contains(
                      "body 5 OK "
                          + MailSeed.BIG.crlfSize()
                          + " "
                          + MailSeed.sha256(MailSeed.BIG.crlf()))
                  .contains("logout ('BYE'");
            });
    // imaplib's main connection and the one that appends during IDLE.
    assertThat(r.sessions()).hasSize(2);
    assertRecordedExactly(r);
    assertBigLiteralInBlob(r.sessions().get(0));
    assertCommandLineAgrees(r);
    // The secret is kept (--record-secrets): LOGIN is recorded as sent.
    assertThat(latin1(r.sessions().get(0).bytes(Direction.CLIENT_TO_PROXY)))
        .contains(" LOGIN ")
        .contains(Dovecot.PASSWORD);
    assertThat(r.sessions().get(0).header().path("secrets").asText()).isEqualTo("kept");
  }

  @Test
  void curlImapSessionsAreRecordedByteForByte() throws Exception {
    List<String> outputs = new ArrayList<>();
    Recorded r =
        record(
            Protocol.IMAP,
            "rt-curl-imap",
            (port, user, work) -> {
              String base = "imap://127.0.0.1:" + port;
              outputs.add(curl(work, user, base + "/"));
              outputs.add(curl(work, user, base + "/INBOX;UID=5"));
              outputs.add(curl(work, user, base + "/INBOX;UID=3"));
            });
    assertThat(outputs.get(0)).contains("INBOX");
    Transcripts.assertIdentical(
        "what curl fetched (UID 5)", MailSeed.BIG.crlf(), latin1(outputs.get(1)));
    Transcripts.assertIdentical(
        "what curl fetched (UID 3)", MailSeed.DOTS.crlf(), latin1(outputs.get(2)));
    assertThat(r.sessions()).hasSize(3);
    assertRecordedExactly(r);
    assertBigLiteralInBlob(r.sessions().get(1));
    assertCommandLineAgrees(r);
  }

  @Test
  void curlPop3SessionsAreRecordedByteForByte() throws Exception {
    List<String> outputs = new ArrayList<>();
    Recorded r =
        record(
            Protocol.POP3,
            "rt-curl-pop3",
            (port, user, work) -> {
              String base = "pop3://127.0.0.1:" + port;
              outputs.add(curl(work, user, base + "/"));
              outputs.add(curl(work, user, base + "/5"));
              outputs.add(curl(work, user, base + "/3"));
            });
    Transcripts.assertIdentical(
        "what curl retrieved (5)", MailSeed.BIG.crlf(), latin1(outputs.get(1)));
    Transcripts.assertIdentical(
        "what curl retrieved (3)", MailSeed.DOTS.crlf(), latin1(outputs.get(2)));
    assertThat(r.sessions()).hasSize(3);
    assertRecordedExactly(r);
    assertBigLiteralInBlob(r.sessions().get(1));
    assertCommandLineAgrees(r);
  }

  // ---------------------------------------------------------------- checks

  /**
   * Capture i (in accept order) against front-tap conversation i and upstream-tap conversation i:
   * client bytes and server bytes identical, footer byte counts matching, nothing else in the
   * proxy's two sending directions (nothing was changed).
   */
  private static void assertRecordedExactly(Recorded r) throws IOException {
    assertThat(r.front()).hasSameSizeAs(r.sessions());
    assertThat(r.upstream()).hasSameSizeAs(r.sessions());
    for (int i = 0; i < r.sessions().size(); i++) {
      Capture c = r.sessions().get(i);
      String what = "session " + i + " (" + c.file().getFileName() + ")";
      assertThat(c.problems()).as("%s: problems", what).isEmpty();
      assertThat(c.header().path("secrets").asText()).isEqualTo("kept");
      byte[] client = c.bytes(Direction.CLIENT_TO_PROXY);
      byte[] server = c.bytes(Direction.UPSTREAM_TO_PROXY);
      Transcripts.assertIdentical(
          what + ": recorded client>proxy vs what the client sent",
          r.front().get(i).fromClient(),
          client);
      Transcripts.assertIdentical(
          what + ": recorded upstream>proxy vs what Dovecot sent",
          r.upstream().get(i).fromServer(),
          server);
      // What each side got from the proxy, rebuilt from the capture: received parts forwarded as
      // they came, plus what the proxy sent instead of those it did not forward.
      Transcripts.assertIdentical(
          what + ": rebuilt proxy>upstream vs what Dovecot received",
          r.upstream().get(i).fromClient(),
          sentOnward(c, Direction.CLIENT_TO_PROXY, Direction.PROXY_TO_UPSTREAM));
      Transcripts.assertIdentical(
          what + ": rebuilt proxy>client vs what the client received",
          r.front().get(i).fromServer(),
          sentOnward(c, Direction.UPSTREAM_TO_PROXY, Direction.PROXY_TO_CLIENT));
      assertThat(c.footer().path("bytes").path("client>proxy").asLong())
          .as("%s: footer client>proxy", what)
          .isEqualTo(client.length);
      assertThat(c.footer().path("bytes").path("upstream>proxy").asLong())
          .as("%s: footer upstream>proxy", what)
          .isEqualTo(server.length);
      assertThat(c.footer().path("events").asLong())
          .as("%s: footer event count", what)
          .isEqualTo(c.events().size());
      long seq = 0;
      for (ObjectNode e : c.events()) {
        assertThat(e.path("seq").asLong()).as("%s: sequence", what).isEqualTo(++seq);
      }
    }
  }

  /**
   * The bytes the proxy sent on in one direction, according to the capture: every part received
   * from the other side that has no outcome event (forwarded as it came), and every part the proxy
   * sent itself in that direction, in event order.
   */
  private static byte[] sentOnward(Capture c, Direction received, Direction sent)
      throws IOException {
    java.util.Set<Long> notForwarded = new java.util.HashSet<>();
    for (ObjectNode e : c.events()) {
      if (e.path("type").asText().equals("outcome")) {
        notForwarded.add(e.path("of").asLong());
      }
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (ObjectNode e : c.events()) {
      if (!e.path("type").asText().equals("frame")) {
        continue;
      }
      String dir = e.path("dir").asText();
      if ((dir.equals(received.code()) && !notForwarded.contains(e.path("seq").asLong()))
          || dir.equals(sent.code())) {
        out.write(c.data(e));
      }
    }
    return out.toByteArray();
  }

  /**
   * The session that carried the 5 MiB message: its JSON Lines file is small and its blob file
   * holds (nearly all of) the message, in large chunks.
   */
  private static void assertBigLiteralInBlob(Capture c) throws IOException {
    Path blob =
        c.file().resolveSibling(c.file().getFileName().toString().replace(".jsonl", ".blob"));
    assertThat(blob).exists();
    long jsonl = Files.size(c.file());
    long blobSize = Files.size(blob);
    assertThat(jsonl).as("size of %s", c.file()).isLessThan(200 * 1024);
    byte[] big = MailSeed.BIG.crlf();
    // Chunks of up to 4 KiB stay inline; the rest of the message is in the blob.
    assertThat(blobSize).as("size of %s", blob).isGreaterThan(big.length * 95L / 100);
    long inBlob = 0;
    int blobEvents = 0;
    for (ObjectNode e : c.events()) {
      if (e.has("blob")) {
        blobEvents++;
        inBlob += e.path("blob").path("length").asLong();
        assertThat(e.path("blob").path("file").asText()).isEqualTo(blob.getFileName().toString());
        assertThat(e.path("blob").path("length").asLong())
            .isGreaterThan(CaptureSettings.DEFAULT_INLINE_LIMIT);
      }
    }
    assertThat(inBlob).as("octets the events place in the blob").isEqualTo(blobSize);
    assertThat(blobEvents).isPositive();
    // The blob holds the message's bytes as they came: a long run of them is in it verbatim.
    byte[] blobBytes = Files.readAllBytes(blob);
    byte[] probe = java.util.Arrays.copyOfRange(big, big.length / 2, big.length / 2 + 64 * 1024);
    assertThat(RecordingSupport.indexOf(blobBytes, probe, 0))
        .as("64 KiB from the middle of the message, in the blob")
        .isNotNegative();
  }

  /** {@code captures export|show|verify} on each capture. */
  private void assertCommandLineAgrees(Recorded r) throws IOException {
    Path out = Files.createDirectories(tmp.resolve("export"));
    for (int i = 0; i < r.sessions().size(); i++) {
      Capture c = r.sessions().get(i);
      String file = c.file().toString();
      Path clientBytes = out.resolve(i + ".client");
      Path serverBytes = out.resolve(i + ".server");
      Cli e1 =
          RecordingSupport.cli(
              "captures",
              "export",
              file,
              "--format",
              "client-bytes",
              "--output",
              clientBytes.toString());
      assertThat(e1.exitCode()).as(e1.err()).isZero();
      Cli e2 =
          RecordingSupport.cli(
              "captures",
              "export",
              file,
              "--format",
              "server-bytes",
              "--output",
              serverBytes.toString());
      assertThat(e2.exitCode()).as(e2.err()).isZero();
      Transcripts.assertIdentical(
          "export --format client-bytes, session " + i,
          r.front().get(i).fromClient(),
          Files.readAllBytes(clientBytes));
      Transcripts.assertIdentical(
          "export --format server-bytes, session " + i,
          r.upstream().get(i).fromServer(),
          Files.readAllBytes(serverBytes));

      // By session id too, as a user would name it.
      String id = c.header().path("session").asText();
      Cli show =
          RecordingSupport.cli(
              "captures", "show", "--dir", r.captures().toString(), "--no-color", id);
      assertThat(show.exitCode()).as(show.err()).isZero();
      assertThat(show.err()).isEmpty();
      String firstServerLine = firstLine(r.upstream().get(i).fromServer());
      String firstClientLine = firstLine(r.front().get(i).fromClient());
      assertThat(show.out())
          .startsWith("# " + c.header().path("protocol").asText() + " session " + id + " from ")
          .contains("\nS: " + firstServerLine + "\n")
          .contains("\nC: " + firstClientLine + "\n")
          .contains("\n# ended ")
          .doesNotContain("\u001b[");
      for (ObjectNode e : c.events()) {
        if (e.has("blob")) {
          // Without --full a blob chunk is shown as its size.
          assertThat(show.out())
              .contains(
                  "["
                      + e.path("blob").path("length").asLong()
                      + " octets in "
                      + e.path("blob").path("file").asText()
                      + "]");
        }
      }
      Path json = out.resolve(i + ".json");
      Cli e3 =
          RecordingSupport.cli(
              "captures", "export", file, "--format", "json", "--output", json.toString());
      assertThat(e3.exitCode()).as(e3.err()).isZero();
      JsonNode doc = new ObjectMapper().readTree(json.toFile());
      assertThat(doc.path("header")).isEqualTo(c.header());
      assertThat(doc.path("footer")).isEqualTo(c.footer());
      assertThat(doc.path("problems")).isEmpty();
      java.io.ByteArrayOutputStream fromJson = new java.io.ByteArrayOutputStream();
      for (JsonNode e : doc.path("events")) {
        assertThat(e.has("blob")).as("blob data inlined in the JSON export").isFalse();
        if (e.path("dir").asText().equals(Direction.UPSTREAM_TO_PROXY.code())) {
          fromJson.write(
              e.has("text")
                  ? e.path("text").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8)
                  : java.util.Base64.getDecoder().decode(e.path("base64").asText()));
        }
      }
      Transcripts.assertIdentical(
          "export --format json, server bytes, session " + i,
          r.upstream().get(i).fromServer(),
          fromJson.toByteArray());

      boolean changedSomething =
          c.events().stream().anyMatch(e -> e.path("type").asText().equals("outcome"));
      if (changedSomething) {
        // POP3: the proxy takes CAPA answers apart and sends its own (here: the same) version.
        assertThat(show.out()).contains("\nS> ").contains("\n!  #");
      } else {
        for (String line : show.out().split("\n", -1)) {
          assertThat(line).doesNotStartWith("C> ").doesNotStartWith("S> ").doesNotStartWith("!");
        }
      }

      Cli verify = RecordingSupport.cli("captures", "verify", file);
      assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
      assertThat(verify.out())
          .isEqualTo(
              file
                  + ": ok, "
                  + c.events().size()
                  + " events, footer: "
                  + c.footer().path("reason").asText()
                  + "\n");
    }
    Cli verifyAll =
        RecordingSupport.cli(
            java.util.stream.Stream.concat(
                    java.util.stream.Stream.of("captures", "verify"),
                    r.sessions().stream().map(s -> s.file().toString()))
                .toArray(String[]::new));
    assertThat(verifyAll.exitCode()).as(verifyAll.out()).isZero();
    Cli list = RecordingSupport.cli("captures", "list", "--dir", r.captures().toString());
    assertThat(list.exitCode()).isZero();
    assertThat(list.out().lines().count()).isEqualTo(1 + r.sessions().size());
    assertThat(list.out()).doesNotContain("(incomplete)");
  }

  private static String firstLine(byte[] bytes) {
    String s = latin1(bytes);
    int end = s.indexOf("\r\n");
    return end < 0 ? s : s.substring(0, end);
  }

  // ---------------------------------------------------------------- harness

  private Recorded record(Protocol protocol, String name, ClientRun client) throws Exception {
    int dovecotPort = protocol == Protocol.IMAP ? dovecot.imapPort() : dovecot.pop3Port();
    String user = dovecot.newUser(name);
    Path work = Files.createDirectories(tmp.resolve("work-" + name));
    Path captures = tmp.resolve("captures-" + name);
    CaptureSettings settings =
        new CaptureSettings(
            captures,
            true,
            false,
            CaptureSettings.OnError.CLOSE,
            0,
            0,
            CaptureSettings.DEFAULT_INLINE_LIMIT);
    List<TcpTap.Conversation> front;
    List<TcpTap.Conversation> upstream;
    try (TcpTap upstreamTap = new TcpTap(dovecotPort);
        RecordingProxy proxy = RecordingProxy.start(protocol, upstreamTap.port(), settings);
        TcpTap frontTap = new TcpTap(proxy.port())) {
      try {
        client.run(frontTap.port(), user, work);
      } catch (Exception | AssertionError e) {
        String log = dovecot.log();
        throw new AssertionError(
            name
                + " failed: "
                + Transcripts.shorten(e.getMessage())
                + "\n--- Dovecot log tail ---\n"
                + log.substring(Math.max(0, log.length() - 3000)),
            e);
      }
      front = frontTap.awaitAllClosed(ProxyRig.CLOSE_TIMEOUT);
      upstream = upstreamTap.awaitAllClosed(ProxyRig.CLOSE_TIMEOUT);
      proxy.awaitNoSessions();
      proxy.close();
    }
    return new Recorded(captures, RecordingSupport.readAll(captures), front, upstream);
  }

  private static String curl(Path work, String user, String url, String... extra)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            "curl",
            "--silent",
            "--show-error",
            "--max-time",
            "60",
            "--user",
            user + ":" + Dovecot.PASSWORD));
    cmd.addAll(List.of(extra));
    cmd.add(url);
    return latin1(Exec.run(CLIENT_TIMEOUT, work, Map.of(), cmd).expectExit(0).stdout());
  }

  private static String python(Path work, String script, int port, String user)
      throws IOException, InterruptedException, URISyntaxException {
    URL resource = RecordingRoundTripIT.class.getResource("/clients/" + script);
    assertThat(resource).as("test resource clients/%s", script).isNotNull();
    return Exec.run(
            CLIENT_TIMEOUT,
            work,
            Map.of("PYTHONDONTWRITEBYTECODE", "1", "PYTHONIOENCODING", "utf-8"),
            List.of(
                "python3",
                Path.of(resource.toURI()).toString(),
                "127.0.0.1",
                Integer.toString(port),
                user,
                Dovecot.PASSWORD))
        .expectExit(0)
        .stdoutText();
  }
}
