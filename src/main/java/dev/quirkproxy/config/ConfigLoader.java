package dev.quirkproxy.config;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a config file: YAML, or JSON when the name ends in {@code .json} (the same model either
 * way). Unknown keys, duplicate keys and values of the wrong type are errors that name the file,
 * line, column, the key's path and what was expected; then {@link Resolver} fills in defaults and
 * checks what needs several keys at once.
 */
public final class ConfigLoader {

  /** The config format version this build reads. */
  public static final int VERSION = 1;

  private static final Set<Class<?>> SCALARS =
      Set.of(
          Url.class,
          Size.class,
          Duration.class,
          dev.quirkproxy.tls.TlsMode.class,
          dev.quirkproxy.capture.CaptureSettings.OnError.class,
          ProxyFile.FormatVersion.class);
  private static final Pattern MISSING =
      Pattern.compile("Missing required creator property '([^']+)'");
  private static final Pattern FROM =
      Pattern.compile("(?: from|coerce) (Array|Object|String|Boolean|Integer|Floating-point)");

  private ConfigLoader() {}

  /** Reads and resolves {@code file}. */
  public static ProxySetup load(Path file) throws ConfigException {
    return load(file, null);
  }

  /**
   * Reads {@code file}, applies {@code edits} (the command line's overrides, as changes to the
   * document's tree) when not null, and resolves the result.
   */
  public static ProxySetup load(Path file, Consumer<ObjectNode> edits) throws ConfigException {
    ProxyFile model = read(file);
    if (edits != null) {
      model = reread(file, edits);
    }
    return Resolver.resolve(file, model);
  }

