package dev.quirkproxy.rules;

import dev.quirkproxy.codec.imap.parse.FetchAtt;
import java.util.ArrayList;
import java.util.List;

/**
 * Stub FETCH data for a message the upstream no longer has (issue 7, {@code expunged-stubs}): every
 * item the client asked for, with Dovecot's stub values (imap-fetch.c, client-quirks.md #22) unless
 * the rule gives others.
 */
final class StubFetch {

  private final String flagsWhenUnknown;
  private final String envelope;
  private final String bodyStructure;
  private final String internalDate;
  private final long size;
  private final String body;

  StubFetch(Params p) throws RuleException {
    p.allow("type", "flags", "envelope", "bodyStructure", "internalDate", "size", "body");
    flagsWhenUnknown =
        "(" + String.join(" ", p.has("flags") ? p.strings("flags") : List.of()) + ")";
    envelope = p.string("envelope", "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
    bodyStructure = p.string("bodyStructure", "(\"text\" \"plain\" NIL NIL NIL \"7bit\" 0 0)");
    internalDate = p.string("internalDate", "01-Jan-1970 00:00:00 +0000");
    size = p.integer("size", 0, Integer.MAX_VALUE, 0);
    body = p.has("body") ? quoted(p.string("body")) : "NIL";
  }

  /**
   * The stub answer for client message {@code c}: the items a FETCH asked for ({@code items}; UID
   * also when {@code uidFetch}).
   */
  String render(boolean uidFetch, List<FetchAtt> items, long c, long uid, List<String> flags) {
    StringBuilder sb = new StringBuilder("* ").append(c).append(" FETCH (");
    List<String> out = new ArrayList<>();
    boolean uidAsked = uidFetch;
    for (FetchAtt a : expand(items)) {
      String n = a.name();
      switch (n) {
        case "FLAGS" ->
            out.add(
                "FLAGS "
                    + (flags == null ? flagsWhenUnknown : "(" + String.join(" ", flags) + ")"));
        case "UID" -> uidAsked = true;
        case "ENVELOPE" -> out.add("ENVELOPE " + envelope);
        case "BODYSTRUCTURE", "BODY" -> {
          if (a.section() == null) {
            out.add(n + " " + bodyStructure);
          } else {
            out.add("BODY[" + a.section().text() + "]" + partial(a) + " " + body);
          }
        }
        case "BODY.PEEK" ->
            out.add(
                "BODY["
                    + (a.section() == null ? "" : a.section().text())
                    + "]"
                    + partial(a)
                    + " "
                    + body);
        case "BINARY", "BINARY.PEEK" ->
            out.add("BINARY[" + (a.section() == null ? "" : a.section().text()) + "] " + body);
        case "RFC822.SIZE" -> out.add("RFC822.SIZE " + size);
        case "INTERNALDATE" -> out.add("INTERNALDATE \"" + internalDate + "\"");
        case "RFC822", "RFC822.HEADER", "RFC822.TEXT" -> out.add(n + " " + body);
        default -> {}
      }
    }
    if (uidAsked && uid > 0) {
      out.add(0, "UID " + uid);
    }
    return sb.append(String.join(" ", out)).append(')').toString();
  }

  private static String partial(FetchAtt a) {
    return a.partial() == null ? "" : "<" + a.partial().origin() + ">";
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** FETCH macros as their items (RFC 9051 §6.4.5). */
  private static List<FetchAtt> expand(List<FetchAtt> items) {
    List<FetchAtt> out = new ArrayList<>();
    for (FetchAtt a : items) {
      List<String> names =
          switch (a.name()) {
            case "ALL" -> List.of("FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE");
            case "FAST" -> List.of("FLAGS", "INTERNALDATE", "RFC822.SIZE");
            case "FULL" -> List.of("FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY");
            default -> null;
          };
      if (names == null) {
        out.add(a);
      } else {
        names.forEach(n -> out.add(new FetchAtt(n, null, null, null)));
      }
    }
    return out;
  }
}
