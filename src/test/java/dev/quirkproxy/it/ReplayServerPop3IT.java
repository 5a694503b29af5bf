package dev.quirkproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.capture.CaptureReader;
import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.replay.MissPolicy;
import dev.quirkproxy.replay.Recording;
import dev.quirkproxy.replay.ReplayOptions;
import dev.quirkproxy.replay.ReplayServer;
import dev.quirkproxy.session.Protocol;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Record and replay over POP3: a real client (Python's poplib, curl) runs through the recording
 * proxy against Dovecot's POP3, then the same client runs against {@code replay server} playing
 * that capture with no Dovecot behind it, and must end with the same result. Every live command
 * must find its recorded answer (misses fail the test).
 */
class ReplayServerPop3IT {

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
  void poplibEndsTheSameAgainstTheReplay() throws Exception {
    RealClientsIT.Client<String> poplib =
        (port, user, work) -> RealClientsIT.python(work, "pop3_client.py", port, user);
    Replayed<String> run = recordThenReplay("poplib", poplib);
    assertThat(run.recorded)
        .contains("pass b'+OK")
        .contains("stat (5, ")
        .contains("rset b'+OK")
        .contains("quit b'+OK Logging out");
    for (MailSeed.Message m : MailSeed.INBOX) {
      assertThat(run.recorded)
          .contains(
              "retr "
                  + m.uid()
                  + " b'+OK "
                  + m.crlfSize()
                  + " octets' "
                  + m.crlfSize()
                  + " "
                  + m.crlfSize()
                  + " "
                  + MailSeed.sha256(m.crlf())
                  + "\n");
    }
    assertThat(run.replayed).isEqualTo(run.recorded);
  }

  @Test
  void curlRetrievesTheSameMessageFromTheReplay() throws Exception {
    RealClientsIT.Client<String> curl =
        (port, user, work) -> RealClientsIT.curl(work, user, "pop3://127.0.0.1:" + port + "/3");
    Replayed<String> run = recordThenReplay("curl-retr", curl);
    // curl removes the dot-stuffing: the message as stored, CRLF.
    Transcripts.assertIdentical(
        "curl from the recording proxy",
        MailSeed.DOTS.crlf(),
        run.recorded.getBytes(StandardCharsets.ISO_8859_1));
    assertThat(run.replayed).isEqualTo(run.recorded);
  }

  @Test
  void curlListsTheSameMessagesFromTheReplay() throws Exception {
    RealClientsIT.Client<String> curl =
        (port, user, work) -> RealClientsIT.curl(work, user, "pop3://127.0.0.1:" + port + "/");
    Replayed<String> run = recordThenReplay("curl-list", curl);
    StringBuilder list = new StringBuilder();
    for (MailSeed.Message m : MailSeed.INBOX) {
      list.append(m.uid()).append(' ').append(m.crlfSize()).append("\r\n");
    }
    assertThat(run.recorded).isEqualTo(list.toString());
    assertThat(run.replayed).isEqualTo(run.recorded);
  }

  private record Replayed<T>(T recorded, T replayed) {}

  private <T> Replayed<T> recordThenReplay(String name, RealClientsIT.Client<T> client)
      throws Exception {
    String user = dovecot.newUser(name + "-replay");
    Path captures = tmp.resolve("captures-" + name);
    T recorded = record(client, user, captures);
    CaptureReader.Capture capture = RecordingSupport.onlyCapture(captures);
    Recording recording = Recording.of(capture);
    assertThat(recording.protocol()).isEqualTo(Protocol.POP3);
    try (ReplayServer replay =
        new ReplayServer(recording, new ReplayOptions(MissPolicy.BAD, Set.of()), null)) {
      int port = replay.start("127.0.0.1", 0).getPort();
      T replayed = client.run(port, user, Files.createDirectories(tmp.resolve(name + "-replayed")));
      assertThat(replay.misses()).as("live commands without a recorded answer").isZero();
      assertThat(replay.answered()).isPositive();
      return new Replayed<>(recorded, replayed);
    }
  }

  private <T> T record(RealClientsIT.Client<T> client, String user, Path dir) throws Exception {
    try (RecordingSupport.RecordingProxy proxy =
        RecordingSupport.RecordingProxy.start(
            Protocol.POP3, dovecot.pop3Port(), CaptureSettings.in(dir))) {
      T result =
          client.run(
              proxy.port(), user, Files.createDirectories(dir.resolveSibling(dir + "-work")));
      proxy.awaitNoSessions();
      return result;
    }
  }
}
