package dev.quirkproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quirkproxy fingerprint} on transcripts and captures, text and JSON, exit codes. */
class FingerprintCommandTest {

  private static final Path CORPUS = Path.of("src/test/resources/fingerprints");

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @TempDir Path dir;

  private int run(String... args) {
    return Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void identifiesATranscript() {
    Path f = CORPUS.resolve("thunderbird-115-mox66.txt");
    assertThat(run("fingerprint", f.toString())).isZero();
    assertThat(out.toString())
        .contains(f.toString())
        .contains("client:      thunderbird (Thunderbird (desktop))")
        .contains("version:     115.2.2")
        .contains("confidence:  0.9")
        .contains("protocol:    imap")
        .contains("evidence:")
        .contains("[id] ID matches name ~ /^Thunderbird$/ (+10.00)")
        .contains("[feature] verbs:lower (+4.00)")
        .contains("[catalog] source: thunderbird-desktop");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void jsonForMachinesAndSeveralFiles() throws Exception {
    assertThat(
            run(
                "fingerprint",
                "--json",
                CORPUS.resolve("mbsync.txt").toString(),
                CORPUS.resolve("curl-pop3.txt").toString()))
        .isZero();
    JsonNode all = new ObjectMapper().readTree(out.toString());
    assertThat(all.isArray()).isTrue();
    assertThat(all.get(0).path("family").asText()).isEqualTo("mbsync");
    assertThat(all.get(0).path("protocol").asText()).isEqualTo("imap");
    assertThat(all.get(0).path("confidence").asDouble()).isBetween(0.0, 1.0);
    assertThat(all.get(0).path("evidence").isArray()).isTrue();
    assertThat(all.get(0).path("evidence").get(0).has("weight")).isTrue();
    assertThat(all.get(1).path("family").asText()).isEqualTo("curl");
    assertThat(all.get(1).path("protocol").asText()).isEqualTo("pop3");
    assertThat(all.get(1).path("version").isNull()).isTrue();
  }

  @Test
  void identifiesACapture() throws Exception {
    Path capture = dir.resolve("s000001.jsonl");
    StringBuilder sb = new StringBuilder();
    sb.append(
        "{\"type\":\"header\",\"format\":\"quirkproxy-capture\",\"version\":1,\"session\":\"s000001\","
            + "\"protocol\":\"imap\",\"client\":\"127.0.0.1:50000\",\"start\":\"2026-11-26T00:00:00Z\"}\n");
    String[][] frames = {
      {"upstream>proxy", "* OK [CAPABILITY IMAP4rev1 ID AUTH=PLAIN] ready\r\n"},
      {"client>proxy", "A000001 CAPABILITY\r\n"},
      {"upstream>proxy", "A000001 OK done\r\n"},
      {"client>proxy", "A000002 LOGIN \"alice\" {10}\r\n"},
      {"upstream>proxy", "+ Ready for literal\r\n"},
      {"client>proxy", "[REDACTED]", "literal"},
      {"client>proxy", "\r\n", "line", "continued"},
      {"upstream>proxy", "A000002 OK done\r\n"},
      {"client>proxy", "A000003 NAMESPACE\r\n"},
      {"client>proxy", "A000004 ID (\"name\" \"Kontact IMAP Resource\")\r\n"},
      {"client>proxy", "A000005 ENABLE QRESYNC\r\n"},
    };
    int seq = 0;
    for (String[] f : frames) {
      seq++;
      String kind = f.length > 2 ? f[2] : "line";
      boolean start = f.length < 4;
      sb.append("{\"type\":\"frame\",\"seq\":")
          .append(seq)
          .append(",\"t\":")
          .append(seq)
          .append(",\"dir\":\"")
          .append(f[0])
          .append("\",\"kind\":\"")
          .append(kind)
          .append("\",\"start\":")
          .append(start)
          .append(",\"base64\":\"")
          .append(Base64.getEncoder().encodeToString(f[1].getBytes(StandardCharsets.UTF_8)))
          .append("\"}\n");
    }
    sb.append(
        "{\"type\":\"footer\",\"end\":\"2026-11-26T00:00:01Z\",\"reason\":\"bye\",\"events\":"
            + seq
            + ",\"bytes\":{}}\n");
    Files.writeString(capture, sb.toString(), StandardCharsets.UTF_8);
    assertThat(run("fingerprint", "--json", capture.toString())).as(err.toString()).isZero();
    JsonNode r = new ObjectMapper().readTree(out.toString()).get(0);
    assertThat(r.path("family").asText()).isEqualTo("kmail");
    assertThat(r.path("confidence").asDouble()).isGreaterThan(0.8);
    assertThat(r.toString()).contains("CAPABILITY > LOGIN > NAMESPACE > ID > ENABLE");
  }

  /**
   * Captures write {@code "start"} and {@code "end"} only when true (SessionCapture.frame). The
   * line that ends a command after its literal has no "start": it is not a command of its own, and
   * an empty one is not iOS Mail's blank line (mbsync 1.4.4's APPEND was taken for iOS Mail).
   */
  @Test
  void theRestOfACommandAfterItsLiteralIsNotANewCommand() throws Exception {
    String body = "Subject: x\r\nX-TUID: IpFwNhyJ1WdQ\r\n\r\nhi\r\n";
    String[][] frames = {
      {"upstream>proxy", "line", "se", "* OK [CAPABILITY IMAP4rev1 LITERAL+ UIDPLUS] ready\r\n"},
      {"client>proxy", "line", "se", "1 LOGIN \"alice\" \"secret\"\r\n"},
      {"upstream>proxy", "line", "se", "1 OK done\r\n"},
      {"client>proxy", "line", "se", "2 SELECT \"INBOX\"\r\n"},
      {"upstream>proxy", "line", "se", "2 OK done\r\n"},
      {"client>proxy", "line", "s", "3 APPEND \"INBOX\" {" + body.length() + "+}\r\n"},
      {"client>proxy", "literal", "", body},
      {"client>proxy", "line", "e", "\r\n"},
      {"upstream>proxy", "line", "se", "3 OK [APPENDUID 1 6] done\r\n"},
      {"client>proxy", "line", "se", "4 LOGOUT\r\n"},
    };
    StringBuilder sb = new StringBuilder();
    sb.append(
        "{\"type\":\"header\",\"format\":\"quirkproxy-capture\",\"version\":1,\"session\":\"s000002\","
            + "\"protocol\":\"imap\",\"client\":\"127.0.0.1:50000\",\"start\":\"2026-11-26T00:00:00Z\"}\n");
    int seq = 0;
    for (String[] f : frames) {
      seq++;
      sb.append("{\"type\":\"frame\",\"seq\":")
          .append(seq)
          .append(",\"t\":")
          .append(seq)
          .append(",\"dir\":\"")
          .append(f[0])
          .append("\",\"kind\":\"")
          .append(f[1])
          .append('"')
          .append(f[2].contains("s") ? ",\"start\":true" : "")
          .append(f[2].contains("e") ? ",\"end\":true" : "")
          .append(",\"base64\":\"")
          .append(Base64.getEncoder().encodeToString(f[3].getBytes(StandardCharsets.UTF_8)))
          .append("\"}\n");
    }
    sb.append(
        "{\"type\":\"footer\",\"end\":\"2026-11-26T00:00:01Z\",\"reason\":\"bye\",\"events\":"
            + seq
            + ",\"bytes\":{}}\n");
    Path capture = dir.resolve("s000002.jsonl");
    Files.writeString(capture, sb.toString(), StandardCharsets.UTF_8);
    // A family that only a blank line speaks for must not match.
    Path probe = dir.resolve("probe.json");
    Files.writeString(
        probe,
        "{\"version\":1,\"entries\":[{\"family\":\"blank\",\"protocols\":[\"imap\"],"
            + "\"source\":\"test\",\"features\":{\"blank-line\":100}}]}",
        StandardCharsets.UTF_8);
    assertThat(run("fingerprint", "--json", "--catalog", probe.toString(), capture.toString()))
        .as(err.toString())
        .isZero();
    JsonNode r = new ObjectMapper().readTree(out.toString()).get(0);
    assertThat(r.path("family").asText()).isNotEqualTo("blank");
    assertThat(r.toString()).contains("LOGIN > SELECT > APPEND > LOGOUT");
  }

  @Test
  void unreadableFileIsExitOneButOthersAreStillReported() {
    Path missing = dir.resolve("nope.txt");
    assertThat(run("fingerprint", missing.toString(), CORPUS.resolve("geary.txt").toString()))
        .isEqualTo(1);
    assertThat(err.toString()).contains("cannot read").contains("nope.txt");
    assertThat(out.toString()).contains("geary");
  }

  @Test
  void extraCatalogOverridesAndBadCatalogIsAUsageError() throws Exception {
    Path mine = dir.resolve("mine.json");
    Files.writeString(
        mine,
        "{\"version\":1,\"entries\":[{\"family\":\"geary\",\"label\":\"Geary (ours)\","
            + "\"protocols\":[\"imap\"],\"source\":\"local\",\"tags\":[{\"kind\":\"decimal\","
            + "\"prefix\":\"a\",\"width\":3,\"weight\":4}]}]}",
        StandardCharsets.UTF_8);
    assertThat(
            run(
                "fingerprint",
                "--catalog",
                mine.toString(),
                CORPUS.resolve("geary.txt").toString()))
        .isZero();
    assertThat(out.toString()).contains("Geary (ours)");

    Path bad = dir.resolve("bad.json");
    Files.writeString(
        bad,
        "{\"version\":1,\"entries\":[{\"family\":\"x\",\"protocols\":[\"imap\"],\"source\":\"s\","
            + "\"colour\":\"red\"}]}",
        StandardCharsets.UTF_8);
    assertThat(
            run("fingerprint", "--catalog", bad.toString(), CORPUS.resolve("geary.txt").toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("bad.json").contains("entry 1 (x)").contains("'colour'");
  }

  @Test
  void missingCatalogIsExitOne() {
    assertThat(
            run(
                "fingerprint",
                "--catalog",
                dir.resolve("none.json").toString(),
                CORPUS.resolve("geary.txt").toString()))
        .isEqualTo(1);
    assertThat(err.toString()).contains("none.json");
  }

  @Test
  void noFileIsAUsageError() {
    assertThat(run("fingerprint")).isEqualTo(2);
    assertThat(err.toString()).contains("FILE");
  }

  @Test
  void helpListsTheSubcommand() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("fingerprint");
  }
}
