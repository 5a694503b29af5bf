package dev.quirkproxy.fingerprint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.quirkproxy.session.Protocol;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The fingerprint catalog: client families loaded from JSON files ({@code rules/fingerprints.json}
 * plus the user's), checked at load (unknown fields, bad regexes and unknown feature names are
 * errors naming the file and entry) and compiled once. Later files replace earlier entries of the
 * same family and add new ones.
 */
public final class Catalog {

  /** Where the built-in catalog lives in a checkout. */
  public static final String BUILTIN = "rules/fingerprints.json";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final Set<String> TOP_LEVEL =
      Set.of("$schema", "version", "description", "entries");
  private static final Set<String> KINDS = Set.of("decimal", "dotted", "hex", "imaplib", "random");

  /** The feature names the fingerprinter produces, as prefixes (see {@link Fingerprinter}). */
  static final List<String> FEATURE_PREFIXES =
      List.of(
          "first:",
          "cmd:",
          "verbs:",
          "auth:",
          "id:",
          "enable:",
          "after-auth:",
          "list:",
          "fetch:",
          "fetch-item:",
          "fetch-header:",
          "search:",
          "seq:",
          "select:",
          "status:",
          "tag:",
          "blank-line",
          "uidl-arg");

  /** An entry with its patterns compiled. */
  record Compiled(
      CatalogEntry entry,
      Set<Protocol> protocols,
      List<Map<String, Pattern>> ids,
      List<CompiledTag> tags,
      Map<String, Double> features,
      List<List<String>> sequences,
      List<Double> sequenceWeights,
      double maxConfidence) {}

  /** A tag style with its prefix pattern compiled. */
  record CompiledTag(
      TagShape.Kind kind,
      Pattern prefix,
      int width,
      long firstMin,
      long firstMax,
      double weight,
      String version) {}

  private final List<Compiled> entries;

  private Catalog(Collection<Compiled> entries) {
    this.entries = List.copyOf(entries);
  }

  List<Compiled> entries() {
    return entries;
  }

  /** The families, in catalog order. */
  public List<String> families() {
    return entries.stream().map(c -> c.entry().family()).toList();
  }

  /** The entry of a family, or null. */
  public CatalogEntry entry(String family) {
    for (Compiled c : entries) {
      if (c.entry().family().equals(family)) {
        return c.entry();
      }
    }
    return null;
  }

  /** The built-in catalog alone, loaded once. */
  public static Catalog builtin() {
    return Builtin.CATALOG;
  }

  private static final class Builtin {
    static final Catalog CATALOG = loadBuiltin();

    private static Catalog loadBuiltin() {
      try {
        return load(List.of());
      } catch (CatalogException e) {
        throw new IllegalStateException("the built-in catalog is broken: " + e.getMessage(), e);
      }
    }
  }

  /** The built-in catalog, then each extra file in order. */
  public static Catalog load(List<Path> extra) throws CatalogException {
    Map<String, Compiled> byFamily = new LinkedHashMap<>();
    add(byFamily, builtinText(), BUILTIN);
    for (Path p : extra) {
      String text;
      try {
        text = Files.readString(p, java.nio.charset.StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new CatalogException(p + ": cannot read the catalog: " + e, e);
      }
      add(byFamily, text, p.toString());
    }
    return new Catalog(byFamily.values());
  }

  /** A catalog from JSON texts only (tests), each named for error messages. */
  public static Catalog of(Map<String, String> namedTexts) throws CatalogException {
    Map<String, Compiled> byFamily = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : namedTexts.entrySet()) {
      add(byFamily, e.getValue(), e.getKey());
    }
    return new Catalog(byFamily.values());
  }

