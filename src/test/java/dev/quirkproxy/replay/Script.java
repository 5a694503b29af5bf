package dev.quirkproxy.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quirkproxy.codec.Literal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a small capture from a script: {@code C: line} a client line, {@code S: line} a server
 * line (CRLF added), {@code CL: octets} / {@code SL: octets} literal chunks, {@code SB: line} a
 * POP3 status line opening a body, {@code B: octets} the rest of the body (ending the frame). Frame
 * start and end follow from literals announced.
 */
public final class Script {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Script() {}

  static Recording recording(Path dir, String protocol, String... script) {
    try {
      return Recording.read(write(dir, protocol, script));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Path write(Path dir, String protocol, String... script) throws IOException {
    List<String> lines = new ArrayList<>();
    ObjectNode header = JSON.createObjectNode();
    header.put("type", "header").put("format", "quirkproxy-capture").put("version", 1);
    header.put("session", "s000001").put("protocol", protocol);
    lines.add(JSON.writeValueAsString(header));
    boolean clientInFrame = false;
    boolean serverInFrame = false;
    int seq = 0;
    for (String step : script) {
      int colon = step.indexOf(": ");
      String what = step.substring(0, colon);
      String text = step.substring(colon + 2);
      ObjectNode e = JSON.createObjectNode();
      e.put("type", "frame").put("seq", ++seq).put("t", seq);
      boolean client = what.startsWith("C");
      e.put("dir", client ? "client>proxy" : "upstream>proxy");
      boolean inFrame = client ? clientInFrame : serverInFrame;
      switch (what) {
        case "C", "S" -> {
          boolean literal = Literal.atEndOf(text) != null;
          e.put("kind", "line").put("start", !inFrame).put("end", !literal);
          inFrame = literal;
          text = text + "\r\n";
        }
        case "SB" -> {
          e.put("kind", "line").put("start", true).put("end", false);
          inFrame = true;
          text = text + "\r\n";
        }
        case "CL", "SL" -> e.put("kind", "literal").put("start", false).put("end", false);
        case "B" -> {
          e.put("kind", "body").put("start", false).put("end", true);
          inFrame = false;
        }
        default -> throw new IllegalArgumentException(step);
      }
      if (text.contains("[REDACTED]")) {
        e.put("redacted", true);
      }
      e.put("text", text);
      if (client) {
        clientInFrame = inFrame;
      } else {
        serverInFrame = inFrame;
      }
      lines.add(JSON.writeValueAsString(e));
    }
    ObjectNode footer = JSON.createObjectNode();
    footer.put("type", "footer").put("events", seq);
    lines.add(JSON.writeValueAsString(footer));
    Path file = dir.resolve("script-" + protocol + "-" + System.nanoTime() + ".jsonl");
    Files.write(file, lines, StandardCharsets.UTF_8);
    return file;
  }
}
