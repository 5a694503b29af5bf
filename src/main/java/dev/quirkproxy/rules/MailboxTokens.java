package dev.quirkproxy.rules;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The top-level tokens of a frame's first line (and the literals within it): atoms, quoted strings,
 * literals, and parenthesised groups as single tokens. Enough to find and rewrite an argument such
 * as a mailbox name without a full parse, keeping every other byte as it was.
 */
final class MailboxTokens {

  private enum Kind {
    ATOM,
    QUOTED,
    LITERAL,
    GROUP
  }

  /** A token: in text piece {@code piece} from {@code start} to {@code end}, or a literal piece. */
  private record Token(Kind kind, int piece, int start, int end, String value) {}

  private final FrameImage image;
  private final List<Token> tokens = new ArrayList<>();

  private MailboxTokens(FrameImage image) {
    this.image = image;
  }

  static MailboxTokens of(FrameImage image) {
    MailboxTokens t = new MailboxTokens(image);
    t.scan();
    return t;
  }

  int count() {
    return tokens.size();
  }

  /** The index of the last token before {@code RETURN} (LIST-EXTENDED), else the last one. */
  int indexBeforeReturn() {
    for (int i = 0; i < tokens.size(); i++) {
      if (tokens.get(i).kind() == Kind.ATOM && tokens.get(i).value().equalsIgnoreCase("RETURN")) {
        return i - 1;
      }
    }
    return tokens.size() - 1;
  }

  private void scan() {
    List<FrameImage.Piece> pieces = image.pieces();
    for (int p = 0; p < pieces.size(); p++) {
      if (pieces.get(p) instanceof FrameImage.Lit lit) {
        tokens.add(
            new Token(Kind.LITERAL, p, 0, 0, new String(lit.data(), StandardCharsets.ISO_8859_1)));
        continue;
      }
      String t = ((FrameImage.Text) pieces.get(p)).text();
      int i = 0;
      while (i < t.length()) {
        char c = t.charAt(i);
        if (c == '\r' || c == '\n') {
          // Text is cut only at literals, so a line break ends the (logical) first line.
          return;
        }
        if (c == ' ') {
          i++;
          continue;
        }
        int start = i;
        if (c == '"') {
          StringBuilder v = new StringBuilder();
          i++;
          while (i < t.length() && t.charAt(i) != '"') {
            if (t.charAt(i) == '\\' && i + 1 < t.length()) {
              i++;
            }
            v.append(t.charAt(i++));
          }
          i = Math.min(i + 1, t.length());
          tokens.add(new Token(Kind.QUOTED, p, start, i, v.toString()));
        } else if (c == '(') {
          int depth = 0;
          boolean quoted = false;
          for (; i < t.length(); i++) {
            char d = t.charAt(i);
            if (quoted) {
              if (d == '\\') {
                i++;
              } else if (d == '"') {
                quoted = false;
              }
            } else if (d == '"') {
              quoted = true;
            } else if (d == '(') {
              depth++;
            } else if (d == ')' && --depth == 0) {
              i++;
              break;
            }
          }
          tokens.add(new Token(Kind.GROUP, p, start, i, t.substring(start, i)));
        } else {
          while (i < t.length() && " ()\r\n".indexOf(t.charAt(i)) < 0) {
            i++;
          }
          tokens.add(new Token(Kind.ATOM, p, start, i, t.substring(start, i)));
        }
      }
    }
  }

  /** The value of token {@code index} (a quoted string unquoted, a literal's octets), or null. */
  String value(int index) {
    return index < 0 || index >= tokens.size() ? null : tokens.get(index).value();
  }

  /** True when token {@code index} is a parenthesised group. */
  boolean isGroup(int index) {
    return index >= 0 && index < tokens.size() && tokens.get(index).kind() == Kind.GROUP;
  }

  /**
   * The frame with token {@code index} (an atom, quoted string or literal) replaced by what {@code
   * rename} makes of its value, in the same form (literal, quoted, or atom when it still is one);
   * the same frame when the token is not there, is a group, or {@code rename} gives null or the
   * value itself.
   */
  FrameImage rename(int index, UnaryOperator<String> rename) {
    if (index < 0 || index >= tokens.size()) {
      return image;
    }
    Token tok = tokens.get(index);
    if (tok.kind() == Kind.GROUP) {
      return image;
    }
    String renamed = rename.apply(tok.value());
    if (renamed == null || renamed.equals(tok.value())) {
      return image;
    }
    List<FrameImage.Piece> out = new ArrayList<>(image.pieces());
    if (tok.kind() == Kind.LITERAL) {
      FrameImage.Lit lit = (FrameImage.Lit) out.get(tok.piece());
      out.set(
          tok.piece(),
          new FrameImage.Lit(
              renamed.getBytes(StandardCharsets.ISO_8859_1), lit.nonSync(), lit.binary()));
      return new FrameImage(out);
    }
    String encoded = tok.kind() == Kind.ATOM && isAtom(renamed) ? renamed : quote(renamed);
    return raw(index, encoded);
  }

  /**
   * The frame with the text of token {@code index} (not a literal) replaced by {@code text} as it
   * is (e.g. an edited attribute list, another command name); the same frame when there is no such
   * token.
   */
  FrameImage raw(int index, String text) {
    if (index < 0 || index >= tokens.size() || tokens.get(index).kind() == Kind.LITERAL) {
      return image;
    }
    Token tok = tokens.get(index);
    List<FrameImage.Piece> out = new ArrayList<>(image.pieces());
    String piece = ((FrameImage.Text) out.get(tok.piece())).text();
    out.set(
        tok.piece(),
        new FrameImage.Text(piece.substring(0, tok.start()) + text + piece.substring(tok.end())));
    return new FrameImage(out);
  }

  private static boolean isAtom(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (char c : s.toCharArray()) {
      if (c <= ' ' || c >= 0x7f || "(){\"\\]".indexOf(c) >= 0) {
        return false;
      }
    }
    return true;
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
