package dev.quirkproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.relay.Endpoint;
import dev.quirkproxy.relay.ProxyConfig;
import dev.quirkproxy.relay.ProxyServer;
import dev.quirkproxy.rules.RuleEngine;
import dev.quirkproxy.rules.RuleLoader;
import dev.quirkproxy.rules.RuleSet;
import dev.quirkproxy.rules.RuleWatcher;
import dev.quirkproxy.session.Protocol;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rule actions through the live proxy in front of Dovecot, seen by a real client (Python imaplib,
 * {@code clients/rules_client.py}, which uses IDLE only when announced) or a raw socket; and hot
 * reload while a session is open.
 */
class RulesLiveIT {

  private static Dovecot dovecot;
  private ProxyServer proxy;
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

  @AfterEach
  void stopProxy() {
    if (proxy != null) {
      proxy.shutdown(Duration.ofSeconds(2));
    }
  }

  private int proxyWith(Supplier<RuleSet> rules) throws InterruptedException {
    proxy =
        new ProxyServer(
            ProxyConfig.of(
                new Endpoint(Protocol.IMAP, false, "127.0.0.1", 0),
                new Endpoint(Protocol.IMAP, false, "127.0.0.1", dovecot.imapPort())),
            List.of(new RuleEngine(rules)),
            null);
    return proxy.start().port();
  }

  private int proxyWith(String rulesJson) throws InterruptedException {
    RuleLoader.Result r =
        RuleLoader.load("test.json", "{\"version\": 1, \"rules\": [" + rulesJson + "]}");
    assertThat(r.errors()).isEmpty();
    return proxyWith(r::rules);
  }

  /** Runs the imaplib client through the proxy; returns its "step: result" lines. */
  private String imaplib(int port) throws Exception {
    URL script = RulesLiveIT.class.getResource("/clients/rules_client.py");
    Exec.Result r =
        Exec.run(
                Duration.ofSeconds(60),
                tmp,
                Map.of("PYTHONDONTWRITEBYTECODE", "1", "PYTHONIOENCODING", "utf-8"),
                List.of(
                    "python3",
                    Path.of(script.toURI()).toString(),
                    "127.0.0.1",
                    Integer.toString(port),
                    dovecot.newUser("rules"),
                    Dovecot.PASSWORD))
            .expectExit(0);
    return r.stdoutText();
  }

  private static String step(String output, String name) {
    for (String line : output.split("\n")) {
      if (line.startsWith(name + ": ")) {
        return line.substring(name.length() + 2);
      }
    }
    return null;
  }

  @Test
  void withoutRulesTheClientUsesIdle() throws Exception {
    String out = imaplib(proxyWith(""));
    assertThat(step(out, "capabilities")).contains("IDLE");
    assertThat(step(out, "idle")).startsWith("+");
    assertThat(step(out, "poll")).isNull();
  }

  @Test
  void removingIdleMakesTheClientPoll() throws Exception {
    String out =
        imaplib(
            proxyWith(
                """
                {"id": "no-idle", "action": {"type": "capabilities", "remove": ["IDLE"], "add": ["X-QUIRK"]}}
                """));
    assertThat(step(out, "capabilities")).doesNotContain(" IDLE").contains("X-QUIRK");
    assertThat(step(out, "idle")).isNull();
    assertThat(step(out, "poll")).contains("OK");
  }

  @Test
  void theProxyAnswersNoop() throws Exception {
    String out =
        imaplib(
            proxyWith(
                """
                {"id": "noop", "when": {"command": "NOOP"},
                 "action": {"type": "answer", "lines": ["* 99 RECENT", "{tag} OK NOOP answered by the proxy"]}}
                """));
    assertThat(step(out, "noop")).contains("NOOP answered by the proxy");
    assertThat(step(out, "untagged")).contains("RECENT");
  }

  @Test
  void aDelayedTaggedOkArrivesLate() throws Exception {
    String out =
        imaplib(
            proxyWith(
                """
                {"id": "slow-select", "when": {"command": "SELECT", "response": {"kind": "tagged", "status": "OK"}},
                 "action": {"type": "delay", "ms": 1200}}
                """));
    assertThat(Double.parseDouble(step(out, "select seconds"))).isGreaterThanOrEqualTo(1.1);
    assertThat(step(out, "fetch")).contains("OK");
  }

  @Test
  void byeAfterLogin() throws Exception {
    String out =
        imaplib(
            proxyWith(
                """
                {"id": "bye", "when": {"command": "LOGIN", "response": "tagged"},
                 "action": {"type": "bye", "text": "quirkproxy: testing a BYE after LOGIN", "forwardFirst": true}}
                """));
    assertThat(step(out, "login")).contains("OK");
    assertThat(step(out, "aborted")).isNotNull();
    assertThat(step(out, "logout")).isNull();
  }

  @Test
  void aRenamedMailboxIsSeenUnderItsNewName() throws Exception {
    String out =
        imaplib(
            proxyWith(
                """
                {"id": "archive-is-sent", "action": {"type": "rename-mailbox", "upstream": "Archive", "client": "Sent"}}
                """));
    assertThat(step(out, "list")).contains("Sent").doesNotContain("Archive");
    assertThat(step(out, "select sent")).startsWith("('OK'");
  }

