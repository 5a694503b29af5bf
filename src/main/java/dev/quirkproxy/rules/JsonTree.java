package dev.quirkproxy.rules;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A JSON document read into a tree that remembers where each node started, so that errors can name
 * the line and column. Duplicate keys are errors.
 */
final class JsonTree {

  private static final JsonFactory JSON = new JsonFactory();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final JsonNode root;
  private final Map<JsonNode, JsonLocation> where;

  private JsonTree(JsonNode root, Map<JsonNode, JsonLocation> where) {
    this.root = root;
    this.where = where;
  }

  JsonNode root() {
    return root;
  }

  /** {@code line:column} of a node, or {@code ?} for a node not from the text. */
  String at(JsonNode node) {
    JsonLocation l = where.get(node);
    return l == null ? "?" : l.getLineNr() + ":" + l.getColumnNr();
  }

  /**
   * Reads {@code text}.
   *
   * @throws RuleException naming the line and column of a syntax error
   */
  static JsonTree parse(String file, String text) throws RuleException {
    Map<JsonNode, JsonLocation> where = new IdentityHashMap<>();
    try (JsonParser p = JSON.createParser(text)) {
      p.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new RuleException(file, "1:1", null, "the file is empty; expected a JSON object");
      }
      JsonNode root = value(p, where);
      if (p.nextToken() != null) {
        throw new RuleException(
            file,
            location(p.currentTokenLocation()),
            null,
            "unexpected content after the JSON value");
      }
      return new JsonTree(root, where);
    } catch (JsonParseException e) {
      String message = e.getOriginalMessage();
      int cut = message.indexOf('\n');
      throw new RuleException(
          file,
          location(e.getLocation()),
          null,
          "not valid JSON: " + (cut < 0 ? message : message.substring(0, cut)));
    } catch (IOException e) {
      throw new RuleException(file, "?", null, "cannot read: " + e.getMessage());
    }
  }

  private static String location(JsonLocation l) {
    return l == null ? "?" : l.getLineNr() + ":" + l.getColumnNr();
  }

  private static JsonNode value(JsonParser p, Map<JsonNode, JsonLocation> where)
      throws IOException {
    JsonLocation start = p.currentTokenLocation();
    JsonNode node =
        switch (p.currentToken()) {
          case START_OBJECT -> {
            ObjectNode o = NODES.objectNode();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String name = p.currentName();
              p.nextToken();
              o.set(name, value(p, where));
            }
            yield o;
          }
          case START_ARRAY -> {
            ArrayNode a = NODES.arrayNode();
            while (p.nextToken() != JsonToken.END_ARRAY) {
              a.add(value(p, where));
            }
            yield a;
          }
          case VALUE_STRING -> NODES.textNode(p.getText());
          case VALUE_NUMBER_INT -> NODES.numberNode(p.getLongValue());
          case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDoubleValue());
          case VALUE_TRUE -> NODES.booleanNode(true);
          case VALUE_FALSE -> NODES.booleanNode(false);
          case VALUE_NULL -> NODES.nullNode();
          default -> throw new JsonParseException(p, "unexpected " + p.currentToken());
        };
    where.put(node, start);
    return node;
  }
}
