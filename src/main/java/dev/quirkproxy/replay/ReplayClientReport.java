package dev.quirkproxy.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A {@code replay client} result as text for people, JUnit XML for CI (one test case per command, a
 * failure per differing one) or JSON. A directory of captures gives one test suite with a test case
 * per command per capture (the capture as its class name; a capture whose replay stopped is one
 * test case with an error), or a JSON array of the per-capture objects.
 */
public final class ReplayClientReport {

  private ReplayClientReport() {}

  /** One line per command ({@code same} / {@code differs}), its differences indented, a summary. */
  public static String text(ReplayClientResult result) {
    StringBuilder b = new StringBuilder();
    for (ReplayClientResult.Step s : result.steps()) {
      b.append(s.command()).append(": ").append(s.same() ? "same" : "differs").append('\n');
      for (String d : s.differences()) {
        b.append("    ").append(d).append('\n');
      }
    }
    for (String s : result.skipped()) {
      b.append("not replayed: ").append(s).append('\n');
    }
    b.append(result.steps().size())
        .append(" steps replayed: ")
        .append(result.steps().size() - result.differing())
        .append(" same, ")
        .append(result.differing())
        .append(" differ\n");
    return b.toString();
  }

  /** Writes JUnit XML when {@code file} ends in {@code .xml}, else JSON. */
  public static void write(ReplayClientResult result, String suite, Path file) throws IOException {
    boolean xml = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".xml");
    Files.writeString(
        file, xml ? junitXml(result, suite) : json(result, suite), StandardCharsets.UTF_8);
  }

  /**
   * One line for a capture of a directory: {@code NAME: same (N steps)}, {@code NAME: differs (D of
   * N steps)} with the differing steps and their differences indented, or {@code NAME: error: WHY}.
   */
  public static String line(ReplayClientOutcome o) {
    if (o.result() == null) {
      return o.capture() + ": error: " + o.error() + "\n";
    }
    ReplayClientResult r = o.result();
    StringBuilder b = new StringBuilder(o.capture());
    if (r.same()) {
      b.append(": same (").append(r.steps().size()).append(" steps)\n");
    } else {
      b.append(": differs (")
          .append(r.differing())
          .append(" of ")
          .append(r.steps().size())
          .append(" steps)\n");
    }
    for (ReplayClientResult.Step s : r.steps()) {
      if (!s.same()) {
        b.append("  ").append(s.command()).append(": differs\n");
        s.differences().forEach(d -> b.append("      ").append(d).append('\n'));
      }
    }
    return b.toString();
  }

  /** Writes all outcomes as JUnit XML when {@code file} ends in {@code .xml}, else JSON. */
  public static void writeAll(List<ReplayClientOutcome> outcomes, String suite, Path file)
      throws IOException {
    boolean xml = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".xml");
    Files.writeString(
        file,
        xml ? junitXmlAll(outcomes, suite) : jsonAll(outcomes, suite),
        StandardCharsets.UTF_8);
  }

  /** One test suite; per capture a test case per command, or one with an error if it stopped. */
  public static String junitXmlAll(List<ReplayClientOutcome> outcomes, String suite) {
    int tests = 0;
    long failures = 0;
    int errors = 0;
    int skipped = 0;
    StringBuilder cases = new StringBuilder();
    for (ReplayClientOutcome o : outcomes) {
      if (o.result() == null) {
        tests++;
        errors++;
        cases
            .append("  <testcase classname=\"")
            .append(escape(o.capture()))
            .append("\" name=\"replay\">\n    <error message=\"")
            .append(escape(o.error()))
            .append("\"/>\n  </testcase>\n");
        continue;
      }
      tests += o.result().steps().size();
      failures += o.result().differing();
      skipped += o.result().skipped().size();
      cases.append(testcases(o.result(), o.capture()));
    }
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\""
        + escape(suite)
        + "\" tests=\""
        + tests
        + "\" failures=\""
        + failures
        + "\" errors=\""
        + errors
        + "\" skipped=\""
        + skipped
        + "\">\n"
        + cases
        + "</testsuite>\n";
  }

  /** {@code {"directory", "same", "captures": [ per capture as {@link #json}, or an error ]}}. */
  public static String jsonAll(List<ReplayClientOutcome> outcomes, String suite)
      throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = json.createObjectNode();
    root.put("directory", suite);
    root.put("same", outcomes.stream().allMatch(o -> o.exitCode() == 0));
    ArrayNode captures = root.putArray("captures");
    for (ReplayClientOutcome o : outcomes) {
      if (o.result() == null) {
        captures.addObject().put("capture", o.capture()).put("error", o.error());
      } else {
        captures.add(json.readTree(json(o.result(), o.capture())));
      }
    }
    return json.writeValueAsString(root) + "\n";
  }

  public static String junitXml(ReplayClientResult result, String suite) {
    StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    b.append("<testsuite name=\"")
        .append(escape(suite))
        .append("\" tests=\"")
        .append(result.steps().size())
        .append("\" failures=\"")
        .append(result.differing())
        .append("\" errors=\"0\" skipped=\"")
        .append(result.skipped().size())
        .append("\">\n");
    b.append(testcases(result, suite));
    return b.append("</testsuite>\n").toString();
  }

  public static String json(ReplayClientResult result, String suite) throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = json.createObjectNode();
    root.put("capture", suite);
    root.put("same", result.same());
    ArrayNode steps = root.putArray("steps");
    for (ReplayClientResult.Step s : result.steps()) {
      ObjectNode o = steps.addObject();
      o.put("tag", s.tag());
      o.put("command", s.command());
      o.put("same", s.same());
      ArrayNode d = o.putArray("differences");
      s.differences().forEach(d::add);
    }
    ArrayNode skipped = root.putArray("skipped");
    result.skipped().forEach(skipped::add);
    return json.writeValueAsString(root) + "\n";
  }

  private static String testcases(ReplayClientResult result, String suite) {
    StringBuilder b = new StringBuilder();
    int i = 0;
    for (ReplayClientResult.Step s : result.steps()) {
      b.append("  <testcase classname=\"")
          .append(escape(suite))
          .append("\" name=\"")
          .append(String.format(Locale.ROOT, "%03d ", ++i))
          .append(escape(s.command()))
          .append('"');
      if (s.same()) {
        b.append("/>\n");
        continue;
      }
      b.append(">\n    <failure message=\"")
          .append(s.differences().size())
          .append(" differences\">")
          .append(escape(String.join("\n", s.differences())))
          .append("</failure>\n  </testcase>\n");
    }
    for (String s : result.skipped()) {
      b.append("  <testcase classname=\"")
          .append(escape(suite))
          .append("\" name=\"")
          .append(escape(s))
          .append("\"><skipped/></testcase>\n");
    }
    return b.toString();
  }

  private static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        default -> {
          if (c < 0x20 && c != '\n' && c != '\t') {
            // XML 1.0 cannot hold control characters, not even escaped.
            b.append('?');
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }
}
