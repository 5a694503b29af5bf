package dev.quirkproxy.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The JSON object of a matcher or an action, with typed getters that fail with the file, line,
 * column and rule id ({@link RuleException}). Unknown fields are errors: call {@link #allow} with
 * every field the object may have. What custom {@link ActionFactory} and {@link MatcherFactory}
 * implementations read their parameters with.
 */
public final class Params {

  private final ObjectNode node;
  private final JsonTree tree;
  private final String file;
  private final String rule;

  Params(ObjectNode node, JsonTree tree, String file, String rule) {
    this.node = node;
    this.tree = tree;
    this.file = file;
    this.rule = rule;
  }

  /** The raw JSON object. */
  public ObjectNode json() {
    return node;
  }

  /** The parameters of a nested object, e.g. {@code client} inside {@code when}. */
  public Params object(String key) throws RuleException {
    JsonNode v = node.get(key);
    if (v == null || !v.isObject()) {
      throw error(v == null ? node : v, "'" + key + "' must be an object");
    }
    return new Params((ObjectNode) v, tree, file, rule);
  }

  Params of(JsonNode child) throws RuleException {
    if (!child.isObject()) {
      throw error(child, "expected an object, got " + kind(child));
    }
    return new Params((ObjectNode) child, tree, file, rule);
  }

  public boolean has(String key) {
    return node.has(key);
  }

  /** Fails on any field not named here. */
  public void allow(String... keys) throws RuleException {
    Set<String> allowed = Set.of(keys);
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        throw error(
            node.get(k),
            "unknown field '"
                + k
                + "'; expected one of "
                + String.join(", ", new TreeSet<>(allowed)));
      }
    }
  }

  public String string(String key) throws RuleException {
    JsonNode v = required(key);
    if (!v.isTextual()) {
      throw error(v, "'" + key + "' must be a string, not " + kind(v));
    }
    return v.asText();
  }

  public String string(String key, String otherwise) throws RuleException {
    return node.has(key) ? string(key) : otherwise;
  }

  /** A string or a list of strings, as a list. */
  public List<String> strings(String key) throws RuleException {
    JsonNode v = required(key);
    List<String> out = new ArrayList<>();
    if (v.isTextual()) {
      out.add(v.asText());
      return out;
    }
    if (!v.isArray() || v.isEmpty()) {
      throw error(v, "'" + key + "' must be a string or a non-empty list of strings");
    }
    for (JsonNode item : v) {
      if (!item.isTextual()) {
        throw error(item, "'" + key + "' must hold strings, not " + kind(item));
      }
      out.add(item.asText());
    }
    return out;
  }

  public long integer(String key, long min, long max) throws RuleException {
    JsonNode v = required(key);
    if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
      throw error(v, "'" + key + "' must be a whole number from " + min + " to " + max);
    }
    return v.asLong();
  }

  public long integer(String key, long min, long max, long otherwise) throws RuleException {
    return node.has(key) ? integer(key, min, max) : otherwise;
  }

  public double number(String key, double min, double max) throws RuleException {
    JsonNode v = required(key);
    if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max) {
      throw error(v, "'" + key + "' must be a number from " + min + " to " + max);
    }
    return v.asDouble();
  }

  public boolean bool(String key, boolean otherwise) throws RuleException {
    JsonNode v = node.get(key);
    if (v == null) {
      return otherwise;
    }
    if (!v.isBoolean()) {
      throw error(v, "'" + key + "' must be true or false");
    }
    return v.asBoolean();
  }

  /** Milliseconds as a whole number. */
  public Duration millis(String key, long max) throws RuleException {
    return Duration.ofMillis(integer(key, 0, max));
  }

  public Pattern regex(String key) throws RuleException {
    String text = string(key);
    try {
      return Pattern.compile(text);
    } catch (PatternSyntaxException e) {
      throw error(
          node.get(key), "'" + key + "' is not a valid regular expression: " + e.getDescription());
    }
  }

  private JsonNode required(String key) throws RuleException {
    JsonNode v = node.get(key);
    if (v == null) {
      throw error(node, "missing '" + key + "'");
    }
    return v;
  }

  /** An error located at {@code at} (a node of this file). */
  public RuleException error(JsonNode at, String problem) {
    return new RuleException(file, tree.at(at), rule, problem);
  }

  /** An error located at this object. */
  public RuleException error(String problem) {
    return error(node, problem);
  }

  static String kind(JsonNode v) {
    return v.isTextual()
        ? "a string"
        : v.isNumber()
            ? "a number"
            : v.isBoolean()
                ? "a boolean"
                : v.isArray() ? "a list" : v.isNull() ? "null" : "an object";
  }
}
