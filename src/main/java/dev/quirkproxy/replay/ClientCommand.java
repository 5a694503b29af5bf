package dev.quirkproxy.replay;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * One client command as the replay server compares it: its lines (one char per octet, no line
 * ending) and the literal that follows each line but the last (RFC 9051 §4.3). POP3 commands are
 * one line.
 *
 * @param redacted the recorder masked secrets in it ({@code [REDACTED]} matches anything)
 */
record ClientCommand(List<String> lines, List<byte[]> literals, boolean redacted) {

  ClientCommand {
    lines = List.copyOf(lines);
    literals = List.copyOf(literals);
  }

  /** The tag: the first word of the first line (IMAP), or "" when there is none. */
  String tag() {
    String first = lines.isEmpty() ? "" : lines.get(0);
    int sp = first.indexOf(' ');
    return sp <= 0 ? "" : first.substring(0, sp);
  }

  /** Collects a command part by part, as a framer emits it. */
  static final class Builder {
    private final List<String> lines = new ArrayList<>();
    private final List<byte[]> literals = new ArrayList<>();
    private ByteArrayOutputStream literal;
    private boolean redacted;

    /** A line; {@code announcesLiteral} when it ends in {@code {n}} (its octets come next). */
    Builder line(String text, boolean announcesLiteral) {
      if (literal != null) {
        literals.add(literal.toByteArray());
        literal = null;
      }
      lines.add(text);
      if (announcesLiteral) {
        literal = new ByteArrayOutputStream();
      }
      return this;
    }

    Builder literal(byte[] chunk) {
      if (literal == null) {
        literal = new ByteArrayOutputStream();
      }
      literal.writeBytes(chunk);
      return this;
    }

    boolean started() {
      return !lines.isEmpty();
    }

    Builder redacted(boolean value) {
      redacted |= value;
      return this;
    }

    ClientCommand build() {
      if (literal != null) {
        literals.add(literal.toByteArray());
        literal = null;
      }
      return new ClientCommand(lines, literals, redacted);
    }
  }
}
