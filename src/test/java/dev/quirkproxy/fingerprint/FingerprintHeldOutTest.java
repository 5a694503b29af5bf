package dev.quirkproxy.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The held-out corpus under {@code src/test/resources/fingerprints-heldout/}: transcripts built
 * from public evidence that the catalog weights were not tuned on (other bug reports, logs, test
 * scripts and source files than those the tuning corpus cites). It measures how the fingerprinter
 * does on unseen evidence: prints each result and the accuracy. Transcripts here must not be edited
 * to make them pass.
 *
 * <p>First measured blind at 14/22 (63.6 %), before any change made from what this corpus showed.
 * After the fixes its misses led to (tag shapes that set a rare outlier tag such as node-imap's
 * {@code IDLE IDLE} aside instead of calling the connection random; catalog facts corrected from
 * client source: node-imap's first tag A0, K-9's and libetpan's CAPABILITY after login and {@code
 * LIST "" ""}, Horde's STATUS item lists for Nextcloud Mail, SELECT quoting, iOS's plain decimal
 * tags outside 18.2+; generic weights that favoured mbsync removed) it is 20/22 (90.9 %). That
 * figure is no longer blind: the misses informed the fixes, so it overstates accuracy on unseen
 * clients, and two of the 20 are exact ties decided by catalog order (k9-realimapconnectiontest
 * against libetpan, libetpan-mailcore2-1228 against nextcloud-mail; both reported with low
 * confidence and the rival in alsoPossible). Still wrong: neomutt-3830 (an exact tie with mutt,
 * reported as such) and outlook-office365-defects49 (Microsoft's cloud sync client, not in the
 * catalog: no evidence beyond that one report). {@link #FLOOR} keeps the figure from getting worse;
 * new held-out evidence is the way to measure blind again.
 */
class FingerprintHeldOutTest {

  static final Path HELD_OUT = Path.of("src/test/resources/fingerprints-heldout");

  /** The accuracy (%) this corpus must keep: 20/22 = 90.9 % now, with one miss of slack. */
  static final double FLOOR = 85.0;

  @Test
  void everyFileCitesItsSourceAndExpectsAKnownFamily() throws Exception {
    Catalog catalog = Catalog.load(List.of());
    for (FingerprintCorpusTest.Case c : FingerprintCorpusTest.corpus(HELD_OUT)) {
      assertThat(c.lines().get(0))
          .as("%s starts with # source:", c.file())
          .startsWith("# source: ");
      assertThat(c.lines().get(1))
          .as("%s second line is # expect:", c.file())
          .startsWith("# expect: ");
      assertThat(c.source()).as("%s source", c.file()).isNotBlank();
      assertThat(catalog.families()).as("%s expect", c.file()).contains(c.expect());
      long commands = c.lines().stream().filter(l -> l.startsWith("C: ")).count();
      assertThat(commands).as("%s commands", c.file()).isBetween(4L, 30L);
    }
  }

  @Test
  void coversAtLeastFifteenFamilies() throws Exception {
    Set<String> covered = new TreeSet<>();
    for (FingerprintCorpusTest.Case c : FingerprintCorpusTest.corpus(HELD_OUT)) {
      covered.add(c.expect());
    }
    System.out.println("held-out families (" + covered.size() + "): " + covered);
    assertThat(covered).hasSizeGreaterThanOrEqualTo(15);
  }

  @Test
  void keepsItsHeldOutAccuracy() throws Exception {
    Catalog catalog = Catalog.load(List.of());
    List<FingerprintCorpusTest.Case> cases = FingerprintCorpusTest.corpus(HELD_OUT);
    int right = 0;
    List<String> wrong = new ArrayList<>();
    for (FingerprintCorpusTest.Case c : cases) {
      Fingerprint fp = TranscriptReader.read(catalog, c.lines()).fingerprint();
      boolean ok = fp.family().equals(c.expect());
      right += ok ? 1 : 0;
      String line =
          String.format(
              Locale.ROOT,
              "%-5s %-44s expect %-17s got %-17s %.2f %s also %s",
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
        "fingerprint held-out accuracy: %d/%d = %.1f %%%n",
        right,
        cases.size(),
        accuracy);
    assertThat(cases).hasSizeGreaterThanOrEqualTo(20);
    assertThat(accuracy).as("held-out accuracy; wrong: %s", wrong).isGreaterThanOrEqualTo(FLOOR);
  }
}
