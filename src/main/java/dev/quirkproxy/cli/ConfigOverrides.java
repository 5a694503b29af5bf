package dev.quirkproxy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine.ParseResult;

/**
 * The command line's options over a config file. A process-wide option (limits, recording, rules,
 * catalogs, CA directory, key log, shutdown grace) replaces that key at the top of the file and in
 * every listener. A listener option ({@code --listen}, {@code --upstream}, {@code --client-tls},
 * {@code --cert}, {@code --key}, {@code --tls-hostname}, {@code --client-tls-legacy}, {@code
 * --upstream-ca}, {@code --upstream-insecure}, {@code --client}) replaces that key in the listener
 * {@code --listener NAME} names, or in the only one. Paths on the command line are relative to the
 * working directory. The edits are applied to the file's tree each time it is read (at start and at
 * every SIGHUP), so the command line keeps winning.
 */
final class ConfigOverrides {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final List<Consumer<ObjectNode>> top = new ArrayList<>();
  private final List<Consumer<ObjectNode>> perListener = new ArrayList<>();
  private final List<String> listenerOptions = new ArrayList<>();
  private final String selected;

  private ConfigOverrides(String selected) {
    this.selected = selected;
  }

  /** The edits the options given to {@code command} make, or null when there are none. */
  static Consumer<ObjectNode> of(ProxyCommand c, ParseResult given) {
    ConfigOverrides o = new ConfigOverrides(c.listenerName);
    TlsOptions tls = c.tls;
    RecordOptions rec = c.record;
    o.limit(given, "--max-line", "maxLine", NODES.numberNode(c.maxLine));
    o.limit(given, "--max-server-line", "maxServerLine", NODES.numberNode(c.maxServerLine));
    o.limit(given, "--max-literal", "maxLiteral", NODES.numberNode(c.maxLiteral));
    o.limit(
        given,
        "--max-literal-before-login",
        "maxLiteralBeforeLogin",
        NODES.numberNode(c.maxLiteralBeforeLogin));
    o.limit(
        given, "--max-server-literal", "maxServerLiteral", NODES.numberNode(c.maxServerLiteral));
    o.limit(given, "--idle-timeout", "idleTimeout", text(c.idleTimeout));
    o.limit(given, "--login-timeout", "loginTimeout", text(c.loginTimeout));
    o.limit(given, "--connect-timeout", "connectTimeout", text(c.connectTimeout));
    if (given.hasMatchedOption("--shutdown-grace")) {
      o.top.add(t -> t.set("shutdownGrace", text(c.shutdownGrace)));
    }
    o.capture(given, "--no-record", "record", NODES.booleanNode(false));
    o.capture(given, "--captures", "directory", path(rec.directory));
    o.capture(given, "--record-secrets", "recordSecrets", NODES.booleanNode(rec.recordSecrets));
    o.capture(given, "--redact-user", "redactUser", NODES.booleanNode(rec.redactUser));
    o.capture(given, "--on-record-error", "onError", NODES.textNode(rec.onError));
    o.capture(given, "--captures-max-files", "maxFiles", NODES.numberNode(rec.maxFiles));
    o.capture(given, "--captures-max-bytes", "maxBytes", NODES.numberNode(rec.maxBytes));
    if (given.hasMatchedOption("--rules")) {
      o.top.add(t -> t.set("rules", path(c.rulesPath)));
      o.perListener.add(l -> l.remove(List.of("rules", "noRules")));
    }
    if (given.hasMatchedOption("--no-rules")) {
      o.top.add(t -> t.set("noRules", NODES.booleanNode(true)));
    }
    if (given.hasMatchedOption("--catalog")) {
      o.top.add(t -> t.set("catalogs", paths(c.catalogs)));
    }
    if (given.hasMatchedOption("--ca-dir")) {
      o.top.add(t -> block(t, "tls").set("caDir", path(tls.caDir)));
    }
    if (given.hasMatchedOption("--keylog")) {
      o.top.add(t -> block(t, "tls").set("keylog", path(tls.keylog)));
    }
    o.listener(given, "--listen", "listen", c.listen == null ? null : NODES.textNode(c.listen));
    o.listener(
        given, "--upstream", "upstream", c.upstream == null ? null : NODES.textNode(c.upstream));
    o.listener(given, "--client-tls", "clientTls", NODES.textNode(tls.clientTls));
    o.listener(given, "--cert", "cert", path(tls.cert));
    o.listener(given, "--key", "key", path(tls.key));
    o.listener(given, "--tls-hostname", "tlsHostnames", strings(tls.hostnames));
    o.listener(given, "--client-tls-legacy", "clientTlsLegacy", NODES.booleanNode(tls.legacy));
    o.listener(given, "--upstream-ca", "upstreamCa", paths(tls.upstreamCas));
    o.listener(
        given, "--upstream-insecure", "upstreamInsecure", NODES.booleanNode(tls.upstreamInsecure));
    o.listener(given, "--client", "client", NODES.textNode(c.forcedClient));
    o.translate(given, "--pop3-mailbox", "pop3Mailbox", NODES.textNode(c.pop3Mailbox));
    o.translate(given, "--pop3-mark-seen", "pop3MarkSeen", NODES.booleanNode(c.pop3MarkSeen));
    o.translate(given, "--pop3-order", "pop3Order", NODES.textNode(c.pop3Order));
    return o.top.isEmpty() && o.perListener.isEmpty() && o.selected == null ? null : o::apply;
  }

