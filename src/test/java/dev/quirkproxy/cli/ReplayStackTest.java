package dev.quirkproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.relay.Endpoint;
import dev.quirkproxy.relay.ProxyTls;
import dev.quirkproxy.replay.Recording;
import dev.quirkproxy.replay.ReplayOptions;
import dev.quirkproxy.replay.Script;
import dev.quirkproxy.rules.RuleWatcher;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.tls.TlsMode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code replay server --rules}: a rules proxy in front of the replay changes what a client gets
 * from a recorded server (IDLE removed from the capabilities, NOOP answered by the proxy), and
 * picks up an edited rule file.
 */
class ReplayStackTest {

  private static final String HIDE_IDLE =
      """
      {"version": 1, "rules": [
        {"id": "no-idle",
         "when": {"protocol": "imap", "direction": "server", "line": "(?i)\\\\bCAPABILITY\\\\b"},
         "action": {"type": "capabilities", "remove": ["IDLE"]}},
        {"id": "noop-here",
         "when": {"protocol": "imap", "direction": "client", "command": "NOOP"},
         "action": {"type": "answer", "lines": "{tag} OK NOOP answered by the rules"}}
      ]}
      """;

  @TempDir Path dir;

  private Recording recorded() throws Exception {
    return Recording.read(
        Script.write(
            dir,
            "imap",
            "S: * OK ready",
            "C: a1 CAPABILITY",
            "S: * CAPABILITY IMAP4rev1 IDLE LITERAL+",
            "S: a1 OK done",
            "C: a2 NOOP",
            "S: * 3 EXISTS",
            "S: a2 OK recorded noop",
            "C: a3 LOGOUT",
            "S: * BYE bye",
            "S: a3 OK bye"));
  }

  private static List<String> session(int port, String... commands) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      OutputStream out = s.getOutputStream();
      List<String> got = new ArrayList<>();
      got.add(in.readLine());
      for (String c : commands) {
        out.write((c + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String tag = c.split(" ")[0];
        for (String line = in.readLine(); line != null; line = in.readLine()) {
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
  void rulesChangeWhatTheRecordedServerSends() throws Exception {
    Path rules = dir.resolve("rules.json");
    Files.writeString(rules, HIDE_IDLE, StandardCharsets.UTF_8);
    Endpoint at = new Endpoint(Protocol.IMAP, TlsMode.NONE, "127.0.0.1", 0);
    try (ReplayStack stack =
        ReplayStack.start(
            List.of(recorded()),
            ReplayOptions.defaults(),
            at,
            ProxyTls.NONE,
            RuleWatcher.watch(rules, Duration.ofHours(1)))) {
      assertThat(stack.listening().port()).isNotEqualTo(stack.replayEndpoint().port());
      assertThat(session(stack.replayEndpoint().port(), "b1 CAPABILITY", "b2 NOOP"))
          .as("the replay itself, without rules")
          .containsExactly(
              "* OK ready",
              "* CAPABILITY IMAP4rev1 IDLE LITERAL+",
              "b1 OK done",
              "* 3 EXISTS",
              "b2 OK recorded noop");
      assertThat(session(stack.listening().port(), "c1 CAPABILITY", "c2 NOOP"))
          .as("through the rules")
          .containsExactly(
              "* OK ready",
              "* CAPABILITY IMAP4rev1 LITERAL+",
              "c1 OK done",
              "c2 OK NOOP answered by the rules");

      Files.writeString(rules, "{\"version\": 1, \"rules\": []}", StandardCharsets.UTF_8);
      stack.rules().check();
      assertThat(session(stack.listening().port(), "d1 CAPABILITY"))
          .as("after the rules were emptied")
          .contains("* CAPABILITY IMAP4rev1 IDLE LITERAL+");
      assertThat(stack.replay().misses()).isZero();
    }
  }

  @Test
  void withoutRulesTheReplayListensItself() throws Exception {
    Endpoint at = new Endpoint(Protocol.IMAP, TlsMode.NONE, "127.0.0.1", 0);
    try (ReplayStack stack =
        ReplayStack.start(List.of(recorded()), ReplayOptions.defaults(), at, ProxyTls.NONE, null)) {
      assertThat(stack.front()).isNull();
      assertThat(stack.listening()).isEqualTo(stack.replayEndpoint());
      assertThat(session(stack.listening().port(), "e1 CAPABILITY"))
          .contains("* CAPABILITY IMAP4rev1 IDLE LITERAL+");
    }
  }
}
