package dev.quirkproxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.tls.TlsMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir Path tmp;

  private Path write(String name, String text) throws Exception {
    return Files.writeString(tmp.resolve(name), text, StandardCharsets.UTF_8);
  }

  private String error(String name, String text) throws Exception {
    Path file = write(name, text);
    ConfigException e =
        (ConfigException)
            org.assertj.core.api.Assertions.catchThrowable(() -> ConfigLoader.load(file));
    assertThat(e).as("loading %s", name).isNotNull();
    // Every message starts with the file as the user named it.
    e.problems().forEach(p -> assertThat(p.toString()).startsWith(file.toString()));
    return e.getMessage().replace(file.toString(), name);
  }

  private static final String ONE =
      """
      version: 1
      listeners:
        - name: imap
          listen: imap://127.0.0.1:0
          upstream: imap://127.0.0.1:143
      """;

  @Test
  void aMinimalFileGetsTheCommandLineDefaults() throws Exception {
    ProxySetup setup = ConfigLoader.load(write("proxy.yaml", ONE));
    assertThat(setup.listeners()).hasSize(1);
    Listener l = setup.listeners().get(0);
    assertThat(l.name()).isEqualTo("imap");
    assertThat(l.listen().toString()).isEqualTo("imap://127.0.0.1:0");
    assertThat(l.upstream().toString()).isEqualTo("imap://127.0.0.1:143");
    assertThat(l.limits().maxLineLength()).isEqualTo(64 * 1024);
    assertThat(l.limits().idleTimeout()).isEqualTo(Duration.ofMinutes(30));
    assertThat(l.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(l.captures().onError()).isEqualTo(CaptureSettings.OnError.CLOSE);
    assertThat(l.client()).isNull();
    assertThat(setup.shutdownGrace()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void listenerBlocksReplaceTopLevelKeysOneByOne() throws Exception {
    Path file =
        write(
            "proxy.yaml",
            """
            version: 1
            captures: {directory: caps, redactUser: true, maxBytes: 1G}
            limits: {maxLine: 8KiB, idleTimeout: 10m}
            tls: {caDir: ca}
            rules: my-rules
            listeners:
              - name: a
                listen: 127.0.0.1:2110
                upstream: pop3s://mail.example.com
                clientTls: starttls
                limits: {idleTimeout: 1h}
                captures: {recordSecrets: true}
                upstreamCa: ca.pem
                client: outlook
              - name: b
                listen: imaps://127.0.0.1
                upstream: imap://127.0.0.1:143?tls=starttls
                captures: {record: false}
                noRules: true
            """);
    ProxySetup setup = ConfigLoader.load(file);
    Listener a = setup.listeners().get(0);
    Listener b = setup.listeners().get(1);
    // The scheme comes from the upstream, the TLS mode from clientTls.
    assertThat(a.listen().protocol()).isEqualTo(Protocol.POP3);
    assertThat(a.listen().tls()).isEqualTo(TlsMode.STARTTLS);
    assertThat(a.upstream().port()).isEqualTo(995);
    assertThat(a.limits().maxLineLength()).isEqualTo(8 * 1024);
    assertThat(a.limits().idleTimeout()).isEqualTo(Duration.ofHours(1));
    assertThat(a.captures().directory()).isEqualTo(tmp.resolve("caps").normalize());
    assertThat(a.captures().recordSecrets()).isTrue();
    assertThat(a.captures().redactUser()).isTrue();
    assertThat(a.captures().maxBytes()).isEqualTo(1L << 30);
    assertThat(a.rules()).isEqualTo(tmp.resolve("my-rules"));
    assertThat(a.tls().caDir()).isEqualTo(tmp.resolve("ca"));
    assertThat(a.tls().upstreamCas()).containsExactly(tmp.resolve("ca.pem"));
    assertThat(a.client()).isEqualTo("outlook");
    // Implicit TLS listens on 1993 by default.
    assertThat(b.listen().port()).isEqualTo(1993);
    assertThat(b.listen().tls()).isEqualTo(TlsMode.IMPLICIT);
    assertThat(b.upstream().tls()).isEqualTo(TlsMode.STARTTLS);
    assertThat(b.limits().idleTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(b.captures()).isNull();
    assertThat(b.rules()).isNull();
  }

  @Test
  void jsonIsReadIntoTheSameModel() throws Exception {
    Path file =
        write(
            "proxy.json",
            """
            {"version": 1,
             "limits": {"maxLine": 65536},
             "listeners": [{"name": "imap", "listen": "imap://127.0.0.1:0",
                            "upstream": "imap://127.0.0.1:143"}]}
            """);
    assertThat(ConfigLoader.load(file).listeners().get(0).limits().maxLineLength())
        .isEqualTo(65536);
    assertThat(error("bad.json", "{\"version\": 1,\n \"listeners\": [ {\"name\": \"a\",, } ]}"))
        .isEqualTo(
            "bad.json:2:30: listeners[0]: not valid JSON: Unexpected character (',' (code 44)):"
                + " was expecting double-quote to start field name");
  }

  @Test
  void unknownKeysAreErrorsWithTheirLine() throws Exception {
    assertThat(error("a.yaml", ONE.replace("upstream:", "upstrem:")))
        .isEqualTo(
            "a.yaml:5:14: unknown key 'upstrem' in listeners[0]; expected one of: name, listen,"
                + " upstream, clientTls, cert, key, tlsHostnames, clientTlsLegacy, upstreamCa,"
                + " upstreamInsecure, rules, noRules, client, captures, limits, translate");
    assertThat(error("b.yaml", ONE + "limits: {maxLines: 1k}\n"))
        .startsWith("b.yaml:6:20: unknown key 'maxLines' in limits; expected one of: maxLine,");
    assertThat(error("c.yaml", "bogus: 1\n" + ONE))
        .startsWith("c.yaml:1:8: unknown key 'bogus'; expected one of: version, rules,");
  }

  @Test
  void valuesOfTheWrongTypeSayWhatWasExpected() throws Exception {
    assertThat(error("a.yaml", ONE + "limits: {maxLine: lots}\n"))
        .isEqualTo(
            "a.yaml:6:19: limits.maxLine: 'lots' is not a size (examples: 65536, 64KiB, 256MB,"
                + " 16G)");
    assertThat(error("b.yaml", ONE + "    clientTlsLegacy: maybe\n"))
        .isEqualTo(
            "b.yaml:6:22: listeners[0].clientTlsLegacy: expected true or false, got a string");
    assertThat(error("c.yaml", ONE + "shutdownGrace: soon\n"))
        .isEqualTo(
            "c.yaml:6:16: shutdownGrace: 'soon' is not a duration (examples: 500ms, 90s, 30m, 2h)");
    assertThat(error("d.yaml", ONE + "    clientTls: always\n"))
        .isEqualTo(
            "d.yaml:6:16: listeners[0].clientTls: unknown TLS mode 'always': use none, implicit"
                + " or starttls");
    assertThat(error("e.yaml", ONE + "captures: {onError: ignore}\n"))
        .isEqualTo("e.yaml:6:21: captures.onError: expected close or continue, not 'ignore'");
    assertThat(error("f.yaml", ONE + "captures: {maxFiles: [1]}\n"))
        .isEqualTo("f.yaml:6:22: captures.maxFiles: expected a whole number, got a list");
    assertThat(error("g.yaml", ONE.replace("version: 1", "version: 2")))
        .isEqualTo("g.yaml:1:10: version: version 2 is not one this build reads; expected 1");
    assertThat(error("h.yaml", "[1, 2]\n")).startsWith("h.yaml:1:1: expected a mapping with keys");
  }

  @Test
  void badUrlsAndClashesPointAtTheListener() throws Exception {
    assertThat(error("a.yaml", ONE.replace("imap://127.0.0.1:0", "ftp://127.0.0.1:0")))
        .isEqualTo(
            "a.yaml:4:13: listeners[0].listen: unknown scheme 'ftp' in 'ftp://127.0.0.1:0': use"
                + " imap, imaps, pop3 or pop3s");
    assertThat(error("b.yaml", ONE.replace("imap://127.0.0.1:143", "127.0.0.1:143")))
        .isEqualTo(
            "b.yaml:5:15: listener 'imap': upstream: '127.0.0.1:143' needs a scheme: imap://,"
                + " imaps://, pop3:// or pop3s://");
    assertThat(error("c.yaml", ONE.replace("127.0.0.1:0", "127.0.0.1:99999")))
        .isEqualTo("c.yaml:4:13: listeners[0].listen: port 99999 is out of range 0-65535");
    String two =
        """
        version: 1
        listeners:
          - name: imap
            listen: imap://127.0.0.1:1143
            upstream: imap://127.0.0.1:143
          - name: imap
            listen: 127.0.0.1:1143
            upstream: imap://127.0.0.1:143
        """;
    assertThat(error("d.yaml", two))
        .isEqualTo(
            "d.yaml:7:13: listener 'imap': the name is taken at line 4\n"
                + "d.yaml:7:13: listener 'imap': 127.0.0.1:1143 is already the listen address at"
                + " line 4");
  }

  @Test
  void missingKeysFilesAndListeners() throws Exception {
    assertThat(error("a.yaml", "version: 1\nlisteners:\n  - name: a\n    listen: 127.0.0.1:0\n"))
        .isEqualTo("a.yaml:3:5: listeners[0]: missing key 'upstream'");
    assertThat(error("b.yaml", "version: 1\nlisteners: []\n"))
        .isEqualTo("b.yaml: listeners: at least one listener is needed");
    assertThat(error("c.yaml", ONE.replace("version: 1\n", "")))
        .isEqualTo("c.yaml: missing key 'version' (1)");
    assertThat(error("d.yaml", "\n"))
        .isEqualTo("d.yaml: the file is empty; expected a mapping with version and listeners");
    assertThat(error("e.yaml", ONE + "    name: again\n"))
        .isEqualTo("e.yaml:6:9: listeners[0]: duplicate key 'name'");
    assertThat(
            error("f.yaml", ONE.replace("upstream: imap://127.0.0.1:143", "upstream: \"imap://x")))
        .isEqualTo(
            "f.yaml:5:13: listeners[0]: not valid YAML: while scanning a quoted scalar:"
                + " found unexpected end of stream");
    Path missing = tmp.resolve("nothere.yaml");
    assertThatThrownBy(() -> ConfigLoader.load(missing))
        .isInstanceOf(ConfigException.class)
        .hasMessage(missing + ": no such file");
  }

  @Test
  void crossFieldChecks() throws Exception {
    assertThat(error("a.yaml", ONE + "    cert: c.pem\n"))
        .isEqualTo("a.yaml:4:13: listener 'imap': cert and key go together");
    assertThat(error("b.yaml", ONE + "limits: {maxLine: 10}\n"))
        .isEqualTo("b.yaml:4:13: listener 'imap': limits: line limits must be at least 64 octets");
    assertThat(error("c.yaml", ONE + "captures: {maxFiles: -1}\n"))
        .isEqualTo("c.yaml:4:13: listener 'imap': captures: maxFiles must not be negative");
    assertThat(
            error(
                "d.yaml",
                ONE.replace("imap://127.0.0.1:0", "imap://127.0.0.1:0")
                    .replace("upstream: imap://", "upstream: pop3://")))
        .isEqualTo(
            "d.yaml:4:13: listener 'imap': an IMAP listener cannot be served from a POP3 upstream");
    assertThat(error("e.yaml", ONE + "    translate: {pop3Mailbox: INBOX}\n"))
        .isEqualTo(
            "e.yaml:4:13: listener 'imap': translate: applies only to a pop3 listener in front of"
                + " an imap upstream");
  }

  /** The translating listener of issue 9: its keys are read and checked. */
  @Test
  void pop3InFrontOfImapTakesTheTranslateBlock() throws Exception {
    String text =
        """
        version: 1
        listeners:
          - name: pop3-from-imap
            listen: pop3://127.0.0.1:2110
            upstream: imap://127.0.0.1:143
            translate:
              pop3Mailbox: Archive
              pop3MarkSeen: true
              pop3Order: uid-desc
        """;
    Listener l = ConfigLoader.load(write("t.yaml", text)).listeners().get(0);
    assertThat(Translation.of(l.translate()))
        .isEqualTo(
            new dev.quirkproxy.translate.Pop3Translation(
                "Archive", true, dev.quirkproxy.translate.Pop3Translation.Order.UID_DESC));
    assertThat(error("t.yaml", text.replace("uid-desc", "newest")))
        .isEqualTo(
            "t.yaml:4:13: listener 'pop3-from-imap': translate: message order 'newest' is not one"
                + " of: uid, uid-desc");
  }

  /** The example at the top of the repository loads, and names every key of the model. */
  @Test
  void theExampleLoadsAndShowsEveryKey() throws Exception {
    Path example = Path.of("quirkproxy.example.yaml");
    ProxySetup setup = ConfigLoader.load(example);
    assertThat(setup.listeners())
        .extracting(Listener::name)
        .containsExactly("imap", "imaps", "pop3", "pop3s", "pop3-from-imap");
    String text = Files.readString(example, StandardCharsets.UTF_8);
    List<String> missing = new ArrayList<>();
    for (Class<?> block :
        List.of(
            ProxyFile.class,
            ListenerSpec.class,
            CaptureSpec.class,
            LimitSpec.class,
            TlsSpec.class,
            TranslateSpec.class)) {
      for (String key : block.getAnnotation(JsonPropertyOrder.class).value()) {
        if (!text.matches("(?s).*\\b" + key + ":.*")) {
          missing.add(block.getSimpleName() + "." + key);
        }
      }
      // Every key is a field, and every field a key: the order annotation lists them all.
      long fields =
          java.util.Arrays.stream(block.getFields())
              .filter(f -> !java.lang.reflect.Modifier.isStatic(f.getModifiers()))
              .filter(
                  f -> !f.isAnnotationPresent(com.fasterxml.jackson.annotation.JsonIgnore.class))
              .count();
      assertThat(fields)
          .as("keys of %s", block.getSimpleName())
          .isEqualTo(block.getAnnotation(JsonPropertyOrder.class).value().length);
    }
    assertThat(missing).as("keys the example does not show").isEmpty();
  }
}
