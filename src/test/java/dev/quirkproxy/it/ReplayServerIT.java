package dev.quirkproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.capture.CaptureReader;
import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.replay.MissPolicy;
import dev.quirkproxy.replay.Recording;
import dev.quirkproxy.replay.ReplayOptions;
import dev.quirkproxy.replay.ReplayServer;
import dev.quirkproxy.replay.ReplaySummary;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.tls.CertificateAuthority;
import dev.quirkproxy.tls.TlsContexts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Record and replay: a real client runs through the recording proxy against Dovecot, then the same
 * client runs against {@code replay server} playing that capture, with no Dovecot behind it, and
 * must end with the same result. Misses fail the test (every live command must find its answer).
 */
class ReplayServerIT {

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
  void curlFetchesTheSameMessageFromTheReplay() throws Exception {
    RealClientsIT.Client<String> curl =
        (port, user, work) ->
            RealClientsIT.curl(work, user, "imap://127.0.0.1:" + port + "/INBOX;UID=2");
    Replayed<String> run = recordThenReplay(Protocol.IMAP, "curl", curl);
    Transcripts.assertIdentical(
        "curl from the replay",
        MailSeed.MULTIPART.crlf(),
        run.replayed.getBytes(StandardCharsets.ISO_8859_1));
    assertThat(run.replayed).isEqualTo(run.recorded);
  }

  @Test
  void imaplibEndsTheSameAgainstTheReplay() throws Exception {
    RealClientsIT.Client<String> imaplib =
        (port, user, work) ->
            withoutTimings(RealClientsIT.python(work, "rules_client.py", port, user));
    Replayed<String> run = recordThenReplay(Protocol.IMAP, "imaplib", imaplib);
    assertThat(run.recorded)
        .contains("login: ('OK'")
        .contains("idle done: TAG OK Idle completed")
        .contains("logout: ('BYE'");
    assertThat(run.replayed).isEqualTo(run.recorded);
  }

  @Test
  void mbsyncPullsTheSameMessagesFromTheReplay() throws Exception {
    Replayed<List<String>> run =
        recordThenReplay(
            Protocol.IMAP, "mbsync", (port, user, work) -> RealClientsIT.mbsync(work, port, user));
    assertThat(run.recorded).hasSize(MailSeed.INBOX.size());
    assertThat(run.replayed).isEqualTo(run.recorded);
  }

  @Test
  void theReplayServesAsTheProxysUpstream() throws Exception {
    RealClientsIT.Client<String> curl =
        (port, user, work) ->
            RealClientsIT.curl(work, user, "imap://127.0.0.1:" + port + "/INBOX;UID=3");
    String user = dovecot.newUser("replay-upstream");
    Path captures = tmp.resolve("captures-upstream");
    String recorded = record(Protocol.IMAP, curl, user, captures);
    Recording recording = Recording.read(RecordingSupport.captureFiles(captures).get(0));
    try (ReplayServer replay =
        new ReplayServer(recording, new ReplayOptions(MissPolicy.BAD, Set.of()), null)) {
      int port = replay.start("127.0.0.1", 0).getPort();
      try (ProxyRig rig = ProxyRig.start(Protocol.IMAP, port)) {
        String through = curl.run(rig.port(), user, Files.createDirectories(tmp.resolve("via")));
        assertThat(through).isEqualTo(recorded);
        Transcripts.assertIdentical(
            "curl via proxy from the replay",
            MailSeed.DOTS.crlf(),
            through.getBytes(StandardCharsets.ISO_8859_1));
      }
      assertThat(replay.misses()).isZero();
    }
  }

  @Test
  void curlUpgradesWithStartTlsAndFetchesTheSameMessage() throws Exception {
    String user = dovecot.newUser("replay-starttls");
    Path captures = tmp.resolve("captures-starttls");
    String recorded =
        record(
            Protocol.IMAP,
            (port, u, work) ->
                RealClientsIT.curl(work, u, "imap://127.0.0.1:" + port + "/INBOX;UID=2"),
            user,
            captures);
    Recording recording = Recording.read(RecordingSupport.captureFiles(captures).get(0));
    CertificateAuthority ca = CertificateAuthority.loadOrCreate(tmp.resolve("ca"));
    try (ReplayServer replay =
        new ReplayServer(
            List.of(recording),
            new ReplayOptions(MissPolicy.BAD, Set.of()),
            TlsContexts.server(ca.issue(List.of()), false, null),
            true)) {
      int port = replay.start("127.0.0.1", 0).getPort();
      String got =
          RealClientsIT.curl(
              Files.createDirectories(tmp.resolve("starttls-run")),
              user,
              "imap://127.0.0.1:" + port + "/INBOX;UID=2",
              "--ssl-reqd",
              "-k");
      assertThat(got).isEqualTo(recorded);
      assertThat(replay.misses()).isZero();
    }
  }

