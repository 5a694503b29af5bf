package dev.quirkproxy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quirkproxy.capture.CaptureReader.Capture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Renders a capture as a {@code C:}/{@code S:} transcript (the house's golden-transcript style).
 */
final class Transcript {

  private static final String GREEN = "\u001b[32m";
  private static final String BLUE = "\u001b[34m";
  private static final String YELLOW = "\u001b[33m";
  private static final String RESET = "\u001b[0m";
  private static final int SHOWN = 4096;

  private Transcript() {}

  /**
   * A fingerprint (event or footer) in words: {@code thunderbird 128.0 (0.93)}, {@code outlook
   * (forced)}; {@code -} when there is none.
   */
  static String identity(JsonNode fp) {
    if (fp == null || !fp.has("family")) {
      return "-";
    }
    StringBuilder sb = new StringBuilder(fp.path("family").asText());
    if (fp.hasNonNull("version")) {
      sb.append(' ').append(fp.path("version").asText());
    }
    if (fp.path("forced").asBoolean()) {
      return sb.append(" (forced)").toString();
    }
    return sb.append(String.format(Locale.ROOT, " (%.2f)", fp.path("confidence").asDouble()))
        .toString();
  }

  static String of(Capture c, boolean full, boolean colour) throws IOException {
    return of(c, full, colour, false);
  }

  /**
   * The transcript; with {@code numbers} every frame's first line starts with its event number
   * ({@code #24 C: a3 NOOP}), as {@code rules explain --frame} wants it.
   */
  static String of(Capture c, boolean full, boolean colour, boolean numbers) throws IOException {
    StringBuilder out = new StringBuilder();
    if (c.header() != null) {
      out.append("# ")
          .append(c.header().path("protocol").asText())
          .append(" session ")
          .append(c.header().path("session").asText())
          .append(" from ")
          .append(c.header().path("client").asText())
          .append(" via ")
          .append(c.header().path("listen").asText())
          .append(" to ")
          .append(c.header().path("upstream").asText())
          .append(", started ")
          .append(c.header().path("start").asText())
          .append('\n');
    }
    boolean atLineStart = true;
    for (ObjectNode e : c.events()) {
      String type = e.path("type").asText();
      if (type.equals("fingerprint")) {
        out.append(atLineStart ? "" : "\n").append("# client: ").append(identity(e)).append('\n');
        atLineStart = true;
        continue;
      }
      if (type.equals("rule")) {
        out.append(atLineStart ? "" : "\n")
            .append("!  #")
            .append(e.path("of").asLong())
            .append(" rule ")
            .append(e.path("rule").asText())
            .append(" (")
            .append(e.path("action").asText())
            .append(")\n");
        atLineStart = true;
        continue;
      }
      if (type.equals("outcome") && e.path("outcome").asText().equals("rule")) {
        // The rule events before it say what happened.
        continue;
      }
      if (!type.equals("outcome") && !type.equals("frame")) {
        // A later format's event this version does not know: skipped, as the schema says.
        continue;
      }
      if (type.equals("outcome")) {
        out.append(atLineStart ? "" : "\n")
            .append("!  #")
            .append(e.path("of").asLong())
            .append(' ')
            .append(e.path("outcome").asText())
            .append('\n');
        atLineStart = true;
        continue;
      }
      String prefix =
          switch (e.path("dir").asText()) {
            case "client>proxy" -> "C: ";
            case "upstream>proxy" -> "S: ";
            case "proxy>upstream" -> "C> ";
            default -> "S> ";
          };
      String colourCode = prefix.startsWith("C:") ? GREEN : prefix.startsWith("S:") ? BLUE : YELLOW;
      String body;
      if (e.path("kind").asText().equals("line") || e.path("kind").asText().equals("proxy")) {
        body = new String(c.data(e), StandardCharsets.UTF_8);
      } else {
        byte[] data = c.data(e);
        body =
            e.has("text") || (full && data.length <= 16 * SHOWN)
                ? new String(data, StandardCharsets.UTF_8)
                : "["
                    + data.length
                    + " octets"
                    + (e.has("blob") ? " in " + e.path("blob").path("file").asText() : "")
                    + "]";
      }
      if (atLineStart) {
        out.append(colour ? colourCode : "");
        if (numbers && e.path("start").asBoolean()) {
          out.append('#').append(e.path("seq").asLong()).append(' ');
        }
        out.append(prefix);
      }
      out.append(body.replace("\r\n", "\n"));
      if (colour) {
        out.append(RESET);
      }
      atLineStart = body.endsWith("\n");
    }
    if (!atLineStart) {
      out.append('\n');
    }
    if (c.footer() != null && c.footer().has("fingerprint")) {
      out.append("# identified as ").append(identity(c.footer().path("fingerprint")));
      if (c.footer().has("forcedClient")) {
        out.append(", forced to ").append(c.footer().path("forcedClient").asText());
      }
      out.append('\n');
    }
    if (c.footer() != null) {
      out.append("# ended ")
          .append(c.footer().path("end").asText())
          .append(": ")
          .append(c.footer().path("reason").asText())
          .append('\n');
    }
    return out.toString();
  }
}