  private void limit(ParseResult given, String option, String key, JsonNode value) {
    if (given.hasMatchedOption(option)) {
      top.add(t -> block(t, "limits").set(key, value));
      perListener.add(l -> removeFrom(l, "limits", key));
    }
  }

  private void capture(ParseResult given, String option, String key, JsonNode value) {
    if (given.hasMatchedOption(option)) {
      top.add(t -> block(t, "captures").set(key, value));
      perListener.add(l -> removeFrom(l, "captures", key));
    }
  }

  private void listener(ParseResult given, String option, String key, JsonNode value) {
    if (given.hasMatchedOption(option)) {
      listenerOptions.add(option);
      perListener.add(
          l -> {
            if (isSelected(l)) {
              l.set(key, value);
            }
          });
    }
  }

  /** A listener option that sets a key of the listener's {@code translate:} block. */
  private void translate(ParseResult given, String option, String key, JsonNode value) {
    if (given.hasMatchedOption(option)) {
      listenerOptions.add(option);
      perListener.add(
          l -> {
            if (isSelected(l)) {
              block(l, "translate").set(key, value);
            }
          });
    }
  }

  private boolean isSelected(ObjectNode listener) {
    return selected == null || selected.equals(listener.path("name").asText(null));
  }

  private void apply(ObjectNode tree) {
    top.forEach(e -> e.accept(tree));
    JsonNode listeners = tree.path("listeners");
    if (!listenerOptions.isEmpty() || selected != null) {
      checkSelection(listeners);
    }
    for (JsonNode l : listeners) {
      if (l instanceof ObjectNode listener) {
        perListener.forEach(e -> e.accept(listener));
      }
    }
  }

  /** A listener option needs one listener to apply to: the named one or the only one. */
  private void checkSelection(JsonNode listeners) {
    List<String> names = new ArrayList<>();
    listeners.forEach(l -> names.add(l.path("name").asText("?")));
    String options = String.join(", ", listenerOptions);
    if (selected == null && names.size() > 1) {
      throw new UsageException(
          options
              + " would apply to one listener, but the config file has "
              + names.size()
              + " ("
              + String.join(", ", names)
              + "): name it with --listener NAME");
    }
    if (selected != null && !names.contains(selected)) {
      throw new UsageException(
          "--listener: no listener '"
              + selected
              + "' in the config file; it has "
              + String.join(", ", names));
    }
  }

  private static ObjectNode block(ObjectNode parent, String key) {
    JsonNode b = parent.get(key);
    if (b instanceof ObjectNode o) {
      return o;
    }
    return parent.putObject(key);
  }

  private static void removeFrom(ObjectNode listener, String block, String key) {
    if (listener.get(block) instanceof ObjectNode o) {
      o.remove(key);
    }
  }

  private static JsonNode text(Object value) {
    return NODES.textNode(value.toString());
  }

  private static JsonNode path(Path p) {
    return p == null ? NODES.nullNode() : NODES.textNode(p.toAbsolutePath().toString());
  }

  private static ArrayNode paths(List<Path> ps) {
    ArrayNode a = NODES.arrayNode();
    ps.forEach(p -> a.add(p.toAbsolutePath().toString()));
    return a;
  }

  private static ArrayNode strings(List<String> values) {
    ArrayNode a = NODES.arrayNode();
    values.forEach(a::add);
    return a;
  }
}
