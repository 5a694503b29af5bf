package dev.quirkproxy.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading, validating, extending and overriding the catalog; the schema matches the records. */
class CatalogTest {

  static final List<String> REQUIRED_FAMILIES =
      List.of(
          "thunderbird",
          "k9",
          "aosp-email",
          "apple-mail-macos",
          "ios-mail",
          "outlook",
          "evolution",
          "geary",
          "kmail",
          "mutt",
          "neomutt",
          "alpine",
          "libetpan",
          "roundcube",
          "squirrelmail",
          "rainloop",
          "nextcloud-mail",
          "python-imaplib",
          "offlineimap",
          "mbsync",
          "fetchmail",
          "curl",
          "jakarta-mail",
          "mailkit",
          "imapflow",
          "go-imap");

  private static final String ENTRY =
      "{\"family\":\"foo\",\"protocols\":[\"imap\"],\"source\":\"a transcript\"%s}";

  private static Catalog one(String extraFields) throws CatalogException {
    return Catalog.of(
        Map.of(
            "mine.json", "{\"version\":1,\"entries\":[" + ENTRY.replace("%s", extraFields) + "]}"));
  }

  @Test
  void builtinCoversEveryClientWithEvidenceAndCitesSources() throws Exception {
    Catalog c = Catalog.load(List.of());
    assertThat(c.families()).containsAll(REQUIRED_FAMILIES);
    for (String family : c.families()) {
      assertThat(c.entry(family).source()).as(family).isNotBlank();
      assertThat(c.entry(family).label()).as(family).isNotBlank();
    }
    assertThat(c.entry("outlook").note()).contains("weak evidence");
    assertThat(c.entry("outlook").maxConfidence()).isLessThan(0.5);
  }

  @Test
  void aMinimalEntryLoads() throws Exception {
    assertThat(one("").families()).containsExactly("foo");
  }

  @Test
  void unknownFieldNamesTheFileAndEntry() {
    assertThatThrownBy(() -> one(",\"colour\":\"red\""))
        .isInstanceOf(CatalogException.class)
        .hasMessageContaining("mine.json")
        .hasMessageContaining("entry 1 (foo)")
        .hasMessageContaining("unknown field 'colour'");
  }

  @Test
  void unknownTagFieldIsAnError() {
    assertThatThrownBy(() -> one(",\"tags\":[{\"kind\":\"decimal\",\"padding\":4}]"))
        .hasMessageContaining("entry 1 (foo)")
        .hasMessageContaining("unknown field 'padding'");
  }

  @Test
  void unknownTopLevelFieldIsAnError() {
    assertThatThrownBy(
            () -> Catalog.of(Map.of("top.json", "{\"version\":1,\"entries\":[],\"rules\":[]}")))
        .hasMessageContaining("top.json")
        .hasMessageContaining("unknown top-level field 'rules'");
  }

  @Test
  void otherMistakesAreNamed() {
    assertThatThrownBy(() -> one(",\"id\":[{\"name\":\"(unclosed\"}]"))
        .hasMessageContaining("entry 1 (foo)")
        .hasMessageContaining("id.name is not a valid regex");
    assertThatThrownBy(() -> one(",\"features\":{\"verb:lower\":1}"))
        .hasMessageContaining("unknown feature 'verb:lower'");
    assertThatThrownBy(() -> one(",\"tags\":[{\"kind\":\"octal\"}]"))
        .hasMessageContaining("tag kind must be one of");
    assertThatThrownBy(() -> one(",\"tags\":[{\"kind\":\"decimal\",\"prefix\":\"[\"}]"))
        .hasMessageContaining("tags.prefix is not a valid regex");
    assertThatThrownBy(() -> one(",\"maxConfidence\":2")).hasMessageContaining("maxConfidence");
    assertThatThrownBy(() -> one(",\"features\":{\"blank-line\":\"lots\"}"))
        .hasMessageContaining("entry 1 (foo)");
    assertThatThrownBy(
            () ->
                Catalog.of(
                    Map.of(
                        "x.json",
                        "{\"version\":1,\"entries\":[{\"family\":\"bar\",\"protocols\":[\"imap\"]}]}")))
        .hasMessageContaining("x.json: entry 1 (bar)")
        .hasMessageContaining("\"source\" is required");
    assertThatThrownBy(
            () ->
                Catalog.of(
                    Map.of(
                        "p.json",
                        "{\"version\":1,\"entries\":[{\"family\":\"bar\",\"protocols\":[\"smtp\"],"
                            + "\"source\":\"s\"}]}")))
        .hasMessageContaining("unknown protocol 'smtp'");
    assertThatThrownBy(() -> Catalog.of(Map.of("v.json", "{\"version\":2,\"entries\":[]}")))
        .hasMessageContaining("v.json: \"version\" must be 1");
    assertThatThrownBy(() -> Catalog.of(Map.of("j.json", "{\"version\":1,")))
        .hasMessageContaining("j.json: not valid JSON");
    String twice = ENTRY.replace("%s", "");
    assertThatThrownBy(
            () ->
                Catalog.of(
                    Map.of("d.json", "{\"version\":1,\"entries\":[" + twice + "," + twice + "]}")))
        .hasMessageContaining("appears twice");
  }

