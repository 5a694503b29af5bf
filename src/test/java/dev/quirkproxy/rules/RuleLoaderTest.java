package dev.quirkproxy.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken rule files: each error names the file, the line and column, the rule and the problem. */
class RuleLoaderTest {

  private static final String NAME = "rules/broken.json";

  /** The one error loading {@code text} gives. */
  private static RuleException error(String text) {
    RuleLoader.Result r = RuleLoader.load(NAME, text);
    assertThat(r.ok()).isFalse();
    assertThat(r.rules()).isNull();
    assertThat(r.errors()).hasSize(1);
    return r.errors().get(0);
  }

  private static void assertError(
      RuleException e, String file, String location, String rule, String problem) {
    assertThat(e.file()).isEqualTo(file);
    assertThat(e.location()).isEqualTo(location);
    assertThat(e.rule()).isEqualTo(rule);
    assertThat(e.problem()).isEqualTo(problem);
  }

  @Test
  void syntaxErrorNamesLineAndColumn() {
    RuleException e =
        error(
            """
            {
              "version": 1,
              "rules": [
                {"id": "a" "action": {"type": "drop"}}
              ]
            }
            """);
    assertThat(e.file()).isEqualTo(NAME);
    assertThat(e.rule()).isNull();
    // Column 16 is the '"' where a comma should be.
    assertThat(e.location()).isEqualTo("4:16");
    assertThat(e.problem())
        .startsWith("not valid JSON: Unexpected character ('\"' (code 34))")
        .contains("was expecting comma to separate Object entries")
        .doesNotContain("\n");
  }

  @Test
  void otherMalformedFiles() {
    assertError(error(""), NAME, "1:1", null, "the file is empty; expected a JSON object");
    assertError(error("  \n"), NAME, "1:1", null, "the file is empty; expected a JSON object");
    assertError(error("[]"), NAME, "1:1", null, "expected an object with 'version' and 'rules'");
    assertError(
        error("{\"version\": 1, \"rules\": []}\n{}"),
        NAME,
        "2:1",
        null,
        "unexpected content after the JSON value");
    RuleException dup = error("{\"version\": 1,\n \"version\": 1, \"rules\": []}");
    assertThat(dup.location()).startsWith("2:");
    assertThat(dup.problem()).isEqualTo("not valid JSON: Duplicate field 'version'");
    assertError(error("{\"version\": 1}"), NAME, "1:1", null, "missing 'rules': a list of rules");
    assertError(error("{\"rules\": []}"), NAME, "1:1", null, "missing 'version'");
  }

  @Test
  void unknownTopLevelField() {
    RuleException e =
        error(
            """
            {
              "version": 1,
              "rulez": [],
              "rules": []
            }
            """);
    assertError(
        e,
        NAME,
        "3:12",
        null,
        "unknown field 'rulez'; expected one of $schema, description, rules, version");
    assertThat(e.getMessage())
        .isEqualTo(
            "rules/broken.json:3:12: unknown field 'rulez'; expected one of $schema,"
                + " description, rules, version");
  }

  @Test
  void unknownRuleFieldTypo() {
    RuleException e =
        error(
            """
            {
              "version": 1,
              "rules": [
                {
                  "id": "hide-idle",
                  "when": {"command": "IDLE"},
                  "actoin": {"type": "drop"}
                }
              ]
            }
            """);
    String problem =
        "unknown field 'actoin'; expected one of action, description, enabled, id, once,"
            + " priority, probability, times, when";
    assertError(e, NAME, "7:17", "hide-idle", problem);
    assertThat(e.getMessage()).isEqualTo("rules/broken.json:7:17: rule 'hide-idle': " + problem);
  }

  @Test
  void missingId() {
    assertError(
        error(
            """
            {"version": 1, "rules": [
              {"description": "no id", "action": {"type": "drop"}}
            ]}
            """),
        NAME,
        "2:3",
        null,
        "missing 'id'");
    assertError(
        error("{\"version\": 1, \"rules\": [{\"id\": \"a b\", \"action\": {\"type\": \"drop\"}}]}"),
        NAME,
        "1:33",
        "a b",
        "an id is 1-100 letters, digits, '.', '_' or '-'");
  }

