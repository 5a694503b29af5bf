package dev.quirkproxy.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads rule files: a file, or every {@code *.json} in a directory in name order (except {@code
 * fingerprints*.json}, the client catalog). Each file is {@code {"version": 1, "rules": [...]}};
 * unknown fields are errors, and every error names the file, line, column, rule and what was
 * expected. Rule ids are unique across files.
 */
public final class RuleLoader {

  /** The rule file format version this build reads. */
  public static final int VERSION = 1;

  private static final String[] RULE_FIELDS = {
    "id", "description", "enabled", "when", "action", "probability", "times", "once", "priority"
  };

  /** What loading gave: the rules, or the errors (then {@code rules} is null). */
  public record Result(RuleSet rules, List<RuleException> errors) {
    public Result {
      errors = List.copyOf(errors);
    }

    public boolean ok() {
      return errors.isEmpty();
    }
  }

  private RuleLoader() {}

  /** The rule files at {@code path} (a file, or a directory's {@code *.json}), in name order. */
  public static List<Path> files(Path path) throws IOException {
    if (!Files.isDirectory(path)) {
      return List.of(path);
    }
    try (Stream<Path> s = Files.list(path)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".json"))
          .filter(p -> !p.getFileName().toString().startsWith("fingerprints"))
          .filter(Files::isRegularFile)
          .sorted()
          .toList();
    }
  }

  /** Loads every rule file at {@code path}; all errors are collected, not just the first. */
  public static Result load(Path path) {
    List<RuleException> errors = new ArrayList<>();
    List<Rule> rules = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<Path> files;
    try {
      if (!Files.exists(path)) {
        return new Result(
            null,
            List.of(new RuleException(path.toString(), null, null, "no such file or directory")));
      }
      files = files(path);
    } catch (IOException e) {
      return new Result(
          null,
          List.of(
              new RuleException(path.toString(), null, null, "cannot list: " + e.getMessage())));
    }
    Map<String, String> ids = new HashMap<>();
    for (Path f : files) {
      names.add(f.toString());
      String text;
      try {
        text = Files.readString(f, StandardCharsets.UTF_8);
      } catch (IOException e) {
        errors.add(new RuleException(f.toString(), null, null, "cannot read: " + e.getMessage()));
        continue;
      }
      parse(f.toString(), text, rules, errors, ids);
    }
    return errors.isEmpty()
        ? new Result(new RuleSet(rules, names), List.of())
        : new Result(null, errors);
  }

  /** Loads rules from one JSON text (tests, {@code rules test} with inline rules). */
  public static Result load(String name, String text) {
    List<RuleException> errors = new ArrayList<>();
    List<Rule> rules = new ArrayList<>();
    parse(name, text, rules, errors, new HashMap<>());
    return errors.isEmpty()
        ? new Result(new RuleSet(rules, List.of(name)), List.of())
        : new Result(null, errors);
  }

  private static void parse(
      String file,
      String text,
      List<Rule> into,
      List<RuleException> errors,
      Map<String, String> ids) {
    JsonTree tree;
    try {
      tree = JsonTree.parse(file, text);
    } catch (RuleException e) {
      errors.add(e);
      return;
    }
    JsonNode root = tree.root();
    try {
      Params top = new Params(asObject(root, tree, file), tree, file, null);
      top.allow("$schema", "version", "description", "rules");
      top.string("$schema", null);
      top.string("description", "");
      long version = top.integer("version", 1, Integer.MAX_VALUE);
      if (version != VERSION) {
        throw top.error(
            top.json().get("version"),
            "format version " + version + " is not supported; this build reads version " + VERSION);
      }
      JsonNode list = top.json().get("rules");
      if (list == null || !list.isArray()) {
        throw top.error("missing 'rules': a list of rules");
      }
      for (JsonNode r : list) {
        try {
          Rule rule = rule(r, tree, file);
          String before = ids.putIfAbsent(rule.id(), file);
          if (before != null) {
            throw new RuleException(
                file,
                tree.at(r),
                rule.id(),
                "the id is already used"
                    + (before.equals(file) ? " in this file" : " in " + before));
          }
          into.add(rule);
        } catch (RuleException e) {
          errors.add(e);
        }
      }
    } catch (RuleException e) {
      errors.add(e);
    }
  }

  private static ObjectNode asObject(JsonNode n, JsonTree tree, String file) throws RuleException {
    if (!n.isObject()) {
      throw new RuleException(
          file, tree.at(n), null, "expected an object with 'version' and 'rules'");
    }
    return (ObjectNode) n;
  }

  private static Rule rule(JsonNode node, JsonTree tree, String file) throws RuleException {
    String id = node.isObject() && node.path("id").isTextual() ? node.get("id").asText() : null;
    if (!node.isObject()) {
      throw new RuleException(file, tree.at(node), null, "a rule must be an object");
    }
    Params p = new Params((ObjectNode) node, tree, file, id);
    p.allow(RULE_FIELDS);
    id = p.string("id");
    if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
      throw p.error(p.json().get("id"), "an id is 1-100 letters, digits, '.', '_' or '-'");
    }
    if (p.has("times") && p.has("once")) {
      throw p.error("give 'times' or 'once', not both");
    }
    long times =
        p.has("times") ? p.integer("times", 1, Long.MAX_VALUE) : p.bool("once", false) ? 1 : 0;
    if (!p.has("action")) {
      throw p.error("missing 'action'");
    }
    Params action = p.object("action");
    RuleAction a = Actions.create(action);
    Params when =
        p.has("when")
            ? p.object("when")
            : new Params(JsonNodeFactory.instance.objectNode(), tree, file, id);
    Conditions.Compiled c = Conditions.compile(when);
    Boolean fromClient = c.fromClient();
    String type = action.string("type");
    Boolean actsOn = Actions.direction(type);
    if (actsOn != null) {
      if (fromClient != null && !fromClient.equals(actsOn)) {
        throw p.error(
            p.json().get("action"),
            "action '"
                + type
                + "' acts on "
                + (actsOn ? "commands" : "responses")
                + ", but the conditions only match "
                + (fromClient ? "commands" : "responses"));
      }
      // Tried only where it can act: no frame of the other direction is held for it.
      fromClient = actsOn;
    }
    return new Rule(
        id,
        p.string("description", ""),
        file,
        p.bool("enabled", true),
        (int) p.integer("priority", -1_000_000, 1_000_000, 0),
        p.has("probability") ? p.number("probability", 0, 1) : 1.0,
        times,
        c.matcher(),
        a,
        type,
        fromClient,
        c.protocol());
  }
}
