package dev.quirkproxy.rules;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

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

  /**
   * The frame's bytes (ISO-8859-1) with token {@code index} renamed from {@code from} to {@code to}
   * (or a child of it), in the same form (literal, quoted, or atom when it still is one). Unchanged
   * when the token is not there or not that name.
   */
  String replace(int index, String from, String to) {
    String whole = new String(image.encode(), StandardCharsets.ISO_8859_1);
    if (index < 0 || index >= tokens.size()) {
      return whole;
    }
    Token tok = tokens.get(index);
    if (tok.kind() == Kind.GROUP) {
      return whole;
    }
    String renamed = MailboxRename.renamed(tok.value(), from, to);
    if (renamed == null) {
      return whole;
    }
    List<FrameImage.Piece> out = new ArrayList<>(image.pieces());
    if (tok.kind() == Kind.LITERAL) {
      FrameImage.Lit lit = (FrameImage.Lit) out.get(tok.piece());
      out.set(
          tok.piece(),
          new FrameImage.Lit(
              renamed.getBytes(StandardCharsets.ISO_8859_1), lit.nonSync(), lit.binary()));
    } else {
      String text = ((FrameImage.Text) out.get(tok.piece())).text();
      String encoded = tok.kind() == Kind.ATOM && isAtom(renamed) ? renamed : quote(renamed);
      out.set(
          tok.piece(),
          new FrameImage.Text(
              text.substring(0, tok.start()) + encoded + text.substring(tok.end())));
    }
    return new String(new FrameImage(out).encode(), StandardCharsets.ISO_8859_1);
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
