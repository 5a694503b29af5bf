package dev.quirkproxy.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-capture summary of {@code replay client} over a directory, its exit code and report. */
class ReplaySummaryTest {

  private static final ReplayClientResult SAME =
      new ReplayClientResult(
          List.of(
              new ReplayClientResult.Step("*", "greeting", List.of()),
              new ReplayClientResult.Step("a1", "a1 NOOP", List.of())),
          List.of());
  private static final ReplayClientResult DIFFERS =
      new ReplayClientResult(
          List.of(
              new ReplayClientResult.Step("*", "greeting", List.of()),
              new ReplayClientResult.Step(
                  "a1", "a1 SELECT INBOX", List.of("- * 5 EXISTS", "+ * 4 EXISTS")),
              new ReplayClientResult.Step("a2", "a2 LOGOUT", List.of())),
          List.of());

  private final List<ReplayClientOutcome> outcomes =
      List.of(
          ReplayClientOutcome.of("a.jsonl", SAME),
          ReplayClientOutcome.of("sub/b.jsonl", DIFFERS),
          ReplayClientOutcome.failed("c.jsonl", "connection refused"));

  @Test
  void theTableHasARowPerCaptureAndTotals() {
    assertThat(ReplaySummary.client(outcomes))
        .isEqualTo(
            """
            capture     | commands | same | different | errors | exit
            ------------+----------+------+-----------+--------+-----
            a.jsonl     |        2 |    2 |         0 |      0 |    0
            sub/b.jsonl |        3 |    2 |         1 |      0 |    1
            c.jsonl     |        0 |    0 |         0 |      1 |    2
            ------------+----------+------+-----------+--------+-----
            total (3)   |        5 |    4 |         1 |      1 |    2
            """);
  }

  @Test
  void anErrorOutranksADifference() {
    assertThat(ReplaySummary.exitCode(outcomes)).isEqualTo(2);
    assertThat(ReplaySummary.exitCode(outcomes.subList(0, 2))).isEqualTo(1);
    assertThat(ReplaySummary.exitCode(outcomes.subList(0, 1))).isZero();
  }

  @Test
  void resultLinesShowOnlyWhatDiffers() {
    assertThat(ReplayClientReport.line(outcomes.get(0))).isEqualTo("a.jsonl: same (2 steps)\n");
    assertThat(ReplayClientReport.line(outcomes.get(1)))
        .isEqualTo(
            "sub/b.jsonl: differs (1 of 3 steps)\n"
                + "  a1 SELECT INBOX: differs\n"
                + "      - * 5 EXISTS\n"
                + "      + * 4 EXISTS\n");
    assertThat(ReplayClientReport.line(outcomes.get(2)))
        .isEqualTo("c.jsonl: error: connection refused\n");
  }

  @Test
  void oneJunitSuiteHoldsEveryCommandOfEveryCapture() throws Exception {
    String xml = ReplayClientReport.junitXmlAll(outcomes, "captures/");
    assertThat(xml)
        .contains("<testsuite name=\"captures/\" tests=\"6\" failures=\"1\" errors=\"1\"")
        .contains("<testcase classname=\"a.jsonl\" name=\"002 a1 NOOP\"/>")
        .contains("<testcase classname=\"sub/b.jsonl\" name=\"002 a1 SELECT INBOX\">")
        .contains(
            "<testcase classname=\"c.jsonl\" name=\"replay\">\n    <error message=\"connection refused\"/>");
    String json = ReplayClientReport.jsonAll(outcomes, "captures/");
    assertThat(json).contains("\"same\" : false").contains("\"error\" : \"connection refused\"");
  }
}