  @Test
  void responseCodeInjectedUntaggedAndExists() throws Exception {
    String out =
        imaplib(
            proxyWith(
                """
                {"id": "alert", "when": {"command": "LOGIN", "response": "tagged"},
                 "action": {"type": "response-code", "code": "ALERT", "text": "read this"}},
                {"id": "more", "when": {"command": "SELECT", "response": {"kind": "tagged"}},
                 "action": {"type": "inject-exists", "add": 2}},
                {"id": "split-greeting", "when": {"response": {"kind": "untagged", "status": "OK"}, "state": "not-authenticated"},
                 "action": {"type": "split", "chunk": 5, "pauseMs": 20}}
                """));
    assertThat(step(out, "login")).contains("[ALERT] read this");
    assertThat(step(out, "greeting")).startsWith("* OK");
    assertThat(step(out, "untagged after select")).contains("EXISTS");
    assertThat(step(out, "fetch")).contains("OK");
  }

  @Test
  void aRewrittenCommandGoesUpstreamRewritten() throws Exception {
    int port =
        proxyWith(
            """
            {"id": "examine", "when": {"command": "SELECT"},
             "action": {"type": "rewrite", "pattern": "(?i) SELECT ", "replacement": " EXAMINE "}}
            """);
    String user = dovecot.newUser("rewrite");
    try (RawClient c = RawClient.connect(port, "rewrite")) {
      c.line();
      c.sendLine("a1 LOGIN " + user + " " + Dovecot.PASSWORD);
      c.untilTagged("a1");
      c.sendLine("a2 SELECT INBOX");
      assertThat(c.untilTagged("a2")).contains("a2 OK [READ-ONLY]");
    }
  }

  @Test
  void protocolFaultsReachTheClientAsWritten() throws Exception {
    int port =
        proxyWith(
            """
            {"id": "no-flags", "when": {"response": "FLAGS"}, "action": {"type": "drop"}},
            {"id": "twice", "when": {"response": "EXISTS"}, "action": {"type": "duplicate"}},
            {"id": "alert-first", "when": {"command": "SELECT", "response": "tagged"},
             "action": {"type": "inject", "before": ["* OK [ALERT] injected before"], "after": ["* OK injected after"]}},
            {"id": "vanish", "when": {"command": "NOOP", "response": "tagged"}, "action": {"type": "inject-expunge", "seq": "last"}},
            {"id": "no-such", "when": {"command": "EXAMINE", "response": "tagged"},
             "action": {"type": "replace-frame", "lines": ["{tag} NO [NONEXISTENT] replaced by a rule"]}}
            """);
    String user = dovecot.newUser("faults");
    try (RawClient c = RawClient.connect(port, "faults")) {
      c.line();
      c.sendLine("a1 LOGIN " + user + " " + Dovecot.PASSWORD);
      c.untilTagged("a1");
      c.sendLine("a2 SELECT INBOX");
      String select = c.untilTagged("a2");
      assertThat(select).doesNotContain("* FLAGS");
      assertThat(select.split("\\* 5 EXISTS", -1)).hasSize(3);
      assertThat(select).containsSubsequence("* OK [ALERT] injected before", "a2 OK");
      assertThat(c.line()).isEqualTo("* OK injected after");
      c.sendLine("a3 NOOP");
      assertThat(c.untilResponse(r -> r.startsWith("* 5 EXPUNGE"))).contains("a3 OK");
      c.sendLine("a4 EXAMINE Archive");
      assertThat(c.untilTagged("a4")).contains("a4 NO [NONEXISTENT] replaced by a rule");
    }
  }

  @Test
  void hotReloadAppliesToTheNextCommandAndABrokenEditKeepsTheOldRules() throws Exception {
    Path rules = tmp.resolve("rules");
    Files.createDirectories(rules);
    Path file = rules.resolve("live.json");
    Files.writeString(file, "{\"version\": 1, \"rules\": []}", StandardCharsets.UTF_8);
    try (RuleWatcher watcher = RuleWatcher.watch(rules, Duration.ofMillis(100))) {
      int port = proxyWith(watcher);
      String user = dovecot.newUser("reload");
      try (RawClient c = RawClient.connect(port, "reload")) {
        c.line();
        c.sendLine("a1 LOGIN " + user + " " + Dovecot.PASSWORD);
        c.untilTagged("a1");
        c.sendLine("a2 NOOP");
        assertThat(c.untilTagged("a2")).doesNotContain("by the proxy");

        Files.writeString(
            file,
            """
            {"version": 1, "rules": [{"id": "noop", "when": {"command": "NOOP"},
              "action": {"type": "answer", "lines": ["{tag} OK NOOP answered by the proxy"]}}]}
            """,
            StandardCharsets.UTF_8);
        awaitRules(watcher, 1);
        c.sendLine("a3 NOOP");
        assertThat(c.untilTagged("a3")).contains("a3 OK NOOP answered by the proxy");

        Files.writeString(file, "{\"version\": 1, \"rules\": [ {\"id\": ", StandardCharsets.UTF_8);
        Thread.sleep(500);
        assertThat(watcher.get().rules()).hasSize(1);
        c.sendLine("a4 NOOP");
        assertThat(c.untilTagged("a4")).contains("a4 OK NOOP answered by the proxy");

        Files.writeString(file, "{\"version\": 1, \"rules\": []}", StandardCharsets.UTF_8);
        awaitRules(watcher, 0);
        c.sendLine("a5 NOOP");
        assertThat(c.untilTagged("a5")).doesNotContain("by the proxy").contains("a5 OK");
      }
    }
  }

  private static void awaitRules(RuleWatcher watcher, int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (watcher.get().rules().size() != count && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(watcher.get().rules()).hasSize(count);
  }
}
