package dev.quirkproxy.codec.imap.parse;

import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.codec.imap.ImapFrameDecoder;
import dev.quirkproxy.codec.imap.ImapFramingContext;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Loads {@code imap-parse/cases.txt} and parses a frame fed in the ways a caller may feed it. */
final class ParseCases {

  private ParseCases() {}

  /** One block of the resource. */
  record Case(String name, boolean client, String source, byte[] bytes) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** How the frame's bytes reach the parser. */
  enum Feed {
    /** One array. */
    WHOLE,
    /** One segment per octet. */
    BYTE_BY_BYTE,
    /** The parts ImapFrameDecoder emits when fed one byte at a time. */
    FRAMER_PARTS
  }

  static List<Case> load() {
    List<Case> cases = new ArrayList<>();
    try (InputStream in = ParseCases.class.getResourceAsStream("/imap-parse/cases.txt")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      String[] header = null;
      List<String> lines = new ArrayList<>();
      for (String line : text.split("\n", -1)) {
        if (line.startsWith("=== ")) {
          add(cases, header, lines);
          header = line.substring(4).split(" ", 3);
          lines = new ArrayList<>();
        } else if (header != null) {
          lines.add(line);
        }
      }
      add(cases, header, lines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return cases;
  }

  private static void add(List<Case> cases, String[] header, List<String> lines) {
    if (header == null) {
      return;
    }
    while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines.remove(lines.size() - 1);
    }
    byte[] bytes = (String.join("\r\n", lines) + "\r\n").getBytes(StandardCharsets.UTF_8);
    cases.add(new Case(header[0], header[1].equals("C"), header[2], bytes));
  }

  /** Parses the bytes fed one way; the function sees the frame and returns the result. */
  static <T> T feed(byte[] bytes, boolean client, Feed feed, Function<FrameBytes, T> parse) {
    return switch (feed) {
      case WHOLE -> parse.apply(FrameBytes.of(bytes));
      case BYTE_BY_BYTE -> {
        List<java.nio.ByteBuffer> segments = new ArrayList<>();
        for (int i = 0; i < bytes.length; i++) {
          segments.add(java.nio.ByteBuffer.wrap(bytes, i, 1));
        }
        yield parse.apply(FrameBytes.of(segments));
      }
      case FRAMER_PARTS -> throughFramer(bytes, client, parse);
    };
  }

  private static <T> T throughFramer(byte[] bytes, boolean client, Function<FrameBytes, T> parse) {
    ImapFramingContext context =
        new ImapFramingContext() {
          @Override
          public int maxLineLength() {
            return 1 << 20;
          }

          @Override
          public long maxLiteralSize() {
            return 1 << 20;
          }

          @Override
          public boolean literalRefused() {
            return false;
          }
        };
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new ImapFrameDecoder(
                client ? ImapFrameDecoder.Side.CLIENT : ImapFrameDecoder.Side.SERVER, context));
    List<WirePart> parts = new ArrayList<>();
    try {
      for (byte b : bytes) {
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        for (Object o = ch.readInbound(); o != null; o = ch.readInbound()) {
          parts.add((WirePart) o);
        }
      }
      if (parts.isEmpty() || !parts.get(parts.size() - 1).frameEnd()) {
        throw new AssertionError("the framer did not end the frame: " + parts);
      }
      return parse.apply(FrameBytes.ofParts(parts));
    } finally {
      parts.forEach(WirePart::release);
      ch.finishAndReleaseAll();
    }
  }
}
