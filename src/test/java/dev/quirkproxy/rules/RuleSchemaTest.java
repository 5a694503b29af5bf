package dev.quirkproxy.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * rules.schema.json says what {@link RuleLoader} accepts: the example rule files and a sample of
 * every condition and action pass both; broken samples fail both; the fields and action types the
 * schema lists are the ones the code allows, so the two cannot drift apart.
 */
class RuleSchemaTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EXAMPLES = Path.of("rules/examples");
  private static final Path DEFAULTS = Path.of("rules");

  private static JsonNode schemaNode;
  private static JsonSchema schema;

  @BeforeAll
  static void readSchema() throws IOException {
    try (InputStream in = RuleLoader.class.getResourceAsStream("/rules.schema.json")) {
      assertThat(in).as("rules.schema.json on the class path").isNotNull();
      schemaNode = JSON.readTree(in);
    }
    schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schemaNode);
  }

  // ---- the schema itself

  @Test
  void schemaIsAValidDraft202012Schema() {
    JsonSchema meta =
        JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
            .getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
    assertThat(meta.validate(schemaNode)).isEmpty();
    assertThat(schemaNode.path("$schema").asText())
        .isEqualTo("https://json-schema.org/draft/2020-12/schema");
  }

  @Test
  void everyObjectInTheSchemaForbidsUnknownFields() {
    List<String> open = new ArrayList<>();
    walk(schemaNode, "#", open);
    // An action is closed by its oneOf branch (one per type); 'custom' carries a plug-in's own
    // parameters.
    assertThat(open)
        .containsExactlyInAnyOrder("#/$defs/action", "#/$defs/condition/properties/custom");
    assertThat(def("action").path("oneOf").size()).isEqualTo(Actions.builtInTypes().size());
  }

  private static void walk(JsonNode node, String at, List<String> open) {
    if (node.isObject()) {
      if (node.path("type").asText().equals("object")
          && !node.path("additionalProperties").isBoolean()) {
        open.add(at);
      }
      node.properties().forEach(e -> walk(e.getValue(), at + "/" + e.getKey(), open));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), at + "/" + i, open);
      }
    }
  }

  @Test
  void actionTypesAreExactlyTheBuiltIns() {
    // The test class path's plug-in (ShoutAction) is not a built-in and not in the schema.
    List<String> builtIns = Actions.builtInTypes();
    JsonNode action = def("action");
    assertThat(strings(action.path("properties").path("type").path("enum")))
        .containsExactlyElementsOf(builtIns);
    List<String> branches = new ArrayList<>();
    for (JsonNode ref : action.path("oneOf")) {
      branches.add(resolve(ref).path("properties").path("type").path("const").asText());
    }
    assertThat(branches).containsExactlyElementsOf(builtIns);
    assertThat(ACTIONS.keySet()).containsExactlyElementsOf(builtIns);
  }

  @Test
  void conditionFieldsAreExactlyConditionsFields() {
    assertThat(names(def("condition").path("properties")))
        .isEqualTo(new TreeSet<>(Conditions.FIELDS));
    assertThat(CONDITIONS.keySet()).isEqualTo(new TreeSet<>(Conditions.FIELDS));
  }

  /**
   * Every object's field list in the schema is the list the loader's error names for an unknown
   * field ("expected one of …"), so a field added to the code and not to the schema fails here.
   */
  @Test
  void fieldListsMatchWhatTheLoaderAllows() {
    assertThat(names(schemaNode.path("properties"))).isEqualTo(allowed("{\"zz\": 1}"));
    assertThat(names(def("rule").path("properties")))
        .isEqualTo(allowed(rule("{\"zz\": 1, \"action\": {\"type\": \"drop\"}}")));
    assertThat(names(def("condition").path("properties"))).isEqualTo(allowed(when("{\"zz\": 1}")));
    JsonNode props = def("condition").path("properties");
    assertThat(names(props.at("/client/oneOf/1/properties")))
        .isEqualTo(allowed(when("{\"client\": {\"zz\": 1}}")));
    assertThat(names(props.at("/command/oneOf/1/properties")))
        .isEqualTo(allowed(when("{\"command\": {\"zz\": 1}}")));
    assertThat(names(props.at("/response/oneOf/1/properties")))
        .isEqualTo(allowed(when("{\"response\": {\"zz\": 1}}")));
    assertThat(names(def("name").at("/oneOf/1/properties")))
        .isEqualTo(allowed(when("{\"mailbox\": {\"zz\": 1}}")));
    for (JsonNode ref : def("action").path("oneOf")) {
      JsonNode branch = resolve(ref);
      String type = branch.path("properties").path("type").path("const").asText();
      assertThat(names(branch.path("properties")))
          .as(type)
          .isEqualTo(allowed(rule("{\"action\": {\"type\": \"" + type + "\", \"zz\": 1}}")));
    }
  }

  // ---- the example files

  @Test
  void everyExampleFileValidatesAndLoads() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(EXAMPLES)) {
      files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).hasSizeBetween(3, 5);
    for (Path f : files) {
      JsonNode doc = JSON.readTree(Files.readString(f, StandardCharsets.UTF_8));
      assertThat(schema.validate(doc)).as(f.toString()).isEmpty();
      assertThat(doc.path("$schema").asText())
          .isEqualTo("../../src/main/resources/rules.schema.json");
      RuleLoader.Result r = RuleLoader.load(f);
      assertThat(r.errors()).as(f.toString()).isEmpty();
      assertThat(r.rules().rules()).as(f.toString()).isNotEmpty();
      for (Rule rule : r.rules().rules()) {
        assertThat(rule.description()).as(rule.id()).isNotBlank();
        // Disabled, or narrowed to one protocol and to a client family or a forced client.
        assertThat(!rule.enabled() || (rule.protocol() != null && narrowedToAClient(doc, rule)))
            .as("%s is disabled or narrow", rule.id())
            .isTrue();
      }
    }
    // Together, as a directory: the ids are unique across the files too.
    RuleLoader.Result all = RuleLoader.load(EXAMPLES);
    assertThat(all.errors()).isEmpty();
    assertThat(all.rules().files()).hasSameSizeAs(files);
  }

  /**
   * The rule files the proxy applies by default ({@code rules/*.json} except the client catalog):
   * valid, loadable together, and each enabled rule narrowed to IMAP or POP3 and to a client.
   */
  @Test
  void everyDefaultRuleFileValidatesAndLoads() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(DEFAULTS)) {
      files =
          s.filter(p -> p.getFileName().toString().endsWith(".json"))
              .filter(p -> !p.getFileName().toString().startsWith("fingerprints"))
              .sorted()
              .toList();
    }
    assertThat(files).isNotEmpty();
    for (Path f : files) {
      JsonNode doc = JSON.readTree(Files.readString(f, StandardCharsets.UTF_8));
      assertThat(schema.validate(doc)).as(f.toString()).isEmpty();
      assertThat(doc.path("$schema").asText()).isEqualTo("../src/main/resources/rules.schema.json");
      RuleLoader.Result r = RuleLoader.load(f);
      assertThat(r.errors()).as(f.toString()).isEmpty();
      for (Rule rule : r.rules().rules()) {
        assertThat(rule.description()).as(rule.id()).isNotBlank();
        assertThat(!rule.enabled() || (rule.protocol() != null && narrowedToAClient(doc, rule)))
            .as("%s is disabled or narrow", rule.id())
            .isTrue();
      }
    }
    RuleLoader.Result all = RuleLoader.load(DEFAULTS);
    assertThat(all.errors()).isEmpty();
    assertThat(all.rules().files()).hasSameSizeAs(files);
  }

  private static boolean narrowedToAClient(JsonNode doc, Rule rule) {
    for (JsonNode r : doc.path("rules")) {
      if (r.path("id").asText().equals(rule.id())) {
        return r.path("when").has("client");
      }
    }
    return false;
  }

  // ---- samples of every condition and action: both accept them

  /** Condition field -> samples of each form it takes. */
  private static final Map<String, List<String>> CONDITIONS = new LinkedHashMap<>();

  static {
    CONDITIONS.put("protocol", List.of("\"imap\"", "\"POP3\""));
    CONDITIONS.put("direction", List.of("\"client\"", "\"Server\""));
    CONDITIONS.put(
        "client",
        List.of(
            "\"thunderbird\"",
            "{}",
            "{\"family\": \"k9\"}",
            "{\"family\": [\"outlook\", \"thunderbird\"], \"familyRegex\": \"(?i)out.*\","
                + " \"version\": \">= 17, < 18.2\", \"versionRegex\": \"16\\\\..*\","
                + " \"minConfidence\": 0.5, \"forced\": false}",
            "{\"version\": \"115.2\"}",
            "{\"version\": \">=91<100 != 95.1\"}"));
    CONDITIONS.put(
        "state",
        List.of(
            "\"selected\"",
            "[\"not-authenticated\", \"NOT_AUTHENTICATED\", \"authenticated\", \"logout\"]",
            "[\"authorization\", \"Transaction\", \"update\"]"));
    CONDITIONS.put("mailbox", List.of("\"INBOX\"", "{\"regex\": \"(?i)inbox\\\\..*\"}"));
    CONDITIONS.put(
        "command",
        List.of(
            "\"IDLE\"",
            "[\"uid fetch\", \"FETCH\"]",
            "{}",
            "{\"name\": \"FETCH\", \"items\": [\"BODY.PEEK\", \"ENVELOPE\"]}",
            "{\"name\": [\"STORE\", \"UID STORE\"], \"flags\": \"\\\\Seen\","
                + " \"operation\": \"+flags.silent\"}",
            "{\"mailbox\": \"Sent\"}",
            "{\"mailbox\": {\"regex\": \"Drafts|Entw.*\"}}"));
    CONDITIONS.put(
        "response",
        List.of(
            "\"tagged\"",
            "\"CAPABILITY\"",
            "[\"OK\", \"NO\"]",
            "{}",
            "{\"kind\": \"UNTAGGED\", \"name\": [\"EXISTS\", \"EXPUNGE\"]}",
            "{\"kind\": \"continuation\"}",
            "{\"status\": [\"NO\", \"BAD\"]}",
            "\"greeting\"",
            "{\"kind\": \"GREETING\", \"status\": \"OK\"}"));
    CONDITIONS.put("code", List.of("\"TRYCREATE\"", "[\"ALERT\", \"auth\"]"));
    CONDITIONS.put("capability", List.of("\"IDLE\"", "[\"CONDSTORE\", \"QRESYNC\"]"));
    CONDITIONS.put("line", List.of("\"^\\\\* \\\\d+ EXISTS\"", "\"(?i)\\\\bidle\\\\b\""));
    CONDITIONS.put("text", List.of("\"X-Spam\""));
    CONDITIONS.put(
        "all",
        List.of(
            "[{\"command\": \"LOGIN\"}]",
            "[{\"protocol\": \"imap\"}, {\"any\": [{\"state\": \"selected\"}, {\"not\": {}}]}]"));
    CONDITIONS.put(
        "any",
        List.of(
            "[{\"client\": \"mutt\"}, {\"client\": {\"family\": \"neomutt\"}}]",
            "[{\"direction\": \"client\", \"response\": \"OK\"}]"));
    CONDITIONS.put("not", List.of("{}", "{\"mailbox\": \"INBOX\", \"code\": \"ALERT\"}"));
    // Schema-valid; the loader needs an installed MatcherFactory (see customNeedsAPlugIn).
    CONDITIONS.put("custom", List.of("{\"type\": \"my-matcher\", \"anything\": [1, 2]}"));
  }

  /** Action type -> samples. */
  private static final Map<String, List<String>> ACTIONS = new LinkedHashMap<>();

  static {
    ACTIONS.put(
        "replace",
        List.of(
            "{\"type\": \"replace\", \"pattern\": \"(?i) IDLE\", \"replacement\": \"\"}",
            "{\"type\": \"replace\", \"pattern\": \"(\\\\S+) OK\", \"replacement\": \"$1 NO\","
                + " \"literals\": true}"));
    ACTIONS.put(
        "rewrite",
        List.of(
            "{\"type\": \"rewrite\", \"pattern\": \"Sent\", \"replacement\": \"{mailbox}\","
                + " \"literals\": false}"));
    ACTIONS.put(
        "replace-frame",
        List.of(
            "{\"type\": \"replace-frame\", \"lines\": \"{tag} NO [UNAVAILABLE] try later\"}",
            "{\"type\": \"replace-frame\", \"lines\": [\"* 1 EXISTS\", \"{tag} OK done\"]}"));
    ACTIONS.put("drop", List.of("{\"type\": \"drop\"}"));
    ACTIONS.put(
        "inject",
        List.of(
            "{\"type\": \"inject\", \"before\": \"* OK [ALERT] hello\"}",
            "{\"type\": \"inject\", \"after\": [\"* {exists} EXISTS\"]}",
            "{\"type\": \"inject\", \"before\": \"* 3 RECENT\", \"after\": \"* 4 RECENT\"}"));
    ACTIONS.put(
        "answer",
        List.of(
            "{\"type\": \"answer\", \"lines\": \"{tag} OK {command} done\"}",
            "{\"type\": \"answer\", \"lines\": [\"* 0 EXISTS\", \"{tag} OK\"]}"));
    ACTIONS.put(
        "capabilities",
        List.of(
            "{\"type\": \"capabilities\", \"remove\": \"IDLE\"}",
            "{\"type\": \"capabilities\", \"add\": [\"XLIST\"], \"remove\": [\"STLS\", \"SASL\"]}"));
    ACTIONS.put(
        "rename-mailbox",
        List.of(
            "{\"type\": \"rename-mailbox\", \"upstream\": \"INBOX.Sent\", \"client\": \"Sent\"}"));
    ACTIONS.put(
        "delay",
        List.of(
            "{\"type\": \"delay\", \"ms\": 0}",
            "{\"type\": \"delay\", \"ms\": 600000}",
            "{\"type\": \"delay\", \"minMs\": 100, \"maxMs\": 100}"));
    ACTIONS.put(
        "split",
        List.of(
            "{\"type\": \"split\", \"chunk\": 1, \"pauseMs\": 50}",
            "{\"type\": \"split\", \"chunk\": 1048576, \"pauseMs\": 0}"));
    ACTIONS.put(
        "bye",
        List.of(
            "{\"type\": \"bye\"}",
            "{\"type\": \"bye\", \"text\": \"Autologout; idle for too long\", \"forwardFirst\":"
                + " true}"));
    ACTIONS.put(
        "response-code",
        List.of(
            "{\"type\": \"response-code\", \"code\": \"ALERT\"}",
            "{\"type\": \"response-code\", \"code\": \"UIDVALIDITY 1\", \"text\": \"{command}\"}"));
    ACTIONS.put(
        "duplicate",
        List.of("{\"type\": \"duplicate\"}", "{\"type\": \"duplicate\", \"times\": 10}"));
    ACTIONS.put(
        "inject-expunge",
        List.of(
            "{\"type\": \"inject-expunge\"}",
            "{\"type\": \"inject-expunge\", \"seq\": \"first\"}",
            "{\"type\": \"inject-expunge\", \"seq\": \"9999999999\"}",
            "{\"type\": \"inject-expunge\", \"seq\": 7}"));
    ACTIONS.put(
        "inject-exists",
        List.of(
            "{\"type\": \"inject-exists\"}",
            "{\"type\": \"inject-exists\", \"count\": 4294967295}",
            "{\"type\": \"inject-exists\", \"add\": -1000000}"));
    ACTIONS.put(
        "expunged-stubs",
        List.of(
            "{\"type\": \"expunged-stubs\"}",
            "{\"type\": \"expunged-stubs\", \"flags\": [\"\\\\Deleted\"], \"size\": 1,"
                + " \"body\": \"\", \"internalDate\": \"02-Jan-1970 00:00:00 +0000\","
                + " \"envelope\": \"NIL\", \"bodyStructure\": \"NIL\"}"));
    ACTIONS.put(
        "delete-to-trash",
        List.of(
            "{\"type\": \"delete-to-trash\"}",
            "{\"type\": \"delete-to-trash\", \"trash\": \"Deleted Items\"}"));
    ACTIONS.put(
        "move-detection",
        List.of(
            "{\"type\": \"move-detection\"}",
            "{\"type\": \"move-detection\", \"refresh\": [\"NOOP\", \"UID FETCH FLAGS\"]}"));
    ACTIONS.put(
        "complete-bodystructure",
        List.of(
            "{\"type\": \"complete-bodystructure\"}",
            "{\"type\": \"complete-bodystructure\", \"unwrapSingleChildMultipart\": true}"));
    ACTIONS.put(
        "xlist",
        List.of(
            "{\"type\": \"xlist\"}",
            "{\"type\": \"xlist\", \"xlist\": false, \"addSpecialUseToList\": true}",
            "{\"type\": \"xlist\", \"addSpecialUseToList\": true, \"specialUse\":"
                + " {\"\\\\Trash\": \"Trash\", \"\\\\Sent\": \"INBOX.Sent\"}}"));
    ACTIONS.put(
        "folder-alias",
        List.of(
            "{\"type\": \"folder-alias\", \"aliases\": {\"\\\\Trash\": \"Deleted Items\"}}",
            "{\"type\": \"folder-alias\", \"aliases\": {\"\\\\Trash\": [\"Deleted Items\","
                + " \"Deleted Messages\"], \"\\\\Junk\": [\"Junk E-mail\"]},"
                + " \"serverNames\": {\"\\\\Trash\": \"INBOX.Trash\"}}"));
  }

  @Test
  void aSampleOfEveryConditionValidatesAndLoads() {
    CONDITIONS.forEach(
        (field, samples) -> {
          for (String sample : samples) {
            String file = rule("{\"when\": {\"" + field + "\": " + sample + "}, " + DROP + "}");
            assertValid(file);
            if (!field.equals("custom")) {
              assertLoads(file);
            }
          }
        });
  }

  @Test
  void customNeedsAPlugIn() {
    String file = rule("{\"when\": {\"custom\": {\"type\": \"my-matcher\"}}, " + DROP + "}");
    assertValid(file);
    assertThat(RuleLoader.load("t.json", file).errors())
        .singleElement()
        .extracting(RuleException::problem)
        .isEqualTo("no custom matcher 'my-matcher'; installed: tag-parity");
  }

  @Test
  void aSampleOfEveryActionValidatesAndLoads() {
    ACTIONS.forEach(
        (type, samples) -> {
          for (String sample : samples) {
            String file = rule("{\"action\": " + sample + "}");
            assertValid(file);
            assertLoads(file);
          }
        });
  }

  @Test
  void aRuleWithEveryFieldValidatesAndLoads() {
    String file =
        "{\"$schema\": \"rules.schema.json\", \"version\": 1, \"description\": \"d\", \"rules\": ["
            + "{\"id\": \"A-1.b_c\", \"description\": \"x\", \"enabled\": false, \"when\": {},"
            + " \"action\": {\"type\": \"drop\"}, \"probability\": 0.25, \"times\": 3,"
            + " \"priority\": -1000000},"
            + "{\"id\": \"b\", \"action\": {\"type\": \"drop\"}, \"probability\": 1, \"once\":"
            + " false, \"priority\": 1000000}]}";
    assertValid(file);
    assertLoads(file);
    assertValid("{\"version\": 1, \"rules\": []}");
    assertLoads("{\"version\": 1, \"rules\": []}");
  }

  // ---- broken samples: both reject them

  @Test
  void whatTheLoaderRejectsTheSchemaRejects() {
    List<String> broken =
        List.of(
            "{\"rules\": []}",
            "{\"version\": 1}",
            "{\"version\": 2, \"rules\": []}",
            "{\"version\": \"1\", \"rules\": []}",
            "{\"version\": 1, \"rules\": {}}",
            "{\"version\": 1, \"rules\": [], \"extra\": true}",
            "{\"version\": 1, \"rules\": [1]}",
            rule("{\"id\": \"\", " + DROP + "}"),
            rule("{\"id\": \"-x\", " + DROP + "}"),
            rule("{\"id\": \"a b\", " + DROP + "}"),
            rule("{\"id\": 7, " + DROP + "}"),
            rule("{\"id\": \"" + "x".repeat(101) + "\", " + DROP + "}"),
            "{\"version\": 1, \"rules\": [{" + DROP + "}]}",
            "{\"version\": 1, \"rules\": [{\"id\": \"r\"}]}",
            rule("{\"actoin\": 1, " + DROP + "}"),
            rule("{\"times\": 2, \"once\": true, " + DROP + "}"),
            rule("{\"times\": 1, \"once\": false, " + DROP + "}"),
            rule("{\"times\": 0, " + DROP + "}"),
            rule("{\"probability\": 1.5, " + DROP + "}"),
            rule("{\"probability\": -0.1, " + DROP + "}"),
            rule("{\"priority\": 1000001, " + DROP + "}"),
            rule("{\"priority\": 1.5, " + DROP + "}"),
            rule("{\"enabled\": \"yes\", " + DROP + "}"),
            rule("{\"description\": 5, " + DROP + "}"),
            rule("{\"when\": [], " + DROP + "}"),
            rule("{\"action\": \"drop\"}"),
            rule("{\"action\": {}}"),
            rule("{\"action\": {\"type\": \"dorp\"}}"),
            when("{\"comand\": \"IDLE\"}"),
            when("{\"protocol\": \"smtp\"}"),
            when("{\"direction\": \"up\"}"),
            when("{\"direction\": \"Client\", \"response\": \"OK\"}"),
            when("{\"client\": 3}"),
            when("{\"client\": {\"family\": []}}"),
            when("{\"client\": {\"version\": \"latest\"}}"),
            when("{\"client\": {\"version\": \"\"}}"),
            when("{\"client\": {\"version\": \">=\"}}"),
            when("{\"client\": {\"version\": \"1..2\"}}"),
            when("{\"client\": {\"version\": \"1.\"}}"),
            when("{\"client\": {\"version\": \"1234567890\"}}"),
            when("{\"client\": {\"version\": \"1.2.1234567890\"}}"),
            when("{\"client\": {\"minConfidence\": 2}}"),
            when("{\"client\": {\"forced\": \"yes\"}}"),
            when("{\"state\": \"idle\"}"),
            when("{\"state\": [\"selected\", \"idle\"]}"),
            when("{\"state\": []}"),
            when("{\"mailbox\": {}}"),
            when("{\"mailbox\": {\"name\": \"INBOX\"}}"),
            when("{\"command\": []}"),
            when("{\"command\": [\"FETCH\", 1]}"),
            when("{\"command\": {\"operation\": \"FLAGS.LOUD\"}}"),
            when("{\"command\": {\"operation\": \"*FLAGS\"}}"),
            when("{\"command\": {\"mailbox\": 1}}"),
            when("{\"response\": {\"kind\": \"status\"}}"),
            when("{\"response\": 1}"),
            when("{\"code\": {}}"),
            when("{\"capability\": []}"),
            when("{\"text\": 1}"),
            when("{\"all\": []}"),
            when("{\"any\": {}}"),
            when("{\"any\": [1]}"),
            when("{\"not\": []}"),
            when("{\"all\": [{\"not\": {\"stat\": \"selected\"}}]}"),
            when("{\"custom\": {}}"),
            action("{\"type\": \"drop\", \"lines\": \"x\"}"),
            action("{\"type\": \"replace\", \"pattern\": \"x\"}"),
            action("{\"type\": \"replace-frame\"}"),
            action("{\"type\": \"replace-frame\", \"lines\": []}"),
            action("{\"type\": \"inject\"}"),
            action("{\"type\": \"answer\", \"lines\": 1}"),
            action("{\"type\": \"capabilities\"}"),
            action("{\"type\": \"capabilities\", \"add\": []}"),
            action("{\"type\": \"rename-mailbox\", \"upstream\": \"a\"}"),
            action("{\"type\": \"delay\"}"),
            action("{\"type\": \"delay\", \"minMs\": 5}"),
            action("{\"type\": \"delay\", \"ms\": 600001}"),
            action("{\"type\": \"delay\", \"ms\": -1}"),
            action("{\"type\": \"split\", \"chunk\": 10}"),
            action("{\"type\": \"split\", \"chunk\": 0, \"pauseMs\": 1}"),
            action("{\"type\": \"bye\", \"forwardFirst\": 1}"),
            action("{\"type\": \"response-code\"}"),
            action("{\"type\": \"duplicate\", \"times\": 1}"),
            action("{\"type\": \"duplicate\", \"times\": 11}"),
            action("{\"type\": \"inject-expunge\", \"seq\": 0}"),
            action("{\"type\": \"inject-expunge\", \"seq\": \"middle\"}"),
            action("{\"type\": \"inject-expunge\", \"seq\": \"07\"}"),
            action("{\"type\": \"inject-expunge\", \"seq\": 10000000000}"),
            action("{\"type\": \"inject-exists\", \"count\": -1}"),
            action("{\"type\": \"inject-exists\", \"add\": 1000001}"),
            action("{\"type\": \"inject-exists\", \"count\": 0, \"add\": 5}"),
            action("{\"type\": \"delay\", \"ms\": 5, \"minMs\": 1, \"maxMs\": 9}"),
            action("{\"type\": \"rename-mailbox\", \"upstream\": \"\", \"client\": \"Sent\"}"),
            action("{\"type\": \"complete-bodystructure\", \"alsoBody\": true}"),
            action("{\"type\": \"complete-bodystructure\", \"unwrapSingleChildMultipart\": 1}"),
            action("{\"type\": \"xlist\", \"xlist\": false}"),
            action("{\"type\": \"xlist\", \"xlist\": 1}"),
            action("{\"type\": \"xlist\", \"specialUse\": {}}"),
            action("{\"type\": \"xlist\", \"specialUse\": {\"\\\\Bin\": \"Trash\"}}"),
            action("{\"type\": \"xlist\", \"specialUse\": {\"\\\\Trash\": \"\"}}"),
            action("{\"type\": \"folder-alias\"}"),
            action("{\"type\": \"folder-alias\", \"aliases\": {}}"),
            action("{\"type\": \"folder-alias\", \"aliases\": {\"\\\\trash\": \"Bin\"}}"),
            action("{\"type\": \"folder-alias\", \"aliases\": {\"\\\\Trash\": []}}"),
            action("{\"type\": \"folder-alias\", \"aliases\": {\"\\\\Trash\": \"inbox\"}}"),
            action("{\"type\": \"folder-alias\", \"aliases\": {\"\\\\Trash\": \"\"}}"),
            action(
                "{\"type\": \"folder-alias\", \"aliases\": {\"\\\\Trash\": \"Bin\"},"
                    + " \"serverNames\": {\"\\\\Sent\": 5}}"));
    for (String file : broken) {
      assertThat(RuleLoader.load("t.json", file).errors()).as(file).isNotEmpty();
      assertThat(schema.validate(tree(file))).as(file).isNotEmpty();
    }
  }

  /**
   * What a JSON schema cannot say, or where the loader is looser than the schema. Pinned so that a
   * change to either side is noticed (and the schema's descriptions updated).
   */
  @Test
  void whereSchemaAndLoaderDiffer() {
    // Java regular expressions are checked by the loader only (the schema's regex is ECMA 262).
    for (String file :
        List.of(
            when("{\"line\": \"(unclosed\"}"),
            when("{\"client\": {\"familyRegex\": \"(\"}}"),
            when("{\"mailbox\": {\"regex\": \"[\"}}"),
            action("{\"type\": \"replace\", \"pattern\": \"(\", \"replacement\": \"\"}"),
            // A group the pattern does not have.
            action("{\"type\": \"replace\", \"pattern\": \"IDLE\", \"replacement\": \"$1\"}"),
            // Kind words in a list of response names.
            when("{\"response\": [\"tagged\", \"untagged\"]}"),
            // maxMs below minMs: one field's bound depends on another's value.
            action("{\"type\": \"delay\", \"minMs\": 10, \"maxMs\": 5}"),
            // One alias for two special uses: names across fields.
            action(
                "{\"type\": \"folder-alias\", \"aliases\": {\"\\\\Trash\": \"Bin\","
                    + " \"\\\\Junk\": [\"Bin\"]}}"),
            // JSON Schema counts 1.0 as the integer 1; the loader wants a whole-number literal.
            "{\"version\": 1.0, \"rules\": []}",
            rule("{\"times\": 2.0, " + DROP + "}"),
            // A response-only action under a command-only condition.
            rule(
                "{\"when\": {\"direction\": \"client\"}, \"action\": {\"type\":"
                    + " \"complete-bodystructure\"}}"))) {
      assertValid(file);
      assertThat(RuleLoader.load("t.json", file).errors()).as(file).isNotEmpty();
    }
    // The top-level "$schema" and "description" must be strings for both.
    for (String file :
        List.of(
            "{\"$schema\": 5, \"version\": 1, \"rules\": []}",
            "{\"description\": [\"x\"], \"version\": 1, \"rules\": []}")) {
      assertThat(RuleLoader.load("t.json", file).errors()).as(file).isNotEmpty();
      assertThat(schema.validate(tree(file))).as(file).isNotEmpty();
    }
  }

  /**
   * Every rule file under {@code rules/}, at any depth (the client catalog {@code
   * fingerprints*.json} aside): valid against the schema, pointing at it by a right relative path,
   * loadable, every rule described. The personas ({@code rules/personas/}) are IMAP rules and each
   * says where its facts come from.
   */
  @Test
  void everyRuleFileUnderRulesValidatesAndLoads() throws IOException {
    Path root = Path.of("rules");
    List<Path> files;
    try (Stream<Path> s = Files.walk(root)) {
      files =
          s.filter(Files::isRegularFile)
              .filter(p -> p.getFileName().toString().endsWith(".json"))
              .filter(p -> !p.getFileName().toString().startsWith("fingerprints"))
              .sorted()
              .toList();
    }
    assertThat(files)
        .contains(
            Path.of("rules/personas/gmail.json"),
            Path.of("rules/personas/exchange.json"),
            Path.of("rules/personas/dovecot.json"),
            Path.of("rules/personas/hide-id.json"),
            Path.of("rules/personas/idle-before-login.json"));
    for (Path f : files) {
      JsonNode doc = JSON.readTree(Files.readString(f, StandardCharsets.UTF_8));
      assertThat(schema.validate(doc)).as(f.toString()).isEmpty();
      String up = "../".repeat(root.relativize(f).getNameCount());
      assertThat(doc.path("$schema").asText())
          .as(f.toString())
          .isEqualTo(up + "src/main/resources/rules.schema.json");
      RuleLoader.Result r = RuleLoader.load(f);
      assertThat(r.errors()).as(f.toString()).isEmpty();
      assertThat(r.rules().rules()).as(f.toString()).isNotEmpty();
      for (Rule rule : r.rules().rules()) {
        assertThat(rule.description()).as(rule.id()).isNotBlank();
      }
      if (f.startsWith(root.resolve("personas"))) {
        assertThat(doc.path("description").asText()).as(f.toString()).contains("--rules " + f);
        for (Rule rule : r.rules().rules()) {
          assertThat(rule.protocol()).as(rule.id()).isEqualTo(dev.quirkproxy.session.Protocol.IMAP);
        }
      }
    }
    // The personas together, as one directory: their rule ids are unique across the files too.
    RuleLoader.Result personas = RuleLoader.load(root.resolve("personas"));
    assertThat(personas.errors()).isEmpty();
  }

  // ---- helpers

  private static final String DROP = "\"action\": {\"type\": \"drop\"}";

  /** A file with one rule: {@code fields} (an object's text) plus id "r" unless it has one. */
  private static String rule(String fields) {
    String body = fields.substring(1).trim();
    return "{\"version\": 1, \"rules\": [{"
        + (body.startsWith("\"id\"") ? "" : "\"id\": \"r\", ")
        + body
        + "]}";
  }

  private static String when(String when) {
    return rule("{\"when\": " + when + ", " + DROP + "}");
  }

  private static String action(String action) {
    return rule("{\"action\": " + action + "}");
  }

  private static void assertValid(String file) {
    Set<ValidationMessage> errors = schema.validate(tree(file));
    assertThat(errors).as(file).isEmpty();
  }

  private static void assertLoads(String file) {
    assertThat(RuleLoader.load("t.json", file).errors()).as(file).isEmpty();
  }

  /** The field names an unknown-field error says are allowed, loading {@code file}. */
  private static Set<String> allowed(String file) {
    List<RuleException> errors = RuleLoader.load("t.json", file).errors();
    assertThat(errors).as(file).singleElement();
    String problem = errors.get(0).problem();
    assertThat(problem).as(file).startsWith("unknown field 'zz'; expected one of ");
    return new TreeSet<>(
        Arrays.asList(problem.substring(problem.indexOf("one of ") + 7).split(", ")));
  }

  private static JsonNode def(String name) {
    JsonNode d = schemaNode.path("$defs").path(name);
    assertThat(d.isObject()).as("$defs/" + name).isTrue();
    return d;
  }

  private static JsonNode resolve(JsonNode ref) {
    String r = ref.path("$ref").asText();
    assertThat(r).startsWith("#/$defs/");
    return def(r.substring("#/$defs/".length()));
  }

  private static Set<String> names(JsonNode properties) {
    Set<String> out = new TreeSet<>();
    properties.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static JsonNode tree(String text) {
    try {
      JsonNode n = JSON.readTree(text);
      assertThat(n).isInstanceOf(ObjectNode.class);
      return n;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