  @Test
  void userFilesOverrideByFamilyAndAddFamilies(@TempDir Path dir) throws Exception {
    Path mine = dir.resolve("mine.json");
    Files.writeString(
        mine,
        "{\"version\":1,\"entries\":["
            + "{\"family\":\"mbsync\",\"label\":\"my mbsync\",\"protocols\":[\"imap\"],"
            + "\"source\":\"local\",\"tags\":[{\"kind\":\"decimal\",\"firstMin\":1,\"firstMax\":1,"
            + "\"weight\":5}]},"
            + "{\"family\":\"inhouse\",\"label\":\"In-house tool\",\"protocols\":[\"imap\"],"
            + "\"source\":\"our logs\",\"id\":[{\"name\":\"^inhouse$\"}]}]}",
        StandardCharsets.UTF_8);
    Catalog builtin = Catalog.load(List.of());
    Catalog c = Catalog.load(List.of(mine));
    assertThat(c.families()).hasSize(builtin.families().size() + 1).endsWith("inhouse");
    assertThat(c.entry("mbsync").label()).isEqualTo("my mbsync");
    Fingerprinter fp = new Fingerprinter(c, dev.quirkproxy.session.Protocol.IMAP);
    fp.client("1 CAPABILITY");
    fp.client("2 LOGIN a b");
    assertThat(fp.fingerprint().family()).isEqualTo("mbsync");
    fp.client("3 ID (\"name\" \"inhouse\")");
    assertThat(fp.fingerprint().family()).isEqualTo("inhouse");
  }

  @Test
  void unreadableUserFileIsAnError(@TempDir Path dir) {
    assertThatThrownBy(() -> Catalog.load(List.of(dir.resolve("missing.json"))))
        .hasMessageContaining("missing.json")
        .hasMessageContaining("cannot read");
  }

  @Test
  void schemaDescribesExactlyTheFieldsTheLoaderAccepts() throws Exception {
    JsonNode schema;
    try (InputStream in = Catalog.class.getResourceAsStream("/fingerprints.schema.json")) {
      schema = new ObjectMapper().readTree(in);
    }
    JsonNode defs = schema.path("$defs");
    assertThat(names(defs.path("entry").path("properties")))
        .isEqualTo(components(CatalogEntry.class));
    assertThat(names(defs.path("tag").path("properties")))
        .isEqualTo(components(CatalogEntry.Tag.class));
    String featurePattern =
        defs.path("entry")
            .path("properties")
            .path("features")
            .path("propertyNames")
            .path("pattern")
            .asText();
    for (String prefix : Catalog.FEATURE_PREFIXES) {
      assertThat(featurePattern).contains(prefix);
    }
    assertThat(featurePattern.split("\\|")).hasSize(Catalog.FEATURE_PREFIXES.size());
  }

  @Test
  void builtinFollowsTheSchemaShape() throws Exception {
    JsonNode catalog =
        new ObjectMapper()
            .readTree(Files.readString(Path.of(Catalog.BUILTIN), StandardCharsets.UTF_8));
    Set<String> kinds = new TreeSet<>();
    for (JsonNode e : catalog.path("entries")) {
      assertThat(e.has("source")).as(e.path("family").asText()).isTrue();
      e.path("tags").forEach(t -> kinds.add(t.path("kind").asText()));
    }
    assertThat(kinds).containsExactlyInAnyOrder("decimal", "dotted", "hex", "imaplib", "random");
  }

  private static Set<String> names(JsonNode properties) {
    Set<String> out = new TreeSet<>();
    properties.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static Set<String> components(Class<?> record) {
    Set<String> out = new TreeSet<>();
    Arrays.stream(record.getRecordComponents()).forEach(c -> out.add(c.getName()));
    return out;
  }
}
