package dev.quirkproxy.codec.imap.parse;

import dev.quirkproxy.codec.Literal;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * One token of an IMAP frame as a generic tree (RFC 9051 §4): atom, number, quoted string, literal,
 * NIL, parenthesised list, or bracketed section ({@code BODY[HEADER.FIELDS (A B)]<0.9>}). Every
 * node keeps the text it was read from, so a tree re-encodes to the exact original bytes. {@code
 * position} is the offset of the node's first octet in the frame, -1 for a built node.
 */
public sealed interface Node {

  /** The offset of the node's first octet in its frame, or -1. */
  long position();

  /** Writes the node's original bytes. */
  void encodeTo(ByteArrayOutputStream out);

  /** RFC 9051 {@code atom} (also flags like {@code \Seen}, sequence sets, {@code +FLAGS}). */
  record Atom(String text, long position) implements Node {
    @Override
    public void encodeTo(ByteArrayOutputStream out) {
      write(out, text);
    }

    /** The atom in upper case, for comparing keywords. */
    public String upper() {
      return text.toUpperCase(Locale.ROOT);
    }
  }

  /** RFC 9051 {@code number} (up to 18 digits; longer digit runs are atoms). */
  record Num(String text, long position) implements Node {
    public long value() {
      return Long.parseLong(text);
    }

    @Override
    public void encodeTo(ByteArrayOutputStream out) {
      write(out, text);
    }
  }

  /** RFC 9051 {@code nil}, as it was spelled. */
  record Nil(String text, long position) implements Node {
    @Override
    public void encodeTo(ByteArrayOutputStream out) {
      write(out, text);
    }
  }

  /**
   * RFC 9051 {@code quoted}: {@code raw} is the token with its quotes and escapes, one char per
   * octet.
   */
  record Quoted(String raw, long position) implements Node {

    /** A quoted string for {@code value}, escaping {@code "} and {@code \}. */
    public static Quoted of(String value) {
      return new Quoted("\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"", -1);
    }

    /** The string without quotes and escapes, one char per octet. */
    public String value() {
      StringBuilder sb = new StringBuilder(raw.length());
      for (int i = 1; i < raw.length() - 1; i++) {
        char c = raw.charAt(i);
        if (c == '\\' && i + 1 < raw.length() - 1) {
          c = raw.charAt(++i);
        }
        sb.append(c);
      }
      return sb.toString();
    }

    @Override
    public void encodeTo(ByteArrayOutputStream out) {
      write(out, raw);
    }
  }

  /**
   * RFC 9051 {@code literal}, RFC 7888 {@code literal-plus}, RFC 3516 {@code literal8}: the
   * announcement as written ({@code {5}}, {@code {5+}}, {@code ~{5}}), the line ending after it,
   * and the octets as views into the frame.
   */
  record Lit(Literal announced, String header, String eol, LiteralBytes data, long position)
      implements Node {

    /** A synchronising literal holding {@code data}. */
    public static Lit of(byte[] data) {
      return new Lit(
          new Literal(data.length, true, false),
          "{" + data.length + "}",
          "\r\n",
          LiteralBytes.of(data),
          -1);
    }

    public long size() {
      return data.size();
    }

    @Override
    public void encodeTo(ByteArrayOutputStream out) {
      write(out, header);
      write(out, eol);
      data.writeTo(out);
    }
  }

  /** A parenthesised list. */
  record Paren(Seq items, long position) implements Node {
    @Override
    public void encodeTo(ByteArrayOutputStream out) {
      out.write('(');
      items.encodeTo(out);
      out.write(')');
    }
  }

  /**
   * A bracketed group with the atom text glued to either side: {@code BODY.PEEK[1.MIME]<0.100>} has
   * prefix {@code BODY.PEEK}, section {@code 1.MIME} and suffix {@code <0.100>}; an unquoted
   * mailbox {@code [Gmail]/Sent} is prefix "", section {@code Gmail}, suffix {@code /Sent}.
   */
  record Bracket(String prefix, Seq section, String suffix, long position) implements Node {
    @Override
    public void encodeTo(ByteArrayOutputStream out) {
      write(out, prefix);
      out.write('[');
      section.encodeTo(out);
      out.write(']');
      write(out, suffix);
    }
  }

  /**
   * A run of nodes with the exact white space around them: {@code gaps} has one more entry than
   * {@code items} (before each item, then after the last).
   */
  record Seq(List<Node> items, List<String> gaps) {

    public Seq {
      items = List.copyOf(items);
      gaps = List.copyOf(gaps);
      if (gaps.size() != items.size() + 1) {
        throw new IllegalArgumentException(
            items.size() + " items need " + (items.size() + 1) + " gaps, not " + gaps.size());
      }
    }

    public void encodeTo(ByteArrayOutputStream out) {
      for (int i = 0; i < items.size(); i++) {
        write(out, gaps.get(i));
        items.get(i).encodeTo(out);
      }
      write(out, gaps.get(items.size()));
    }
  }

  /** The node's bytes as text, one char per octet; literal octets are copied. */
  static String text(Node node) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    node.encodeTo(out);
    return new String(out.toByteArray(), StandardCharsets.ISO_8859_1);
  }

  private static void write(ByteArrayOutputStream out, String latin1) {
    out.writeBytes(latin1.getBytes(StandardCharsets.ISO_8859_1));
  }
}
