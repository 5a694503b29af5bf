package dev.quirkproxy.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.Pop3Session;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.session.Session;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Compiles a rule's {@code when} object into {@link dev.quirkproxy.rules.Matcher}s: every field is
 * a condition and all must hold; {@code all}, {@code any} and {@code not} nest. Also works out what
 * the conditions fix (direction, protocol) so the engine only tries a rule where it can match.
 */
final class Conditions {

  static final List<String> FIELDS =
      List.of(
          "protocol",
          "direction",
          "client",
          "state",
          "mailbox",
          "command",
          "response",
          "code",
          "capability",
          "line",
          "text",
          "all",
          "any",
          "not",
          "custom");

  private static final Map<String, MatcherFactory> CUSTOM = customMatchers();

  /** What a compiled {@code when} fixes: its matcher, and the direction/protocol it needs. */
  record Compiled(dev.quirkproxy.rules.Matcher matcher, Boolean fromClient, Protocol protocol) {}

  private Boolean fromClient;
  private Protocol protocol;

  private Conditions() {}

  static Compiled compile(Params when) throws RuleException {
    Conditions c = new Conditions();
    dev.quirkproxy.rules.Matcher m = c.all(when, true);
    return new Compiled(m, c.fromClient, c.protocol);
  }

  /** Every field of {@code when} must hold. {@code top}: direction/protocol fix the rule's use. */
  private dev.quirkproxy.rules.Matcher all(Params when, boolean top) throws RuleException {
    when.allow(FIELDS.toArray(new String[0]));
    List<dev.quirkproxy.rules.Matcher> parts = new ArrayList<>();
    for (String field : FIELDS) {
      if (when.has(field)) {
        parts.add(field(when, field, top));
      }
    }
    if (parts.size() == 1) {
      return parts.get(0);
    }
    return f -> {
      for (dev.quirkproxy.rules.Matcher m : parts) {
        String miss = m.miss(f);
        if (miss != null) {
          return miss;
        }
      }
      return null;
    };
  }

  private dev.quirkproxy.rules.Matcher field(Params when, String field, boolean top)
      throws RuleException {
    return switch (field) {
      case "protocol" -> protocol(when, top);
      case "direction" -> direction(when, top);
      case "client" -> ClientCondition.client(when);
      case "state" -> state(when);
      case "mailbox" -> mailbox(when);
      case "command" -> CommandCondition.command(when);
      case "response" -> response(when, top);
      case "code" -> ResponseCondition.code(when);
      case "capability" -> capability(when);
      case "line" -> regex(when, "line", Frame::firstLine, "the first line");
      case "text" -> {
        dev.quirkproxy.rules.Matcher m = regex(when, "text", Frame::text, "the frame");
        yield f -> f.prefilter() ? null : m.miss(f);
      }
      case "all", "any" -> group(when, field);
      case "not" -> not(when);
      case "custom" -> custom(when);
      default -> throw when.error("unknown condition '" + field + "'");
    };
  }

  private dev.quirkproxy.rules.Matcher protocol(Params when, boolean top) throws RuleException {
    String p = when.string("protocol").toLowerCase(Locale.ROOT);
    Protocol want =
        switch (p) {
          case "imap" -> Protocol.IMAP;
          case "pop3" -> Protocol.POP3;
          default -> throw when.error(when.json().get("protocol"), "protocol must be imap or pop3");
        };
    if (top) {
      protocol = want;
    }
    return f ->
        f.protocol() == want
            ? null
            : why(f, () -> "protocol is " + name(f.protocol()) + ", not " + p);
  }

  private dev.quirkproxy.rules.Matcher direction(Params when, boolean top) throws RuleException {
    String d = when.string("direction").toLowerCase(Locale.ROOT);
    boolean client =
        switch (d) {
          case "client" -> true;
          case "server" -> false;
          default ->
              throw when.error(
                  when.json().get("direction"),
                  "direction must be client (commands) or server (responses)");
        };
    if (top) {
      if (fromClient != null && fromClient != client) {
        throw when.error("'direction' " + d + " contradicts 'response' (a server condition)");
      }
      fromClient = client;
    }
    return f ->
        f.fromClient() == client
            ? null
            : why(f, () -> "the frame comes from the " + side(f) + ", not the " + d);
  }

  private dev.quirkproxy.rules.Matcher state(Params when) throws RuleException {
    Set<String> states = new java.util.HashSet<>();
    Set<String> known =
        Set.of(
            "not-authenticated",
            "authenticated",
            "selected",
            "logout",
            "authorization",
            "transaction",
            "update");
    JsonNode given = when.json().get("state");
    List<String> names = when.strings("state");
    for (int i = 0; i < names.size(); i++) {
      String s = names.get(i);
      String norm = s.toLowerCase(Locale.ROOT).replace('_', '-');
      if (!known.contains(norm)) {
        throw when.error(
            given.isArray() ? given.get(i) : given,
            "unknown state '"
                + s
                + "'; expected one of "
                + String.join(", ", new java.util.TreeSet<>(known)));
      }
      states.add(norm);
    }
    return f -> {
      String now = state(f.session());
      return states.contains(now)
          ? null
          : why(f, () -> "state is " + now + ", not " + String.join("|", states));
    };
  }

