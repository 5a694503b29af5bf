package dev.quirkproxy.capture;

import dev.quirkproxy.codec.Literal;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.codec.imap.ImapSyntax;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.Pop3Session;
import dev.quirkproxy.session.Session;
import java.util.Locale;

/**
 * Takes secrets out of client parts before they are recorded: the IMAP LOGIN password (atom, quoted
 * or literal), AUTHENTICATE initial responses and every SASL line (RFC 9051 §6.2.2), POP3 PASS, the
 * APOP digest, AUTH initial responses and SASL lines (RFC 1939, RFC 5034); user names too if asked.
 * A redacted literal is recorded as {@code [REDACTED]} with its {@code {n}} changed to match, so
 * the capture still parses and replays. One per session, on its event loop.
 */
final class Redactor {

  static final String MASK = "[REDACTED]";
  private static final java.util.regex.Pattern LITERAL_AT_END =
      java.util.regex.Pattern.compile("~?\\{\\d+[+-]?\\}");

  private final boolean redactUser;

  /** Index of the next LOGIN argument (0 user, 1 password) while a LOGIN frame is open. */
  private int loginArg = -1;

  private boolean secretLiteral;
  private boolean literalMasked;

  Redactor(boolean redactUser) {
    this.redactUser = redactUser;
  }

  /** What to record instead of {@code part}: null to record it as it is, "" to record nothing. */
  String redact(Session session, WirePart part) {
    if (!part.isLine()) {
      if (part.kind() == WirePart.Kind.LITERAL && secretLiteral) {
        if (literalMasked) {
          return "";
        }
        literalMasked = true;
        return MASK;
      }
      return null;
    }
    secretLiteral = false;
    literalMasked = false;
    String text = part.text();
    String ending = ending(part);
    String redacted =
        session instanceof ImapSession imap
            ? imap(imap, part, text)
            : pop3((Pop3Session) session, text);
    if (part.frameEnd()) {
      loginArg = -1;
    }
    return redacted == null || redacted.equals(text) ? null : redacted + ending;
  }

  private String imap(ImapSession session, WirePart part, String text) {
    if (part.frameStart()) {
      loginArg = -1;
      if (session.expectsSaslLine()) {
        return text.equals("*") ? null : MASK;
      }
      ImapSyntax.CommandStart command = ImapSyntax.commandStart(text);
      if (command == null) {
        return null;
      }
      if (command.name().equals("AUTHENTICATE")) {
        return authenticate(text, command);
      }
      if (!command.name().equals("LOGIN")) {
        return null;
      }
      loginArg = 0;
      int argsAt = text.length() - command.arguments().length();
      return text.substring(0, argsAt) + loginArguments(command.arguments(), part.literal());
    }
    if (loginArg >= 0) {
      return loginArguments(text, part.literal());
    }
    return null;
  }

  private static String authenticate(String text, ImapSyntax.CommandStart command) {
    String[] args = command.arguments().strip().split(" +");
    if (args.length < 2 || args[1].equals("=")) {
      return null;
    }
    return text.substring(0, text.length() - command.arguments().length()) + args[0] + " " + MASK;
  }

  /** Masks the LOGIN arguments in one line of the command (RFC 9051 {@code astring}s). */
  private String loginArguments(String args, Literal literal) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < args.length()) {
      char c = args.charAt(i);
      if (c == ' ') {
        out.append(c);
        i++;
        continue;
      }
      if (literal != null && LITERAL_AT_END.matcher(args.substring(i)).matches()) {
        // The literal at the end of the line: its octets follow as the next argument.
        boolean secret = isSecret(loginArg++);
        if (secret) {
          secretLiteral = true;
          out.append(
              literal.synchronizing() ? "{" + MASK.length() + "}" : "{" + MASK.length() + "+}");
        } else {
          out.append(args.substring(i));
        }
        return out.toString();
      }
      int end = c == '"' ? quotedEnd(args, i) : atomEnd(args, i);
      boolean secret = isSecret(loginArg++);
      if (secret) {
        out.append(c == '"' ? "\"" + MASK + "\"" : MASK);
      } else {
        out.append(args, i, end);
      }
      i = end;
    }
    return out.toString();
  }

  private boolean isSecret(int arg) {
    return arg == 1 || (arg == 0 && redactUser);
  }

  private static int quotedEnd(String s, int start) {
    int i = start + 1;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '\\') {
        i += 2;
        continue;
      }
      if (c == '"') {
        return i + 1;
      }
      i++;
    }
    return s.length();
  }

  private static int atomEnd(String s, int start) {
    int i = start;
    while (i < s.length() && s.charAt(i) != ' ') {
      i++;
    }
    return i;
  }

  private String pop3(Pop3Session session, String text) {
    if (session.expectsSaslLine()) {
      return text.equals("*") ? null : MASK;
    }
    String[] words = text.split(" ", -1);
    String name = words[0].toUpperCase(Locale.ROOT);
    return switch (name) {
      case "PASS" -> words.length > 1 ? words[0] + " " + MASK : null;
      case "USER" -> redactUser && words.length > 1 ? words[0] + " " + MASK : null;
      case "APOP" ->
          words.length > 2 ? words[0] + " " + (redactUser ? MASK : words[1]) + " " + MASK : null;
      case "AUTH" ->
          words.length > 2 && !words[2].equals("=") ? words[0] + " " + words[1] + " " + MASK : null;
      default -> null;
    };
  }

  private static String ending(WirePart part) {
    var b = part.content();
    int n = b.readableBytes();
    if (n >= 2 && b.getByte(b.readerIndex() + n - 2) == '\r') {
      return "\r\n";
    }
    return n >= 1 && b.getByte(b.readerIndex() + n - 1) == '\n' ? "\n" : "";
  }
}
