package dev.quirkproxy.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The corpus under {@code src/test/resources/fingerprints/}: transcripts built from public evidence
 * (each cites it in {@code # source:}), each with the family it must be identified as ({@code #
 * expect:}). Prints the accuracy and requires at least 95 %.
 */
class FingerprintCorpusTest {

  static final Path CORPUS = Path.of("src/test/resources/fingerprints");

  record Case(Path file, String source, String expect, List<String> lines) {}

  static List<Case> corpus() throws IOException {
    return corpus(CORPUS);
  }

  /** The transcripts ({@code *.txt}) of a corpus directory, sorted by file name. */
  static List<Case> corpus(Path dir) throws IOException {
    List<Case> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".txt")).sorted().toList()) {
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        String source = header(lines, "# source: ");
        String expect = header(lines, "# expect: ");
        out.add(new Case(f, source, expect, lines));
      }
    }
    return out;
  }

  private static String header(List<String> lines, String prefix) {
    return lines.stream()
        .filter(l -> l.startsWith(prefix))
        .map(l -> l.substring(prefix.length()).trim())
        .findFirst()
        .orElse(null);
  }

  @Test
  void everyFileCitesItsSourceAndExpectsAKnownFamily() throws Exception {
    Catalog catalog = Catalog.load(List.of());
    for (Case c : corpus()) {
      assertThat(c.lines().get(0))
          .as("%s starts with # source:", c.file())
          .startsWith("# source: ");
      assertThat(c.source()).as("%s source", c.file()).isNotBlank();
      assertThat(catalog.families()).as("%s expect", c.file()).contains(c.expect());
      long commands = c.lines().stream().filter(l -> l.startsWith("C: ")).count();
      assertThat(commands).as("%s commands", c.file()).isBetween(4L, 30L);
    }
  }

  @Test
  void everyRequiredFamilyHasAtLeastOneTranscript() throws Exception {
    Set<String> covered = new TreeSet<>();
    for (Case c : corpus()) {
      covered.add(c.expect());
    }
    assertThat(covered).containsAll(CatalogTest.REQUIRED_FAMILIES);
  }

  @Test
  void identifiesAtLeast95PercentOfTheCorpus() throws Exception {
    Catalog catalog = Catalog.load(List.of());
    List<Case> cases = corpus();
    int right = 0;
    List<String> wrong = new ArrayList<>();
    for (Case c : cases) {
      Fingerprint fp = TranscriptReader.read(catalog, c.lines()).fingerprint();
      boolean ok = fp.family().equals(c.expect());
      right += ok ? 1 : 0;
      String line =
          String.format(
              Locale.ROOT,
              "%-5s %-34s expect %-17s got %-17s %.2f %s also %s",
              ok ? "ok" : "WRONG",
              c.file().getFileName(),
              c.expect(),
              fp.family(),
              fp.confidence(),
              fp.version() == null ? "-" : fp.version(),
              fp.alsoPossible());
      System.out.println(line);
      if (!ok) {
        wrong.add(line);
      }
    }
    double accuracy = 100.0 * right / cases.size();
    System.out.printf(
        Locale.ROOT,
        "fingerprint corpus accuracy: %d/%d = %.1f %%%n",
        right,
        cases.size(),
        accuracy);
    assertThat(cases).hasSizeGreaterThanOrEqualTo(40);
    assertThat(accuracy).as("accuracy; wrong: %s", wrong).isGreaterThanOrEqualTo(95.0);
  }
}