  @Test
  void missingAction() {
    assertError(
        error("{\"version\": 1, \"rules\": [{\"id\": \"x\"}]}"),
        NAME,
        "1:26",
        "x",
        "missing 'action'");
  }

  @Test
  void duplicateIdInOneFile() {
    assertError(
        error(
            """
            {"version": 1, "rules": [
              {"id": "x", "action": {"type": "drop"}},
              {"id": "x", "action": {"type": "drop"}}
            ]}
            """),
        NAME,
        "3:3",
        "x",
        "the id is already used in this file");
  }

  @Test
  void duplicateIdAcrossFiles(@TempDir Path dir) throws IOException {
    write(dir.resolve("a.json"), "{\"version\": 1, \"rules\": [" + drop("x") + "]}");
    write(dir.resolve("b.json"), "{\"version\": 1, \"rules\": [\n  " + drop("x") + "]}");
    RuleLoader.Result r = RuleLoader.load(dir);
    assertThat(r.rules()).isNull();
    assertThat(r.errors()).hasSize(1);
    assertError(
        r.errors().get(0),
        dir.resolve("b.json").toString(),
        "2:3",
        "x",
        "the id is already used in " + dir.resolve("a.json"));
  }

  @Test
  void badVersion() {
    assertError(
        error("{\"version\": 2, \"rules\": []}"),
        NAME,
        "1:13",
        null,
        "format version 2 is not supported; this build reads version 1");
    assertError(
        error("{\"version\": \"1\", \"rules\": []}"),
        NAME,
        "1:13",
        null,
        "'version' must be a whole number from 1 to 2147483647");
  }

  @Test
  void unknownActionTypeListsTheKnownOnes() {
    RuleException e =
        error(
            """
            {"version": 1, "rules": [
              {"id": "t", "action": {"type": "dorp"}}
            ]}
            """);
    String problem =
        "unknown action type 'dorp'; expected one of replace, rewrite, replace-frame, drop,"
            + " inject, answer, capabilities, rename-mailbox, delay, split, bye, response-code,"
            + " duplicate, inject-expunge, inject-exists, expunged-stubs, delete-to-trash,"
            + " move-detection, complete-bodystructure, xlist, folder-alias, shout";
    assertError(e, NAME, "2:34", "t", problem);
    // The built-ins, then the test class path's plug-in (ShoutAction).
    assertThat(problem).endsWith(String.join(", ", Actions.types()));
  }

  @Test
  void unknownActionParameter() {
    assertError(
        error(
            """
            {"version": 1, "rules": [
              {"id": "d", "action": {"type": "delay", "msec": 5}}
            ]}
            """),
        NAME,
        "2:51",
        "d",
        "unknown field 'msec'; expected one of maxMs, minMs, ms, type");
  }

  @Test
  void badRegex() {
    assertError(
        error(
            """
            {"version": 1, "rules": [
              {"id": "re", "when": {"line": "(unclosed"}, "action": {"type": "drop"}}
            ]}
            """),
        NAME,
        "2:33",
        "re",
        "'line' is not a valid regular expression: Unclosed group");
  }

  @Test
  void unknownState() {
    String known =
        "authenticated, authorization, logout, not-authenticated, selected, transaction, update";
    assertError(
        error(
            """
            {"version": 1, "rules": [
              {"id": "st", "when": {"state": "idel"}, "action": {"type": "drop"}}
            ]}
            """),
        NAME,
        "2:34",
        "st",
        "unknown state 'idel'; expected one of " + known);
    // In a list, the error points at the bad item.
    assertError(
        error(
            """
            {"version": 1, "rules": [
              {"id": "st", "when": {"state": ["selected", "IDEL"]}, "action": {"type": "drop"}}
            ]}
            """),
        NAME,
        "2:47",
        "st",
        "unknown state 'IDEL'; expected one of " + known);
  }

