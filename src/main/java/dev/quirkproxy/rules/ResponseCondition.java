package dev.quirkproxy.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quirkproxy.codec.imap.parse.ImapParser;
import dev.quirkproxy.session.Protocol;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code response} and {@code code} conditions: a response's kind, status, name and code. */
final class ResponseCondition {

  private ResponseCondition() {}

  private static final Pattern IMAP_CODE =
      Pattern.compile("^\\S+ (?i:OK|NO|BAD|PREAUTH|BYE) \\[([^\\] ]+)");
  private static final Pattern POP3_CODE = Pattern.compile("^[+-](?i:OK|ERR) \\[([^\\] ]+)");

  static dev.quirkproxy.rules.Matcher response(Params when) throws RuleException {
    JsonNode v = when.json().get("response");
    String kind = null;
    Set<String> status = null;
    Set<String> names = null;
    if (v.isTextual() || v.isArray()) {
      Set<String> words = Conditions.upper(when.strings("response"));
      Set<String> kinds = Set.of("TAGGED", "UNTAGGED", "CONTINUATION", "GREETING");
      if (words.size() == 1 && kinds.contains(words.iterator().next())) {
        kind = words.iterator().next().toLowerCase(Locale.ROOT);
      } else if (words.stream().anyMatch(kinds::contains)) {
        throw when.error(
            v,
            "a list of responses names data (CAPABILITY, FETCH, ...); for a kind give one of"
                + " tagged, untagged, continuation, greeting, or use {\"kind\": ...}");
      } else {
        names = words;
      }
    } else {
      Params p = when.object("response");
      p.allow("kind", "status", "name");
      if (p.has("kind")) {
        kind = p.string("kind").toLowerCase(Locale.ROOT);
        if (!Set.of("tagged", "untagged", "continuation", "greeting").contains(kind)) {
          throw p.error(
              p.json().get("kind"), "kind must be tagged, untagged, continuation or greeting");
        }
      }
      if (p.has("status")) {
        status = Conditions.upper(p.strings("status"));
      }
      if (p.has("name")) {
        names = Conditions.upper(p.strings("name"));
      }
    }
    String wantKind = kind;
    Set<String> wantStatus = status;
    Set<String> wantNames = names;
    return f -> {
      if (f.fromClient()) {
        return "a command, not a response";
      }
      String[] got = responseShape(f);
      if ("greeting".equals(wantKind)) {
        if (!f.greeting()) {
          return Conditions.why(f, () -> "the response is not the greeting");
        }
      } else if (wantKind != null && !wantKind.equals(got[0])) {
        return Conditions.why(f, () -> "the response is " + got[0] + ", not " + wantKind);
      }
      if (wantStatus != null && !wantStatus.contains(got[1])) {
        return Conditions.why(
            f,
            () ->
                "the status is "
                    + (got[1].isEmpty() ? "none" : got[1])
                    + ", not "
                    + String.join("|", wantStatus));
      }
      if (wantNames != null && !wantNames.contains(got[2]) && !wantNames.contains(got[1])) {
        return Conditions.why(
            f,
            () ->
                "the response is "
                    + (got[2].isEmpty() ? got[1] : got[2])
                    + ", not "
                    + String.join("|", wantNames));
      }
      return null;
    };
  }

  /**
   * {kind, status, name}: {@code untagged, OK, ""}, {@code untagged, "", FETCH}, POP3 {@code
   * tagged, OK|ERR, ""}.
   */
  static String[] responseShape(Frame f) {
    if (f.protocol() == Protocol.POP3) {
      String line = f.firstLine();
      if (line.startsWith("+OK")) {
        return new String[] {"tagged", "OK", ""};
      }
      if (line.startsWith("-ERR")) {
        return new String[] {"tagged", "ERR", ""};
      }
      return new String[] {"continuation", "", ""};
    }
    ImapParser.Head h = f.head();
    String kind =
        switch (h.kind()) {
          case TAGGED -> "tagged";
          case CONTINUATION -> "continuation";
          default -> "untagged";
        };
    boolean isStatus = Set.of("OK", "NO", "BAD", "PREAUTH", "BYE").contains(h.name());
    return new String[] {kind, isStatus ? h.name() : "", isStatus ? "" : h.name()};
  }

  static dev.quirkproxy.rules.Matcher code(Params when) throws RuleException {
    Set<String> codes = Conditions.upper(when.strings("code"));
    return f -> {
      String got = responseCode(f);
      return got != null && codes.contains(got)
          ? null
          : Conditions.why(
              f,
              () ->
                  "the response code is "
                      + (got == null ? "none" : got)
                      + ", not "
                      + String.join("|", codes));
    };
  }

  /** The response code of a status response ({@code TRYCREATE}, POP3 {@code AUTH}), or null. */
  static String responseCode(Frame f) {
    if (f.fromClient()) {
      return null;
    }
    Matcher m = (f.protocol() == Protocol.POP3 ? POP3_CODE : IMAP_CODE).matcher(f.firstLine());
    return m.find() ? m.group(1).toUpperCase(Locale.ROOT) : null;
  }
}
