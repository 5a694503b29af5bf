package dev.quirkproxy.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.capture.CaptureReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The golden files under {@code captures/examples/golden/}: each is what {@code rules test} prints
 * for a capture of {@code captures/examples/} and a rule file. The name says which: {@code
 * CAPTURE--RULES[+RULES...][--client-FAMILY].txt}, the rules from {@code
 * rules/examples/RULES.json}, {@code rules/RULES.json} or {@code
 * captures/examples/golden/RULES.json}. Regenerate one with {@code bin/quirkproxy rules test
 * --capture … --rules … [--client …] > golden.txt} after checking the difference is intended.
 */
class RulesGoldenTest {

  static final Path EXAMPLES = Path.of("captures/examples");
  static final Path GOLDEN = EXAMPLES.resolve("golden");

  static List<Path> goldenFiles() throws IOException {
    try (Stream<Path> s = Files.list(GOLDEN)) {
      return s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
    }
  }

  /** The rule file a golden file names: shipped rules first, then examples, then golden sets. */
  static Path rulesFile(String name) {
    for (Path dir :
        List.of(Path.of("rules"), Path.of("rules/examples"), Path.of("rules/personas"), GOLDEN)) {
      Path p = dir.resolve(name + ".json");
      if (Files.exists(p)) {
        return p;
      }
    }
    throw new AssertionError(
        "no rule file " + name + ".json in rules/, its examples or personas, or " + GOLDEN);
  }

  @Test
  void thereAreGoldenFilesForSeveralRuleFilesAndCaptures() throws IOException {
    List<Path> files = goldenFiles();
    assertThat(files).hasSizeGreaterThanOrEqualTo(5);
    assertThat(files.stream().map(f -> f.getFileName().toString().split("--")[0]).distinct())
        .hasSizeGreaterThanOrEqualTo(3);
  }

  @TestFactory
  Stream<DynamicTest> rulesTestPrintsWhatTheGoldenFileSays() throws IOException {
    return goldenFiles().stream()
        .map(
            golden ->
                DynamicTest.dynamicTest(
                    golden.getFileName().toString(),
                    () -> {
                      String name = golden.getFileName().toString().replaceFirst("\\.txt$", "");
                      String[] parts = name.split("--");
                      Path capture = EXAMPLES.resolve(parts[0] + ".jsonl");
                      String client =
                          parts.length > 2 ? parts[2].replaceFirst("^client-", "") : null;
                      // RULES may join several files with '+', applied in that order.
                      List<Rule> joined = new java.util.ArrayList<>();
                      List<String> files = new java.util.ArrayList<>();
                      for (String one : parts[1].split("\\+")) {
                        RuleLoader.Result r = RuleLoader.load(rulesFile(one));
                        assertThat(r.errors()).as("rules %s", one).isEmpty();
                        joined.addAll(r.rules().rules());
                        files.addAll(r.rules().files());
                      }
                      RuleSet set = new RuleSet(joined, files);
                      String actual = OfflineRun.test(CaptureReader.read(capture), set, client);
                      assertThat(actual)
                          .as("rules test of %s with %s", capture, parts[1])
                          .isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
                    }));
  }
}
