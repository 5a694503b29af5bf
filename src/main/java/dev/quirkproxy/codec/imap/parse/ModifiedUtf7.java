package dev.quirkproxy.codec.imap.parse;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * RFC 3501 §5.1.3 modified UTF-7 for mailbox names: printable US-ASCII stands for itself, {@code
 * &-} for {@code &}, and {@code &...-} holds UTF-16BE in base64 with {@code ,} for {@code /}.
 */
public final class ModifiedUtf7 {

  private ModifiedUtf7() {}

  /** Decodes a name; null when it is not valid modified UTF-7. */
  public static String decode(String name) {
    StringBuilder out = new StringBuilder(name.length());
    int i = 0;
    while (i < name.length()) {
      char c = name.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return null;
      }
      if (c != '&') {
        out.append(c);
        i++;
        continue;
      }
      int dash = name.indexOf('-', i + 1);
      if (dash < 0) {
        return null;
      }
      if (dash == i + 1) {
        out.append('&');
      } else {
        String chars = base64(name.substring(i + 1, dash));
        if (chars == null) {
          return null;
        }
        out.append(chars);
      }
      i = dash + 1;
    }
    return out.toString();
  }

  private static String base64(String b64) {
    if (!b64.chars().allMatch(ModifiedUtf7::isBase64Char) || b64.length() % 4 == 1) {
      return null;
    }
    try {
      byte[] utf16 = Base64.getDecoder().decode(b64.replace(',', '/'));
      if (utf16.length % 2 != 0) {
        return null;
      }
      return StandardCharsets.UTF_16BE
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(utf16))
          .toString();
    } catch (IllegalArgumentException | CharacterCodingException e) {
      return null;
    }
  }

  private static boolean isBase64Char(int c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '+'
        || c == ',';
  }

  /** Encodes a name. */
  public static String encode(String name) {
    StringBuilder out = new StringBuilder(name.length());
    int i = 0;
    while (i < name.length()) {
      char c = name.charAt(i);
      if (c == '&') {
        out.append("&-");
        i++;
      } else if (c >= 0x20 && c <= 0x7e) {
        out.append(c);
        i++;
      } else {
        int j = i;
        while (j < name.length() && (name.charAt(j) < 0x20 || name.charAt(j) > 0x7e)) {
          j++;
        }
        ByteBuffer utf16 = StandardCharsets.UTF_16BE.encode(CharBuffer.wrap(name, i, j));
        byte[] bytes = new byte[utf16.remaining()];
        utf16.get(bytes);
        out.append('&')
            .append(Base64.getEncoder().withoutPadding().encodeToString(bytes).replace('/', ','))
            .append('-');
        i = j;
      }
    }
    return out.toString();
  }
}
