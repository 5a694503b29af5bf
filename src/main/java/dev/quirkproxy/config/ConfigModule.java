package dev.quirkproxy.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.relay.Endpoint;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.tls.TlsMode;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;

/**
 * The config file's value types, each checked where it is read so that an error carries the value's
 * line and column: URLs, sizes, durations, TLS modes, the recording error policy and the format
 * version.
 */
final class ConfigModule extends SimpleModule {

  private static final long serialVersionUID = 1L;

  ConfigModule() {
    super("quirkproxy-config");
    addDeserializer(
        Url.class, new Scalar<>(Url.class, "a URL such as imap://127.0.0.1:1143", null));
    addDeserializer(Size.class, new Scalar<>(Size.class, "a size", s -> new Size(Units.size(s))));
    addDeserializer(Duration.class, new Scalar<>(Duration.class, "a duration", Units::duration));
    addDeserializer(
        TlsMode.class, new Scalar<>(TlsMode.class, "none, implicit or starttls", TlsMode::parse));
    addDeserializer(
        CaptureSettings.OnError.class,
        new Scalar<>(CaptureSettings.OnError.class, "close or continue", ConfigModule::onError));
    addDeserializer(
        ProxyFile.FormatVersion.class,
        new Scalar<>(ProxyFile.FormatVersion.class, "1", ConfigModule::version));
    setDeserializerModifier(
        new BeanDeserializerModifier() {
          private static final long serialVersionUID = 1L;

          @Override
          public JsonDeserializer<?> modifyDeserializer(
              DeserializationConfig config, BeanDescription bean, JsonDeserializer<?> deser) {
            return bean.getBeanClass() == ListenerSpec.class ? new Located(deser) : deser;
          }
        });
  }

  /** Notes where a listener's entry starts, for errors about the entry as a whole. */
  private static final class Located extends DelegatingDeserializer {

    private static final long serialVersionUID = 1L;

    Located(JsonDeserializer<?> delegate) {
      super(delegate);
    }

    @Override
    protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> delegate) {
      return new Located(delegate);
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonLocation at = p.currentTokenLocation();
      Object value = super.deserialize(p, ctxt);
      if (value instanceof ListenerSpec spec) {
        spec.line = Math.max(0, at.getLineNr());
        spec.column = Math.max(0, at.getColumnNr());
      }
      return value;
    }
  }

  private static CaptureSettings.OnError onError(String text) {
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "close" -> CaptureSettings.OnError.CLOSE;
      case "continue" -> CaptureSettings.OnError.CONTINUE;
      default ->
          throw new IllegalArgumentException("expected close or continue, not '" + text + "'");
    };
  }

  private static ProxyFile.FormatVersion version(String text) {
    if (!text.equals(Integer.toString(ConfigLoader.VERSION))) {
      throw new IllegalArgumentException(
          "version " + text + " is not one this build reads; expected " + ConfigLoader.VERSION);
    }
    return new ProxyFile.FormatVersion(ConfigLoader.VERSION);
  }

  /**
   * Checks a URL's syntax now; which protocol a listen URL without scheme gets is decided later.
   */
  private static Url url(String text, JsonLocation at) {
    Endpoint.parse(text, Protocol.IMAP, 0);
    return new Url(text, Math.max(0, at.getLineNr()), Math.max(0, at.getColumnNr()));
  }

  /**
   * A value written as a string (or a number, for sizes and the version), turned into {@code T} by
   * {@code read}; a failure becomes an error at the value's position saying what was expected.
   */
  private static final class Scalar<T> extends StdScalarDeserializer<T> {

    private static final long serialVersionUID = 1L;

    private final String expected;
    private final transient Function<String, T> read;

    Scalar(Class<T> type, String expected, Function<String, T> read) {
      super(type);
      this.expected = expected;
      this.read = read;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonToken token = p.currentToken();
      boolean number =
          token == JsonToken.VALUE_NUMBER_INT
              && (handledType() == Size.class || handledType() == ProxyFile.FormatVersion.class);
      if (token != JsonToken.VALUE_STRING && !number) {
        throw InvalidFormatException.from(
            p, "expected " + expected + ", got " + describe(token), p.getText(), handledType());
      }
      String text = p.getText();
      try {
        if (handledType() == Url.class) {
          return (T) url(text, p.currentTokenLocation());
        }
        return read.apply(text);
      } catch (IllegalArgumentException e) {
        throw InvalidFormatException.from(p, e.getMessage(), text, handledType());
      }
    }
  }

  static String describe(JsonToken token) {
    if (token == null) {
      return "nothing";
    }
    return switch (token) {
      case START_OBJECT -> "a mapping";
      case START_ARRAY -> "a list";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> token.toString();
    };
  }
}
