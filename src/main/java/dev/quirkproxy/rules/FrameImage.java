package dev.quirkproxy.rules;

import dev.quirkproxy.codec.Literal;
import dev.quirkproxy.codec.WirePart;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A whole frame as rules edit it: text (one char per octet, line endings included) and literals
 * between. Literal announcements are not part of the text: {@link #encode} writes them from the
 * literal's length, so an edited literal always gets its right size (RFC 9051 §4.3).
 */
final class FrameImage {

  /** A piece of the frame: text, or a literal's octets. */
  sealed interface Piece {}

  /** Text, one char per octet (ISO-8859-1), line endings included. */
  record Text(String text) implements Piece {}

  /**
   * A literal.
   *
   * @param data its octets
   * @param nonSync announced {@code {n+}}
   * @param binary announced {@code ~{n}}
   */
  record Lit(byte[] data, boolean nonSync, boolean binary) implements Piece {}

  private final List<Piece> pieces;

  FrameImage(List<Piece> pieces) {
    this.pieces = List.copyOf(pieces);
  }

  List<Piece> pieces() {
    return pieces;
  }

  /** A frame of plain lines (no literals), e.g. a POP3 frame or an injected response. */
  static FrameImage ofText(String text) {
    return new FrameImage(List.of(new Text(text)));
  }

  /**
   * Reads a frame's bytes. With {@code literals}, a line ending in {@code {n}}, {@code {n+}} or
   * {@code ~{n}} is followed by n octets of literal (IMAP commands and untagged data); without, the
   * bytes are text (POP3, IMAP status responses).
   */
  static FrameImage of(byte[] bytes, boolean literals) {
    List<Piece> out = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    int i = 0;
    while (i < bytes.length) {
      int lf = indexOf(bytes, (byte) '\n', i);
      int lineEnd = lf < 0 ? bytes.length : lf + 1;
      String line = new String(bytes, i, lineEnd - i, StandardCharsets.ISO_8859_1);
      Literal lit = literals ? Literal.atEndOf(stripEol(line)) : null;
      if (lit == null || lit.size() > bytes.length - lineEnd) {
        text.append(line);
        i = lineEnd;
        continue;
      }
      String bare = stripEol(line);
      int open = bare.lastIndexOf('{');
      int from = lit.binary() ? open - 1 : open;
      text.append(bare, 0, from);
      out.add(new Text(text.toString()));
      text.setLength(0);
      byte[] data = new byte[(int) lit.size()];
      System.arraycopy(bytes, lineEnd, data, 0, data.length);
      out.add(new Lit(data, !lit.synchronizing(), lit.binary()));
      i = lineEnd + data.length;
    }
    if (text.length() > 0 || out.isEmpty()) {
      out.add(new Text(text.toString()));
    }
    return new FrameImage(out);
  }

  /**
   * The frame's first line without its line ending; when it announces a literal, up to and with the
   * announcement ({@code * 1 FETCH (BODY[] {5}}), as in the line the framer saw.
   */
  String firstLine() {
    String t = pieces.get(0) instanceof Text text ? text.text() : "";
    int lf = t.indexOf('\n');
    if (lf < 0 && pieces.size() > 1 && pieces.get(1) instanceof Lit lit) {
      return t + announcement(lit);
    }
    return stripEol(lf < 0 ? t : t.substring(0, lf + 1));
  }

  /** All text pieces joined, literals shown as {@code {n}} (for regex matching and logs). */
  String text() {
    StringBuilder sb = new StringBuilder();
    for (Piece p : pieces) {
      if (p instanceof Text t) {
        sb.append(t.text());
      } else if (p instanceof Lit l) {
        sb.append(announcement(l)).append(new String(l.data(), StandardCharsets.ISO_8859_1));
      }
    }
    return sb.toString();
  }

  /** The same frame with every text piece passed through {@code edit}. */
  FrameImage mapText(UnaryOperator<String> edit) {
    List<Piece> out = new ArrayList<>();
    boolean changed = false;
    for (Piece p : pieces) {
      if (p instanceof Text t) {
        String edited = edit.apply(t.text());
        changed |= !edited.equals(t.text());
        out.add(new Text(edited));
      } else {
        out.add(p);
      }
    }
    return changed ? new FrameImage(out) : this;
  }

  /** The same frame with every literal's octets passed through {@code edit}. */
  FrameImage mapLiterals(UnaryOperator<byte[]> edit) {
    List<Piece> out = new ArrayList<>();
    boolean changed = false;
    for (Piece p : pieces) {
      if (p instanceof Lit l) {
        byte[] edited = edit.apply(l.data());
        changed |= !java.util.Arrays.equals(edited, l.data());
        out.add(new Lit(edited, l.nonSync(), l.binary()));
      } else {
        out.add(p);
      }
    }
    return changed ? new FrameImage(out) : this;
  }

  /** The bytes, each literal announced with its actual length. */
  byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Piece p : pieces) {
      if (p instanceof Text t) {
        out.writeBytes(t.text().getBytes(StandardCharsets.ISO_8859_1));
      } else if (p instanceof Lit l) {
        out.writeBytes((announcement(l) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(l.data());
      }
    }
    return out.toByteArray();
  }

  private static String announcement(Lit l) {
    return (l.binary() ? "~{" : "{") + l.data().length + (l.nonSync() ? "+}" : "}");
  }

  /**
   * The frame as the parts a framer would have made: lines (announcing their literals), literal
   * chunks, and for POP3 ({@code body}) the status line then the rest as one body chunk.
   */
  List<WirePart> toParts(boolean pop3Body) {
    byte[] bytes = encode();
    List<WirePart> parts = new ArrayList<>();
    if (pop3Body) {
      int lf = indexOf(bytes, (byte) '\n', 0);
      int end = lf < 0 ? bytes.length : lf + 1;
      boolean body = end < bytes.length;
      parts.add(WirePart.line(Unpooled.wrappedBuffer(bytes, 0, end), true, !body, null));
      if (body) {
        parts.add(WirePart.bodyChunk(Unpooled.wrappedBuffer(bytes, end, bytes.length - end), true));
      }
      return parts;
    }
    int i = 0;
    boolean first = true;
    while (i < bytes.length) {
      int lf = indexOf(bytes, (byte) '\n', i);
      int end = lf < 0 ? bytes.length : lf + 1;
      Literal lit =
          Literal.atEndOf(stripEol(new String(bytes, i, end - i, StandardCharsets.ISO_8859_1)));
      boolean last = lit == null && end >= bytes.length;
      parts.add(WirePart.line(Unpooled.wrappedBuffer(bytes, i, end - i), first, last, lit));
      first = false;
      i = end;
      if (lit != null && i < bytes.length) {
        int n = (int) Math.min(lit.size(), bytes.length - i);
        parts.add(WirePart.literalChunk(Unpooled.wrappedBuffer(bytes, i, n)));
        i += n;
      }
    }
    return parts;
  }

  static String stripEol(String line) {
    int end = line.length();
    if (end > 0 && line.charAt(end - 1) == '\n') {
      end--;
    }
    if (end > 0 && line.charAt(end - 1) == '\r') {
      end--;
    }
    return line.substring(0, end);
  }

  private static int indexOf(byte[] b, byte c, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }
}