  /** The file as written, or every problem in reading it. */
  public static ProxyFile read(Path file) throws ConfigException {
    String name = file.toString();
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(new ConfigException.Problem(name, 0, 0, "no such file"));
    } catch (IOException e) {
      throw new ConfigException(
          new ConfigException.Problem(name, 0, 0, "cannot read: " + e.getMessage()));
    }
    if (text.isBlank()) {
      throw new ConfigException(
          new ConfigException.Problem(
              name, 0, 0, "the file is empty; expected a mapping with version and listeners"));
    }
    try {
      return mapper(file).readValue(text, ProxyFile.class);
    } catch (JacksonException e) {
      throw new ConfigException(problem(name, e));
    }
  }

  private static ProxyFile reread(Path file, Consumer<ObjectNode> edits) throws ConfigException {
    ObjectMapper mapper = mapper(file);
    String name = file + " (with the command line's options)";
    try {
      ObjectNode tree =
          (ObjectNode) mapper.readTree(Files.readString(file, StandardCharsets.UTF_8));
      edits.accept(tree);
      return mapper.treeToValue(tree, ProxyFile.class);
    } catch (JacksonException e) {
      throw new ConfigException(problem(name, e));
    } catch (IOException e) {
      throw new ConfigException(
          new ConfigException.Problem(file.toString(), 0, 0, "cannot read: " + e.getMessage()));
    }
  }

  /** The mapper for {@code file}'s format: strict about keys, duplicates and types. */
  static ObjectMapper mapper(Path file) {
    boolean json = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
    var builder = json ? JsonMapper.builder() : YAMLMapper.builder();
    return builder
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .addModule(new ConfigModule())
        .addHandler(new UnknownKeys())
        .build();
  }

  /** Reports an unknown key where its value starts; Jackson's own report points past the value. */
  private static final class UnknownKeys extends DeserializationProblemHandler {
    @Override
    public boolean handleUnknownProperty(
        DeserializationContext ctxt,
        JsonParser p,
        JsonDeserializer<?> deserializer,
        Object bean,
        String key)
        throws IOException {
      throw new UnrecognizedPropertyException(
          p,
          "unknown key '" + key + "'",
          p.currentTokenLocation(),
          bean == null ? null : bean.getClass(),
          key,
          deserializer.getKnownPropertyNames());
    }
  }

  /** One Jackson error in words: where, which key, what was expected. */
  static ConfigException.Problem problem(String file, JacksonException e) {
    JsonLocation at = e.getLocation();
    int line = at == null ? 0 : Math.max(0, at.getLineNr());
    int column = at == null ? 0 : Math.max(0, at.getColumnNr());
    return new ConfigException.Problem(file, line, column, describe(e));
  }

  private static String describe(JacksonException e) {
    if (e instanceof UnrecognizedPropertyException u) {
      List<JsonMappingException.Reference> refs = u.getPath();
      boolean last =
          !refs.isEmpty() && u.getPropertyName().equals(refs.get(refs.size() - 1).getFieldName());
      String where = path(last ? refs.subList(0, refs.size() - 1) : refs);
      return "unknown key '"
          + u.getPropertyName()
          + "'"
          + (where.isEmpty() ? "" : " in " + where)
          + "; expected one of: "
          + keys(u.getReferringClass());
    }
    if (e instanceof JsonMappingException w && w.getCause() instanceof JacksonException cause) {
      // A syntax error inside a value Jackson was binding: the parser's words are what count.
      String where = path(w.getPath());
      return (where.isEmpty() ? "" : where + ": ") + describe(cause);
    }
    if (!(e instanceof JsonMappingException m) || e.getOriginalMessage().startsWith("Duplicate")) {
      String msg = e.getOriginalMessage();
      if (msg.startsWith("Duplicate field")) {
        return msg.replace("Duplicate field", "duplicate key");
      }
      // SnakeYAML's messages quote the text with a caret under it; the location says as much.
      String words =
          msg.lines()
              .filter(l -> !l.isBlank() && !l.startsWith(" "))
              .collect(java.util.stream.Collectors.joining(": "));
      return "not valid " + (msg.contains("in 'reader'") ? "YAML" : "JSON") + ": " + words;
    }
    String where = path(m.getPath());
    String prefix = where.isEmpty() ? "" : where + ": ";
    Matcher missing = MISSING.matcher(m.getOriginalMessage());
    if (missing.find()) {
      return prefix + "missing key '" + missing.group(1) + "'";
    }
    if (m instanceof InvalidFormatException f && SCALARS.contains(f.getTargetType())) {
      return prefix + f.getOriginalMessage();
    }
    if (m instanceof MismatchedInputException f && f.getTargetType() != null) {
      String got = "";
      if (m instanceof InvalidFormatException v && v.getValue() != null) {
        got = ", got '" + v.getValue() + "'";
      } else {
        Matcher from = FROM.matcher(m.getOriginalMessage());
        if (from.find()) {
          got =
              ", got "
                  + switch (from.group(1)) {
                    case "Array" -> "a list";
                    case "Object" -> "a mapping";
                    case "String" -> "a string";
                    case "Boolean" -> "true or false";
                    default -> "a number";
                  };
        }
      }
      return prefix + "expected " + expected(f.getTargetType()) + got;
    }
    return prefix + m.getOriginalMessage().lines().findFirst().orElse("");
  }

  /** {@code listeners[1].limits.maxLine}. */
  private static String path(List<JsonMappingException.Reference> refs) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : refs) {
      if (r.getFieldName() != null) {
        if (!b.isEmpty()) {
          b.append('.');
        }
        b.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.toString();
  }

  /** The keys a block takes, in the order the documentation lists them. */
  static String keys(Class<?> block) {
    JsonPropertyOrder order = block == null ? null : block.getAnnotation(JsonPropertyOrder.class);
    return order == null ? "?" : String.join(", ", order.value());
  }

  private static String expected(Class<?> type) {
    if (type == String.class) {
      return "a string";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == Integer.class || type == int.class || type == Long.class) {
      return "a whole number";
    }
    if (List.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (type.isAnnotationPresent(JsonPropertyOrder.class)) {
      return "a mapping with keys " + keys(type);
    }
    return type.getSimpleName();
  }
}
