package dev.quirkproxy.capture;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads a capture back, checking it as it goes: every line must be one complete JSON object, the
 * header must name the format and a version this reader knows (older versions are migrated step by
 * step), sequence numbers must increase, and a footer must end it. A file cut by a crash is
 * reported with the line and byte offset where it stops; everything before is returned intact.
 */
public final class CaptureReader {

  private static final ObjectMapper JSON = new ObjectMapper();

  private CaptureReader() {}

  /** A capture as read: what is there, and what is wrong with it. */
  public record Capture(
      Path file,
      ObjectNode header,
      List<ObjectNode> events,
      ObjectNode footer,
      List<String> problems) {

    public boolean complete() {
      return problems.isEmpty();
    }

    /** The bytes one direction carried, from its frame events, in order. */
    public byte[] bytes(Direction direction) throws IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (ObjectNode e : events) {
        if (e.path("type").asText().equals("frame")
            && e.path("dir").asText().equals(direction.code())) {
          out.write(data(e));
        }
      }
      return out.toByteArray();
    }

    /** The bytes of one frame event (inline text, base64, or a range of the blob file). */
    public byte[] data(JsonNode event) throws IOException {
      if (event.has("text")) {
        return event.get("text").asText().getBytes(StandardCharsets.UTF_8);
      }
      if (event.has("base64")) {
        return Base64.getDecoder().decode(event.get("base64").asText());
      }
      JsonNode blob = event.get("blob");
      if (blob == null) {
        return new byte[0];
      }
      // Only this capture's own blob file: a shared capture must not make the reader open others.
      String own = file.getFileName().toString().replaceFirst("\\.jsonl$", "") + ".blob";
      if (!blob.path("file").asText().equals(own)) {
        throw new IOException(
            "event "
                + event.path("seq").asLong()
                + " names blob file '"
                + blob.path("file").asText()
                + "', not this capture's "
                + own);
      }
      Path blobFile = file.resolveSibling(own);
      long offset = blob.path("offset").asLong(-1);
      long length = blob.path("length").asLong(-1);
      long size = Files.exists(blobFile) ? Files.size(blobFile) : -1;
      if (offset < 0 || length < 0 || length > Integer.MAX_VALUE || offset + length > size) {
        throw new IOException(
            "event "
                + event.path("seq").asLong()
                + " refers to bytes "
                + offset
                + "+"
                + length
                + " of "
                + own
                + ", which "
                + (size < 0 ? "does not exist" : "has " + size + " bytes"));
      }
      byte[] bytes = new byte[(int) length];
      try (RandomAccessFile raf = new RandomAccessFile(blobFile.toFile(), "r")) {
        raf.seek(offset);
        raf.readFully(bytes);
      }
      return bytes;
    }
  }

  public static Capture read(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    List<String> problems = new ArrayList<>();
    List<ObjectNode> events = new ArrayList<>();
    ObjectNode header = null;
    ObjectNode footer = null;
    long lastSeq = 0;
    int start = 0;
    int lineNo = 0;
    while (start < all.length) {
      lineNo++;
      int end = indexOf(all, (byte) '\n', start);
      if (end < 0) {
        problems.add(
            "cut at line "
                + lineNo
                + " (byte "
                + start
                + "): the last line is incomplete, "
                + (all.length - start)
                + " bytes without a line end; the "
                + events.size()
                + " events before it are intact");
        break;
      }
      ObjectNode node;
      try {
        JsonNode parsed =
            JSON.readTree(new String(all, start, end - start, StandardCharsets.UTF_8));
        if (!(parsed instanceof ObjectNode o)) {
          throw new IOException("not a JSON object");
        }
        node = o;
      } catch (JsonProcessingException e) {
        problems.add(
            "line "
                + lineNo
                + " (byte "
                + start
                + ") is not valid JSON: "
                + e.getOriginalMessage());
        start = end + 1;
        continue;
      }
      start = end + 1;
      String type = node.path("type").asText();
      if (lineNo == 1) {
        if (!type.equals("header") || !CaptureFormat.NAME.equals(node.path("format").asText())) {
          problems.add("line 1 is not a " + CaptureFormat.NAME + " header");
          return new Capture(file, null, events, null, problems);
        }
        header = migrate(node, problems);
        continue;
      }
      if (footer != null) {
        problems.add("line " + lineNo + " comes after the footer");
      }
      if (type.equals("footer")) {
        footer = node;
        continue;
      }
      long seq = node.path("seq").asLong(-1);
      if (seq <= lastSeq) {
        problems.add("line " + lineNo + ": sequence number " + seq + " after " + lastSeq);
      }
      lastSeq = Math.max(lastSeq, seq);
      events.add(node);
    }
    if (header == null && problems.isEmpty()) {
      problems.add("empty file: no header");
    }
    if (footer != null && footer.path("gaps").asLong() > 0) {
      problems.add(
          "the footer records "
              + footer.path("gaps").asLong()
              + " events that could not be written: the capture has gaps");
    }
    if (footer == null && problems.stream().noneMatch(p -> p.startsWith("cut at"))) {
      problems.add(
          "no footer: the session did not end cleanly (the proxy stopped?); the "
              + events.size()
              + " events recorded are intact");
    } else if (footer == null) {
      problems.add("no footer");
    }
    return new Capture(file, header, events, footer, problems);
  }

  /** Brings an older header up to the current version; version 1 is the first and current. */
  private static ObjectNode migrate(ObjectNode header, List<String> problems) {
    int version = header.path("version").asInt(-1);
    if (version > CaptureFormat.VERSION) {
      problems.add(
          "format version "
              + version
              + " is newer than this reader ("
              + CaptureFormat.VERSION
              + ")");
    } else if (version < 1) {
      problems.add("no usable format version in the header");
    }
    // Future versions: while (version < CURRENT) { header = STEPS[version].apply(header);
    // version++; }
    return header;
  }

  private static int indexOf(byte[] bytes, byte b, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
