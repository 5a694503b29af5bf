package dev.quirkproxy.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.flow.Verdict;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.Limits;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The Java SPI: a custom action ({@link ShoutAction}) and a custom matcher ({@link
 * TagParityMatcher}) listed in {@code META-INF/services} are found by type name and used by rules.
 */
class CustomExtensionTest {

  private static final String RULES =
      """
      {"version": 1, "rules": [
        {"id": "shout-even", "when": {"direction": "client", "custom": {"type": "tag-parity", "even": true}},
         "action": {"type": "shout", "prefix": "x"}}
      ]}
      """;

  private final ImapSession session =
      new ImapSession(new InetSocketAddress("192.0.2.1", 1), Limits.defaults());

  private String send(RuleEngine engine, String line) {
    WirePart part =
        WirePart.line(
            Unpooled.copiedBuffer(line + "\r\n", StandardCharsets.ISO_8859_1), true, true, null);
    Verdict v = engine.onClient(session, part.retain());
    try {
      if (v instanceof Verdict.Forward) {
        return part.content().toString(StandardCharsets.ISO_8859_1);
      }
      Verdict.Emit emit = (Verdict.Emit) v;
      StringBuilder out = new StringBuilder();
      for (Verdict.Step s : emit.steps()) {
        WirePart p = ((Verdict.Send) s).part();
        out.append(p.content().toString(StandardCharsets.ISO_8859_1));
        p.release();
      }
      return out.toString();
    } finally {
      part.release();
    }
  }

  @Test
  void customActionAndMatcherAreFoundByTypeAndApplied() {
    RuleLoader.Result r = RuleLoader.load("custom.json", RULES);
    assertThat(r.errors()).isEmpty();
    RuleEngine engine = new RuleEngine(r::rules);
    assertThat(send(engine, "a2 noop")).isEqualTo("xA2 NOOP\r\n");
    assertThat(send(engine, "a3 noop")).isEqualTo("a3 noop\r\n");
  }

  @Test
  void theirParametersAreCheckedLikeBuiltInOnes() {
    RuleLoader.Result r =
        RuleLoader.load("custom.json", RULES.replace("\"prefix\": \"x\"", "\"prefx\": \"x\""));
    assertThat(r.errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.rule()).isEqualTo("shout-even");
              assertThat(e.problem()).contains("unknown field 'prefx'");
            });
  }

  @Test
  void anUnknownCustomMatcherNamesTheInstalledOnes() {
    RuleLoader.Result r = RuleLoader.load("custom.json", RULES.replace("tag-parity", "tag-colour"));
    assertThat(r.errors())
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.problem())
                    .contains("no custom matcher 'tag-colour'")
                    .contains("tag-parity"));
  }
}