  private static void add(Map<String, Compiled> byFamily, String text, String file)
      throws CatalogException {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new CatalogException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new CatalogException(file + ": the catalog must be a JSON object");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!TOP_LEVEL.contains(f)) {
        throw new CatalogException(file + ": unknown top-level field '" + f + "'");
      }
    }
    if (root.path("version").asInt(-1) != 1) {
      throw new CatalogException(file + ": \"version\" must be 1");
    }
    JsonNode list = root.path("entries");
    if (!list.isArray()) {
      throw new CatalogException(file + ": \"entries\" must be an array");
    }
    Map<String, Compiled> here = new LinkedHashMap<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode node = list.get(i);
      String where =
          file + ": entry " + (i + 1) + " (" + node.path("family").asText("no family") + ")";
      CatalogEntry e;
      try {
        e = JSON.treeToValue(node, CatalogEntry.class);
      } catch (UnrecognizedPropertyException ex) {
        throw new CatalogException(where + ": unknown field '" + ex.getPropertyName() + "'", ex);
      } catch (JsonProcessingException ex) {
        throw new CatalogException(where + ": " + ex.getOriginalMessage(), ex);
      }
      Compiled c = compile(e, where);
      if (here.put(e.family(), c) != null) {
        throw new CatalogException(where + ": family '" + e.family() + "' appears twice");
      }
    }
    byFamily.putAll(here);
  }

  private static Compiled compile(CatalogEntry e, String where) throws CatalogException {
    if (e.family() == null || !e.family().matches("[a-z0-9][a-z0-9.-]*")) {
      throw new CatalogException(where + ": \"family\" must be lower-case letters, digits, - or .");
    }
    if (e.source() == null || e.source().isBlank()) {
      throw new CatalogException(where + ": \"source\" is required: cite the evidence");
    }
    if (e.protocols() == null || e.protocols().isEmpty()) {
      throw new CatalogException(where + ": \"protocols\" must list imap and/or pop3");
    }
    Set<Protocol> protocols = EnumSet.noneOf(Protocol.class);
    for (String p : e.protocols()) {
      try {
        protocols.add(Protocol.valueOf(p.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException ex) {
        throw new CatalogException(where + ": unknown protocol '" + p + "'", ex);
      }
    }
    List<Map<String, Pattern>> ids = new ArrayList<>();
    for (Map<String, String> alt : e.id() == null ? List.<Map<String, String>>of() : e.id()) {
      Map<String, Pattern> m = new LinkedHashMap<>();
      for (Map.Entry<String, String> f : alt.entrySet()) {
        m.put(f.getKey().toLowerCase(Locale.ROOT), regex(f.getValue(), where, "id." + f.getKey()));
      }
      if (m.isEmpty()) {
        throw new CatalogException(where + ": an \"id\" alternative needs at least one field");
      }
      ids.add(m);
    }
    List<CompiledTag> tags = new ArrayList<>();
    for (CatalogEntry.Tag t : e.tags() == null ? List.<CatalogEntry.Tag>of() : e.tags()) {
      if (t.kind() == null || !KINDS.contains(t.kind())) {
        throw new CatalogException(
            where + ": tag kind must be one of " + KINDS + ", not " + t.kind());
      }
      tags.add(
          new CompiledTag(
              TagShape.Kind.valueOf(t.kind().toUpperCase(Locale.ROOT)),
              prefix(t, where),
              t.width() == null ? 0 : t.width(),
              t.firstMin() == null ? Long.MIN_VALUE : t.firstMin(),
              t.firstMax() == null ? Long.MAX_VALUE : t.firstMax(),
              t.weight() == null ? 1.0 : t.weight(),
              t.version()));
    }
    Map<String, Double> features = new LinkedHashMap<>();
    List<List<String>> seqs = new ArrayList<>();
    List<Double> seqWeights = new ArrayList<>();
    if (e.features() != null) {
      for (Map.Entry<String, Double> f : e.features().entrySet()) {
        String k = f.getKey();
        if (FEATURE_PREFIXES.stream().noneMatch(k::startsWith)) {
          throw new CatalogException(
              where + ": unknown feature '" + k + "' (known prefixes: " + FEATURE_PREFIXES + ")");
        }
        if (f.getValue() == null) {
          throw new CatalogException(where + ": feature '" + k + "' needs a number");
        }
        if (k.startsWith("seq:")) {
          seqs.add(List.of(k.substring(4).split(",")));
          seqWeights.add(f.getValue());
        } else {
          features.put(k, f.getValue());
        }
      }
    }
    double max = e.maxConfidence() == null ? 0.99 : e.maxConfidence();
    if (max <= 0 || max > 1) {
      throw new CatalogException(where + ": \"maxConfidence\" must be in (0, 1]");
    }
    return new Compiled(e, protocols, ids, tags, features, seqs, seqWeights, max);
  }

  /** Tag prefixes are case-sensitive: Geary's {@code a001} is not SquirrelMail's {@code A001}. */
  private static Pattern prefix(CatalogEntry.Tag t, String where) throws CatalogException {
    String re = t.prefix() != null ? t.prefix() : t.kind().equals("imaplib") ? "[A-P]{4}" : "";
    try {
      return Pattern.compile(re);
    } catch (PatternSyntaxException ex) {
      throw new CatalogException(
          where + ": tags.prefix is not a valid regex: " + ex.getDescription(), ex);
    }
  }

  private static Pattern regex(String re, String where, String field) throws CatalogException {
    try {
      return Pattern.compile(re, Pattern.CASE_INSENSITIVE);
    } catch (PatternSyntaxException ex) {
      throw new CatalogException(
          where + ": " + field + " is not a valid regex: " + ex.getDescription(), ex);
    }
  }

  /** The built-in catalog's text: {@code rules/fingerprints.json}, packaged in the jar. */
  static String builtinText() throws CatalogException {
    try (InputStream in = Catalog.class.getResourceAsStream("/" + BUILTIN)) {
      if (in == null) {
        throw new CatalogException("the built-in catalog " + BUILTIN + " is missing from the jar");
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CatalogException("cannot read the built-in catalog: " + e.getMessage(), e);
    }
  }
}
