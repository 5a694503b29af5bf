package dev.quirkproxy.translate;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The SASL exchanges a POP3 client may start with AUTH (RFC 5034): PLAIN (RFC 4616) and LOGIN
 * (draft-murchison-sasl-login), decoded into the credentials the proxy logs in upstream with.
 */
final class Sasl {

  /** What a client proved itself with; never logged. */
  record Credentials(String authzid, String user, String password) {}

  /** Thrown for a SASL line that is not what the mechanism expects. */
  static final class BadSasl extends Exception {
    private static final long serialVersionUID = 1L;

    BadSasl(String message) {
      super(message);
    }
  }

  private Sasl() {}

  /** Decodes a base64 SASL line; {@code =} is the empty response (RFC 5034 §4). */
  static byte[] decode(String line) throws BadSasl {
    String text = line.strip();
    if (text.equals("=")) {
      return new byte[0];
    }
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new BadSasl("the SASL response is not valid base64");
    }
  }

  /** RFC 4616: {@code [authzid] NUL authcid NUL passwd}, in UTF-8. */
  static Credentials plain(byte[] message) throws BadSasl {
    String text = new String(message, StandardCharsets.UTF_8);
    String[] fields = text.split("\0", -1);
    if (fields.length != 3 || fields[1].isEmpty()) {
      throw new BadSasl("PLAIN expects authzid NUL authcid NUL password");
    }
    return new Credentials(fields[0], fields[1], fields[2]);
  }

  /** The PLAIN message for {@code c}, base64-encoded. */
  static String plainResponse(Credentials c) {
    String message = c.authzid() + "\0" + c.user() + "\0" + c.password();
    return Base64.getEncoder().encodeToString(message.getBytes(StandardCharsets.UTF_8));
  }

  static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** The LOGIN mechanism's prompts, base64 of "Username:" and "Password:". */
  static final String USERNAME_PROMPT = "VXNlcm5hbWU6";

  static final String PASSWORD_PROMPT = "UGFzc3dvcmQ6";
}