  /** What a condition that does not hold says while only matching (nobody reads why). */
  static final String NO_MATCH = "(does not match)";

  /**
   * Why a condition does not hold: in words for {@code rules explain}, else a constant, so that
   * judging a frame against many rules builds no message it throws away.
   */
  static String why(Frame f, java.util.function.Supplier<String> reason) {
    return f.explaining() ? reason.get() : NO_MATCH;
  }

  static String state(Session s) {
    Enum<?> e = s instanceof ImapSession imap ? imap.state() : ((Pop3Session) s).state();
    return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private dev.quirkproxy.rules.Matcher mailbox(Params when) throws RuleException {
    Predicate<String> test = nameTest(when, "mailbox");
    return f -> {
      String selected = f.session() instanceof ImapSession imap ? imap.selectedMailbox() : null;
      if (selected == null) {
        return "no mailbox is selected";
      }
      return test.test(selected) ? null : why(f, () -> "the selected mailbox is " + selected);
    };
  }

  /** A name condition: a string (INBOX case-insensitive) or {@code {"regex": …}}. */
  static Predicate<String> nameTest(Params when, String key) throws RuleException {
    JsonNode v = when.json().get(key);
    if (v.isTextual()) {
      String want = v.asText();
      return name ->
          name != null
              && (name.equals(want)
                  || (want.equalsIgnoreCase("INBOX") && name.equalsIgnoreCase("INBOX")));
    }
    Params p = when.object(key);
    p.allow("regex");
    Pattern re = p.regex("regex");
    return name -> name != null && re.matcher(name).matches();
  }

  private dev.quirkproxy.rules.Matcher response(Params when, boolean top) throws RuleException {
    if (top) {
      if (Boolean.TRUE.equals(fromClient)) {
        throw when.error("'response' contradicts 'direction' client");
      }
      fromClient = false;
    }
    return ResponseCondition.response(when);
  }

  private dev.quirkproxy.rules.Matcher capability(Params when) throws RuleException {
    List<String> caps = when.strings("capability");
    return f -> {
      if (!(f.session() instanceof ImapSession imap)) {
        return "capabilities are tracked for IMAP only";
      }
      for (String c : caps) {
        if (!imap.hasCapability(c)) {
          return why(f, () -> "the upstream has not announced " + c);
        }
      }
      return null;
    };
  }

  private static dev.quirkproxy.rules.Matcher regex(
      Params when, String key, java.util.function.Function<Frame, String> of, String what)
      throws RuleException {
    Pattern re = when.regex(key);
    return f ->
        re.matcher(of.apply(f)).find() ? null : why(f, () -> what + " does not match /" + re + "/");
  }

  private dev.quirkproxy.rules.Matcher group(Params when, String key) throws RuleException {
    JsonNode v = when.json().get(key);
    if (!v.isArray() || v.isEmpty()) {
      throw when.error(v, "'" + key + "' must be a non-empty list of conditions");
    }
    List<dev.quirkproxy.rules.Matcher> members = new ArrayList<>();
    for (JsonNode item : v) {
      members.add(all(when.of(item), false));
    }
    if (key.equals("all")) {
      return f -> {
        for (dev.quirkproxy.rules.Matcher m : members) {
          String miss = m.miss(f);
          if (miss != null) {
            return miss;
          }
        }
        return null;
      };
    }
    return f -> {
      List<String> misses = f.explaining() ? new ArrayList<>() : null;
      for (dev.quirkproxy.rules.Matcher m : members) {
        String miss = m.miss(f);
        if (miss == null) {
          return null;
        }
        if (misses != null) {
          misses.add(miss);
        }
      }
      return misses == null ? NO_MATCH : "none of 'any' holds: " + String.join("; ", misses);
    };
  }

  private dev.quirkproxy.rules.Matcher not(Params when) throws RuleException {
    dev.quirkproxy.rules.Matcher inner = all(when.object("not"), false);
    // While deciding whether to hold a frame, whole-frame conditions inside say they hold, so
    // their negation cannot be told yet: the frame may still match.
    return f -> f.prefilter() || inner.miss(f) != null ? null : "'not' condition holds";
  }

  private dev.quirkproxy.rules.Matcher custom(Params when) throws RuleException {
    Params p = when.object("custom");
    String type = p.string("type");
    MatcherFactory factory = CUSTOM.get(type);
    if (factory == null) {
      throw p.error(
          p.json().get("type"),
          "no custom matcher '"
              + type
              + "'"
              + (CUSTOM.isEmpty()
                  ? " (none installed)"
                  : "; installed: " + String.join(", ", CUSTOM.keySet())));
    }
    return factory.create(p);
  }

  private static Map<String, MatcherFactory> customMatchers() {
    Map<String, MatcherFactory> out = new HashMap<>();
    for (MatcherFactory f : ServiceLoader.load(MatcherFactory.class)) {
      out.put(f.type(), f);
    }
    return out;
  }

  static Set<String> upper(List<String> words) {
    return words.stream().map(w -> w.toUpperCase(Locale.ROOT)).collect(Collectors.toSet());
  }

  private static String name(Protocol p) {
    return p.name().toLowerCase(Locale.ROOT);
  }

  private static String side(Frame f) {
    return f.fromClient() ? "client" : "server";
  }
}