  @Test
  void timesAndOnceTogether() {
    assertError(
        error(
            """
            {"version": 1, "rules": [
              {"id": "to", "times": 2, "once": true, "action": {"type": "drop"}}
            ]}
            """),
        NAME,
        "2:3",
        "to",
        "give 'times' or 'once', not both");
  }

  @Test
  void probabilityOutOfRange() {
    assertError(
        error(
            """
            {"version": 1, "rules": [
              {"id": "p", "probability": 1.5, "action": {"type": "drop"}}
            ]}
            """),
        NAME,
        "2:30",
        "p",
        "'probability' must be a number from 0.0 to 1.0");
  }

  @Test
  void wrongTypes() {
    assertError(
        error(
            """
            {"version": 1, "rules": [
              {"id": "w", "description": 42, "action": {"type": "drop"}}
            ]}
            """),
        NAME,
        "2:30",
        "w",
        "'description' must be a string, not a number");
    assertError(
        error(
            """
            {"version": 1, "rules": [
              {"id": "w", "enabled": "no", "action": {"type": "drop"}}
            ]}
            """),
        NAME,
        "2:26",
        "w",
        "'enabled' must be true or false");
    assertError(
        error(
            """
            {"version": 1, "rules": [
              {"id": "w", "action": {"type": "answer", "lines": [1]}}
            ]}
            """),
        NAME,
        "2:54",
        "w",
        "'lines' must hold strings, not a number");
  }

  @Test
  void unknownConditionInsideNestedGroups() {
    String expected =
        "expected one of all, any, capability, client, code, command, custom, direction, line,"
            + " mailbox, not, protocol, response, state, text";
    assertError(
        error(
            """
            {"version": 1, "rules": [
              {
                "id": "nested",
                "when": {
                  "any": [
                    {"command": "IDLE"},
                    {"not": {"comand": "NOOP"}}
                  ]
                },
                "action": {"type": "drop"}
              }
            ]}
            """),
        NAME,
        "7:28",
        "nested",
        "unknown field 'comand'; " + expected);
    assertError(
        error(
            """
            {"version": 1, "rules": [
              {"id": "n2", "when": {"all": [{"protocol": "imap", "stat": "selected"}]},
               "action": {"type": "drop"}}
            ]}
            """),
        NAME,
        "2:62",
        "n2",
        "unknown field 'stat'; " + expected);
  }

  @Test
  void everyBrokenRuleIsReported() {
    RuleLoader.Result r =
        RuleLoader.load(
            NAME,
            """
            {"version": 1, "rules": [
              {"id": "ok", "action": {"type": "drop"}},
              {"id": "b1", "action": {"type": "drop"}, "times": 0},
              {"id": "b2", "when": {"protocol": "smtp"}, "action": {"type": "drop"}}
            ]}
            """);
    assertThat(r.rules()).isNull();
    assertThat(r.errors())
        .extracting(RuleException::getMessage)
        .containsExactly(
            NAME + ":3:53: rule 'b1': 'times' must be a whole number from 1 to " + Long.MAX_VALUE,
            NAME + ":4:37: rule 'b2': protocol must be imap or pop3");
  }

  // ---- files and directories

  @Test
  void directoryLoadsJsonFilesInNameOrderSkippingTheCatalog(@TempDir Path dir) throws IOException {
    write(dir.resolve("20-b.json"), "{\"version\": 1, \"rules\": [" + drop("b1") + "]}");
    write(
        dir.resolve("10-a.json"),
        "{\"version\": 1, \"rules\": [" + drop("a1") + ", " + drop("a2") + "]}");
    write(dir.resolve("30-c.json"), "{\"version\": 1, \"rules\": [" + drop("c1") + "]}");
    // Not rule files: the client catalog (any fingerprints*.json), other extensions, directories.
    write(dir.resolve("fingerprints.json"), "{\"version\": 1, \"entries\": []}");
    write(dir.resolve("fingerprints-local.json"), "not even JSON");
    write(dir.resolve("notes.txt"), "not JSON");
    Files.createDirectory(dir.resolve("more.json"));
    write(dir.resolve("more.json").resolve("d.json"), "{\"version\": 1, \"rules\": []}");

    assertThat(RuleLoader.files(dir))
        .containsExactly(
            dir.resolve("10-a.json"), dir.resolve("20-b.json"), dir.resolve("30-c.json"));
    RuleLoader.Result r = RuleLoader.load(dir);
    assertThat(r.errors()).isEmpty();
    assertThat(r.rules().rules()).extracting(Rule::id).containsExactly("a1", "a2", "b1", "c1");
    assertThat(r.rules().rules())
        .extracting(Rule::file)
        .containsExactly(
            dir.resolve("10-a.json").toString(),
            dir.resolve("10-a.json").toString(),
            dir.resolve("20-b.json").toString(),
            dir.resolve("30-c.json").toString());
    assertThat(r.rules().files())
        .containsExactly(
            dir.resolve("10-a.json").toString(),
            dir.resolve("20-b.json").toString(),
            dir.resolve("30-c.json").toString());
  }