  @Test
  void aDirectoryOfTwoCapturesServesOnePerConnection() throws Exception {
    String user = dovecot.newUser("replay-dir");
    Path dir = Files.createDirectories(tmp.resolve("two"));
    String[] recorded = new String[2];
    List<Path> files = new java.util.ArrayList<>();
    for (int i = 0; i < 2; i++) {
      int uid = i + 2;
      RealClientsIT.Client<String> curl =
          (port, u, work) ->
              RealClientsIT.curl(work, u, "imap://127.0.0.1:" + port + "/INBOX;UID=" + uid);
      // Recorded in place: a capture's blob file is named in its events, so it cannot be renamed.
      Path captures = dir.resolve((i + 1) + "-uid" + uid);
      recorded[i] = record(Protocol.IMAP, curl, user, captures);
      files.addAll(RecordingSupport.captureFiles(captures));
    }
    assertThat(files).hasSize(2);
    List<Recording> recordings =
        List.of(Recording.read(files.get(0)), Recording.read(files.get(1)));
    try (ReplayServer replay =
        new ReplayServer(recordings, new ReplayOptions(MissPolicy.BAD, Set.of()), null)) {
      int port = replay.start("127.0.0.1", 0).getPort();
      for (int i = 0; i < 2; i++) {
        String got =
            RealClientsIT.curl(
                Files.createDirectories(tmp.resolve("dir-run-" + i)),
                user,
                "imap://127.0.0.1:" + port + "/INBOX;UID=" + (i + 2));
        assertThat(got).as("connection %d plays capture %d", i + 1, i + 1).isEqualTo(recorded[i]);
      }
      assertThat(replay.misses()).isZero();
      List<ReplayServer.Played> played = replay.played();
      assertThat(played).extracting(ReplayServer.Played::connections).containsExactly(1, 1);
      String table = ReplaySummary.server(dir, played);
      String first = ReplaySummary.name(dir, files.get(0));
      String second = ReplaySummary.name(dir, files.get(1));
      assertThat(first).startsWith("1-uid2/");
      int answered = played.get(0).answered() + played.get(1).answered();
      assertThat(played.get(0).answered()).isPositive();
      assertThat(table.lines().toList())
          .hasSize(6)
          .first()
          .asString()
          .startsWith("capture ")
          .endsWith(" | connections | commands answered | misses");
      assertThat(table)
          .contains(first + " |           1 | ")
          .contains(second + " |           1 | ")
          .containsPattern("total \\(2\\) +\\|           2 \\| +" + answered + " \\|      0\n$");
    }
  }

  private record Replayed<T>(T recorded, T replayed) {}

  private <T> Replayed<T> recordThenReplay(
      Protocol protocol, String name, RealClientsIT.Client<T> client) throws Exception {
    String user = dovecot.newUser(name + "-replay");
    Path captures = tmp.resolve("captures-" + name);
    T recorded = record(protocol, client, user, captures);
    CaptureReader.Capture capture = RecordingSupport.onlyCapture(captures);
    Recording recording = Recording.of(capture);
    try (ReplayServer replay =
        new ReplayServer(recording, new ReplayOptions(MissPolicy.BAD, Set.of()), null)) {
      int port = replay.start("127.0.0.1", 0).getPort();
      T replayed = client.run(port, user, Files.createDirectories(tmp.resolve(name + "-replayed")));
      assertThat(replay.misses()).as("live commands without a recorded answer").isZero();
      assertThat(replay.answered()).isPositive();
      return new Replayed<>(recorded, replayed);
    }
  }

  private <T> T record(Protocol protocol, RealClientsIT.Client<T> client, String user, Path dir)
      throws Exception {
    int upstream = protocol == Protocol.IMAP ? dovecot.imapPort() : dovecot.pop3Port();
    try (RecordingSupport.RecordingProxy proxy =
        RecordingSupport.RecordingProxy.start(protocol, upstream, CaptureSettings.in(dir))) {
      T result =
          client.run(
              proxy.port(), user, Files.createDirectories(dir.resolveSibling(dir + "-work")));
      proxy.awaitNoSessions();
      return result;
    }
  }

  /** The summary without the time SELECT took and imaplib's random tag prefix. */
  private static String withoutTimings(String summary) {
    return summary
        .replaceAll("(?m)^select seconds: .*$", "select seconds: -")
        .replaceAll("(?m)^idle done: [A-Z]{4}\\d+ ", "idle done: TAG ");
  }
}
