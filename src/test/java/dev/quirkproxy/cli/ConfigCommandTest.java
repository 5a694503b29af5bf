package dev.quirkproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quirkproxy.config.ConfigLoader;
import dev.quirkproxy.config.Listener;
import dev.quirkproxy.config.ProxySetup;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** {@code quirkproxy config check}, and the command line's options over a config file. */
class ConfigCommandTest {

  @TempDir Path tmp;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  private static final String TWO =
      """
      version: 1
      limits: {maxLine: 8KiB}
      captures: {directory: caps}
      listeners:
        - name: a
          listen: imap://127.0.0.1:0
          upstream: imap://127.0.0.1:143
          limits: {maxLine: 16KiB, idleTimeout: 1h}
        - name: b
          listen: pop3://127.0.0.1:0
          upstream: pop3://127.0.0.1:110
          client: thunderbird
      """;

  private Path write(String name, String text) throws Exception {
    return Files.writeString(tmp.resolve(name), text, StandardCharsets.UTF_8);
  }

  @Test
  void checkSaysOkInOneLine() {
    Run r = run("config", "check", "quirkproxy.example.yaml");
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "quirkproxy.example.yaml: ok, 5 listeners (imap, imaps, pop3, pop3s, pop3-from-imap), "
                + new RulesCount().of("rules")
                + " rules in rules."
                + System.lineSeparator());
  }

  @Test
  void checkErrorsNameFileLineAndColumnAndExit2() throws Exception {
    Path bad = write("bad.yaml", TWO.replace("upstream: pop3", "upstrem: pop3"));
    Run r = run("config", "check", bad.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .startsWith("quirkproxy: " + bad + ":11:14: unknown key 'upstrem' in listeners[1];");
    // proxy --config stops at the same error before opening anything.
    Run proxy = run("proxy", "--config", bad.toString());
    assertThat(proxy.code()).isEqualTo(2);
    assertThat(proxy.err()).isEqualTo(r.err());
    Run missing = run("config", "check", tmp.resolve("none.yaml").toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err())
        .isEqualTo(
            "quirkproxy: " + tmp.resolve("none.yaml") + ": no such file" + System.lineSeparator());
    assertThat(run("config").code()).isEqualTo(2);
  }

  @Test
  void checkLoadsTheRulesAndTheCatalog() throws Exception {
    Path rules = write("broken-rules.json", "{\"version\": 1, \"rules\": [{\"id\": \"x\"}]}");
    Path withRules = write("r.yaml", TWO + "rules: " + rules.getFileName() + "\n");
    Run r = run("config", "check", withRules.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("quirkproxy: " + rules + ":1:");
    Path unknownFamily = write("f.yaml", TWO.replace("thunderbird", "no-such-client"));
    Run f = run("config", "check", unknownFamily.toString());
    assertThat(f.code()).isEqualTo(2);
    assertThat(f.err())
        .startsWith(
            "quirkproxy: "
                + unknownFamily
                + ": listener 'b': client: unknown family 'no-such-client'; known: ");
    Path ok = write("ok.yaml", TWO + "noRules: true\n");
    assertThat(run("config", "check", ok.toString()).out())
        .isEqualTo(ok + ": ok, 2 listeners (a, b), no rules." + System.lineSeparator());
  }

  /** Parses a {@code proxy} command line and loads the file with its overrides. */
  private static ProxySetup loadWith(Path file, String... args) throws Exception {
    ProxyCommand command = new ProxyCommand();
    ParseResult given = new CommandLine(command).parseArgs(args);
    return ConfigLoader.load(file, ConfigOverrides.of(command, given));
  }

  @Test
  void processWideOptionsReplaceTheKeyEverywhere() throws Exception {
    Path file = write("two.yaml", TWO);
    ProxySetup plain = loadWith(file, "--config", file.toString());
    assertThat(plain.listeners().get(0).limits().maxLineLength()).isEqualTo(16 * 1024);
    assertThat(plain.listeners().get(1).limits().maxLineLength()).isEqualTo(8 * 1024);

    ProxySetup over =
        loadWith(
            file,
            "--config",
            file.toString(),
            "--max-line",
            "4KiB",
            "--captures",
            "elsewhere",
            "--no-rules",
            "--shutdown-grace",
            "1s");
    for (Listener l : over.listeners()) {
      assertThat(l.limits().maxLineLength()).as(l.name()).isEqualTo(4 * 1024);
      assertThat(l.captures().directory()).isEqualTo(Path.of("elsewhere").toAbsolutePath());
      assertThat(l.rules()).isNull();
    }
    // What the command line does not name stays as the file says.
    assertThat(over.listeners().get(0).limits().idleTimeout()).isEqualTo(Duration.ofHours(1));
    assertThat(over.shutdownGrace()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void listenerOptionsNeedOneListener() throws Exception {
    Path two = write("two.yaml", TWO);
    assertThatThrownBy(() -> loadWith(two, "--config", two.toString(), "--listen", "127.0.0.1:0"))
        .isInstanceOf(UsageException.class)
        .hasMessage(
            "--listen would apply to one listener, but the config file has 2 (a, b): name it with"
                + " --listener NAME");
    ProxySetup b =
        loadWith(
            two,
            "--config",
            two.toString(),
            "--listener",
            "b",
            "--listen",
            "127.0.0.1:2110",
            "--client",
            "outlook");
    assertThat(b.listeners().get(1).listen().toString()).isEqualTo("pop3://127.0.0.1:2110");
    assertThat(b.listeners().get(1).client()).isEqualTo("outlook");
    assertThat(b.listeners().get(0).listen().port()).isZero();
    assertThatThrownBy(() -> loadWith(two, "--config", two.toString(), "--listener", "c"))
        .isInstanceOf(UsageException.class)
        .hasMessage("--listener: no listener 'c' in the config file; it has a, b");

    Path one = write("one.yaml", TWO.substring(0, TWO.indexOf("  - name: b")));
    ProxySetup single =
        loadWith(one, "--config", one.toString(), "--upstream", "imaps://mail.example.com");
    assertThat(single.listeners().get(0).upstream().toString())
        .isEqualTo("imaps://mail.example.com:993");
    Run r = run("proxy", "--listener", "a", "--upstream", "imap://127.0.0.1:143");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .isEqualTo("quirkproxy: --listener goes with --config" + System.lineSeparator());
  }

  /** How many rules the shipped rules/ directory has (the summary must say the same). */
  private static final class RulesCount {
    int of(String dir) {
      return dev.quirkproxy.rules.RuleLoader.load(Path.of(dir)).rules().rules().size();
    }
  }
}