  @Test
  void nameOrderIsByCharactersNotNumbers(@TempDir Path dir) throws IOException {
    write(dir.resolve("9-x.json"), "{\"version\": 1, \"rules\": [" + drop("nine") + "]}");
    write(dir.resolve("10-x.json"), "{\"version\": 1, \"rules\": [" + drop("ten") + "]}");
    assertThat(RuleLoader.load(dir).rules().rules())
        .extracting(Rule::id)
        .containsExactly("ten", "nine");
  }

  @Test
  void higherPriorityFirstThenFileOrder(@TempDir Path dir) throws IOException {
    write(dir.resolve("a.json"), "{\"version\": 1, \"rules\": [" + drop("a") + "]}");
    write(
        dir.resolve("b.json"),
        "{\"version\": 1, \"rules\": [{\"id\": \"b\", \"priority\": 5, \"action\": {\"type\":"
            + " \"drop\"}}]}");
    assertThat(RuleLoader.load(dir).rules().rules()).extracting(Rule::id).containsExactly("b", "a");
  }

  @Test
  void singleFileAndEmptyDirectory(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("one.json");
    write(f, "{\"version\": 1, \"rules\": [" + drop("only") + "]}");
    RuleLoader.Result r = RuleLoader.load(f);
    assertThat(r.ok()).isTrue();
    assertThat(r.rules().rules()).extracting(Rule::id).containsExactly("only");
    assertThat(r.rules().files()).containsExactly(f.toString());

    Path empty = Files.createDirectory(dir.resolve("empty"));
    RuleLoader.Result none = RuleLoader.load(empty);
    assertThat(none.ok()).isTrue();
    assertThat(none.rules().rules()).isEmpty();
  }

  @Test
  void missingPath(@TempDir Path dir) {
    Path missing = dir.resolve("nope");
    RuleLoader.Result r = RuleLoader.load(missing);
    assertThat(r.rules()).isNull();
    assertThat(r.errors()).hasSize(1);
    RuleException e = r.errors().get(0);
    assertError(e, missing.toString(), null, null, "no such file or directory");
    assertThat(e.getMessage()).isEqualTo(missing + ": no such file or directory");
  }

  @Test
  void errorsOfEveryFileAreCollected(@TempDir Path dir) throws IOException {
    write(dir.resolve("a.json"), "{\"version\": 1, \"rules\": [{\"id\": \"a\"}]}");
    write(dir.resolve("b.json"), "{\"version\": 1, \"rules\": [" + drop("b") + "]");
    write(dir.resolve("c.json"), "{\"version\": 1, \"rules\": [" + drop("c") + "]}");
    RuleLoader.Result r = RuleLoader.load(dir);
    assertThat(r.rules()).isNull();
    assertThat(r.errors())
        .extracting(RuleException::file)
        .containsExactly(dir.resolve("a.json").toString(), dir.resolve("b.json").toString());
    assertThat(r.errors().get(0).problem()).isEqualTo("missing 'action'");
    assertThat(r.errors().get(1).problem()).startsWith("not valid JSON: Unexpected end-of-input");
  }

  // ---- helpers

  private static String drop(String id) {
    return "{\"id\": \"" + id + "\", \"action\": {\"type\": \"drop\"}}";
  }

  private static void write(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}
