package dev.quirkproxy.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A replay server with several captures: one per connection, round robin, counted per capture. */
class ReplayServerPlaylistTest {

  @TempDir Path dir;

  private Recording capture(String greeting, String answer) {
    return Script.recording(
        dir,
        "imap",
        "S: * OK " + greeting,
        "C: a1 NOOP",
        "S: a1 OK " + answer,
        "C: a2 LOGOUT",
        "S: * BYE bye",
        "S: a2 OK bye");
  }

  private static List<String> session(int port, String... commands) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      OutputStream out = s.getOutputStream();
      List<String> got = new java.util.ArrayList<>();
      got.add(in.readLine());
      for (String c : commands) {
        out.write((c + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String tag = c.split(" ")[0];
        String line;
        while ((line = in.readLine()) != null) {
          got.add(line);
          if (line.startsWith(tag + " ")) {
            break;
          }
        }
      }
      return got;
    }
  }

  @Test
  void eachConnectionPlaysTheNextCaptureRoundRobin() throws Exception {
    Recording first = capture("first", "noop one");
    Recording second = capture("second", "noop two");
    try (ReplayServer server =
        new ReplayServer(List.of(first, second), ReplayOptions.defaults(), null)) {
      int port = server.start("127.0.0.1", 0).getPort();
      assertThat(session(port, "x NOOP")).containsExactly("* OK first", "x OK noop one");
      assertThat(session(port, "y NOOP", "z STATUS")).startsWith("* OK second", "y OK noop two");
      assertThat(session(port)).containsExactly("* OK first");
      List<ReplayServer.Played> played = server.played();
      assertThat(played).extracting(ReplayServer.Played::connections).containsExactly(2, 1);
      assertThat(played).extracting(ReplayServer.Played::answered).containsExactly(1, 1);
      assertThat(played).extracting(ReplayServer.Played::misses).containsExactly(0, 1);
      String table = ReplaySummary.server(dir, played);
      assertThat(table.lines().toList()).hasSize(6);
      assertThat(table)
          .startsWith("capture ")
          .contains(" | connections | commands answered | misses\n");
      assertThat(table)
          .contains(first.file().getFileName() + " |           2 |                 1 |      0\n")
          .contains(second.file().getFileName() + " |           1 |                 1 |      1\n")
          .contains("total (2)");
      assertThat(table.lines().reduce((a, b) -> b).orElseThrow())
          .endsWith("|           3 |                 2 |      1");
    }
  }

  @Test
  void capturesOfTwoProtocolsAreRefused() {
    Recording imap = capture("imap", "ok");
    Recording pop = Script.recording(dir, "pop3", "S: +OK pop", "C: NOOP", "S: +OK");
    assertThatThrownBy(() -> new ReplayServer(List.of(imap, pop), ReplayOptions.defaults(), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is POP3, not IMAP");
  }
}
