package dev.quirkproxy.codec.imap.parse;

import java.util.List;
import java.util.Locale;

/**
 * RFC 9051 {@code resp-text-code}: the bracketed code of a status response, e.g. {@code [CAPABILITY
 * …]}, {@code [UIDVALIDITY n]}, {@code [APPENDUID v uid]} (RFC 4315), {@code [HIGHESTMODSEQ n]}
 * (RFC 7162). Arguments are read as a generic tree when they follow the grammar, else left empty;
 * {@code raw} always holds the text between the brackets.
 *
 * @param name the code's atom in upper case
 * @param args its arguments
 * @param raw the text between the brackets
 */
public record ResponseCode(String name, List<Node> args, String raw) {

  public ResponseCode {
    args = List.copyOf(args);
  }

  /** Two UIDs sets of RFC 4315: {@code APPENDUID} has no {@code source}. */
  public record UidPlus(long uidValidity, SequenceSet source, SequenceSet uids) {}

  static ResponseCode parse(String raw) {
    int sp = raw.indexOf(' ');
    String name = (sp < 0 ? raw : raw.substring(0, sp)).toUpperCase(Locale.ROOT);
    if (sp < 0) {
      return new ResponseCode(name, List.of(), raw);
    }
    try {
      ImapLexer.Tokens tokens =
          new ImapLexer(FrameBytes.ofLatin1(raw.substring(sp + 1)), 8).frame();
      return new ResponseCode(name, tokens.seq().items(), raw);
    } catch (ParseException e) {
      return new ResponseCode(name, List.of(), raw);
    }
  }

  /** The capabilities of {@code [CAPABILITY …]}, or an empty list. */
  public List<String> capabilities() {
    return name.equals("CAPABILITY") ? args.stream().map(Node::text).toList() : List.of();
  }

  /**
   * The number of {@code UIDVALIDITY}, {@code UIDNEXT}, {@code UNSEEN}, {@code HIGHESTMODSEQ} and
   * the like; null when the first argument is not a number.
   */
  public Long number() {
    return !args.isEmpty() && args.get(0) instanceof Node.Num n ? n.value() : null;
  }

  /** The flags of {@code [PERMANENTFLAGS (…)]}, or an empty list. */
  public List<String> flags() {
    if (!args.isEmpty() && args.get(0) instanceof Node.Paren p) {
      return Cursor.of(p).rest().stream().map(Node::text).toList();
    }
    return List.of();
  }

  /** {@code [APPENDUID v uids]} or {@code [COPYUID v src dst]}; null for other codes or junk. */
  public UidPlus uidPlus() {
    try {
      if (name.equals("APPENDUID") && args.size() == 2) {
        return new UidPlus(
            ((Node.Num) args.get(0)).value(), null, Cursor.sequenceSet(args.get(1), "uid"));
      }
      if (name.equals("COPYUID") && args.size() == 3) {
        return new UidPlus(
            ((Node.Num) args.get(0)).value(),
            Cursor.sequenceSet(args.get(1), "source"),
            Cursor.sequenceSet(args.get(2), "uid"));
      }
    } catch (ParseException | ClassCastException e) {
      return null;
    }
    return null;
  }
}
