package dev.quirkproxy.rules;

import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.MailboxView;
import dev.quirkproxy.session.Protocol;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built-in action types, and custom ones found with {@link ServiceLoader}. Texts in actions may
 * use {@code {tag}} (the command's tag, or that of the command a response answers), {@code
 * {command}}, {@code {mailbox}} and {@code {exists}}.
 */
final class Actions {

  private static final long MAX_DELAY_MS = 600_000;
  private static final Map<String, ActionFactory> FACTORIES = factories();

  private Actions() {}

  private static final List<String> BUILT_IN = List.copyOf(builtIn().keySet());

  /** The names of every action type, built-in and custom. */
  static List<String> types() {
    return List.copyOf(FACTORIES.keySet());
  }

  /**
   * The direction a built-in action type acts on: true for commands only ({@code answer}), false
   * for responses only, null for both (and for custom types).
   */
  static Boolean direction(String type) {
    return switch (type) {
      case "answer" -> true;
      case "capabilities", "response-code", "inject-expunge", "inject-exists" -> false;
      case "complete-bodystructure" -> false;
      default -> null;
    };
  }

  /** The names of the built-in action types (what the schema lists). */
  static List<String> builtInTypes() {
    return BUILT_IN;
  }

  static RuleAction create(Params action) throws RuleException {
    String type = action.string("type");
    ActionFactory f = FACTORIES.get(type);
    if (f == null) {
      throw action.error(
          action.json().get("type"),
          "unknown action type '"
              + type
              + "'; expected one of "
              + String.join(", ", FACTORIES.keySet()));
    }
    return f.create(action);
  }

  private static Map<String, ActionFactory> factories() {
    Map<String, ActionFactory> m = builtIn();
    for (ActionFactory f : ServiceLoader.load(ActionFactory.class)) {
      m.putIfAbsent(f.type(), f);
    }
    return m;
  }

  private static Map<String, ActionFactory> builtIn() {
    Map<String, ActionFactory> m = new LinkedHashMap<>();
    add(m, "replace", Actions::replace);
    add(m, "rewrite", Actions::replace);
    add(m, "replace-frame", Actions::replaceFrame);
    add(
        m,
        "drop",
        p -> {
          p.allow("type");
          return (f, e) -> e.drop();
        });
    add(m, "inject", Actions::inject);
    add(m, "answer", Actions::answer);
    add(m, "capabilities", Actions::capabilities);
    add(m, "rename-mailbox", MailboxRename::create);
    add(m, "delay", Actions::delay);
    add(m, "split", Actions::split);
    add(m, "bye", Actions::bye);
    add(m, "response-code", Actions::responseCode);
    add(
        m,
        "duplicate",
        p -> {
          p.allow("type", "times");
          int n = (int) p.integer("times", 2, 10, 2);
          return (f, e) -> e.repeat(n);
        });
    add(m, "inject-expunge", Actions::injectExpunge);
    add(m, "inject-exists", Actions::injectExists);
    add(m, "expunged-stubs", MailboxViewHandler::stubs);
    add(m, "delete-to-trash", MailboxViewHandler::deleteToTrash);
    add(m, "move-detection", MailboxViewHandler::moveDetection);
    add(m, "complete-bodystructure", BodyStructureCompletion::create);
    add(m, "xlist", XlistAction::create);
    add(m, "folder-alias", FolderAlias::create);
    return m;
  }

  private interface Builder {
    RuleAction create(Params p) throws RuleException;
  }

  private static void add(Map<String, ActionFactory> m, String type, Builder b) {
    m.put(
        type,
        new ActionFactory() {
          @Override
          public String type() {
            return type;
          }

          @Override
          public RuleAction create(Params params) throws RuleException {
            return b.create(params);
          }
        });
  }

  // ---- the actions

  private static RuleAction replace(Params p) throws RuleException {
    p.allow("type", "pattern", "replacement", "literals");
    Pattern re = p.regex("pattern");
    String replacement = p.string("replacement");
    boolean literals = p.bool("literals", false);
    try {
      // A pattern that always matches the empty string and has the same groups: every group
      // reference in the replacement is checked now, not on the first frame it meets.
      Pattern.compile("(?:" + re.pattern() + "\n)|", re.flags())
          .matcher("")
          .replaceAll(replacement);
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      throw p.error(p.json().get("replacement"), "bad replacement: " + e.getMessage());
    }
    return (f, e) -> {
      String r = fill(replacement, f, true);
      e.editText(t -> re.matcher(t).replaceAll(r));
      if (literals) {
        e.editLiterals(
            b ->
                re.matcher(new String(b, java.nio.charset.StandardCharsets.ISO_8859_1))
                    .replaceAll(r)
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      }
    };
  }

  private static RuleAction replaceFrame(Params p) throws RuleException {
    p.allow("type", "lines");
    List<String> lines = p.strings("lines");
    return (f, e) -> {
      StringBuilder sb = new StringBuilder();
      for (String l : lines) {
        sb.append(Effect.crlf(fill(l, f)));
      }
      e.replaceFrame(sb.toString(), f.protocol() == Protocol.IMAP);
    };
  }

  private static RuleAction inject(Params p) throws RuleException {
    p.allow("type", "before", "after");
    if (!p.has("before") && !p.has("after")) {
      throw p.error("'inject' needs 'before' or 'after' (lines)");
    }
    List<String> before = p.has("before") ? p.strings("before") : List.of();
    List<String> after = p.has("after") ? p.strings("after") : List.of();
    return (f, e) -> {
      e.injectBefore(before.stream().map(l -> fill(l, f)).toList());
      e.injectAfter(after.stream().map(l -> fill(l, f)).toList());
    };
  }

  private static RuleAction answer(Params p) throws RuleException {
    p.allow("type", "lines");
    List<String> lines = p.strings("lines");
    return (f, e) -> {
      if (!f.fromClient()) {
        return;
      }
      for (String l : lines) {
        e.answer(fill(l, f));
      }
    };
  }

  private static RuleAction capabilities(Params p) throws RuleException {
    p.allow("type", "add", "remove");
    List<String> add = p.has("add") ? p.strings("add") : List.of();
    List<String> remove = p.has("remove") ? p.strings("remove") : List.of();
    if (add.isEmpty() && remove.isEmpty()) {
      throw p.error("'capabilities' needs 'add' or 'remove'");
    }
    CapabilityEdit edit = new CapabilityEdit(add, remove);
    return (f, e) -> {
      if (!f.fromClient()) {
        e.editText(t -> edit.apply(t, f.protocol(), f.commandName()));
      }
    };
  }

  private static RuleAction delay(Params p) throws RuleException {
    p.allow("type", "ms", "minMs", "maxMs");
    if (p.has("ms") && (p.has("minMs") || p.has("maxMs"))) {
      throw p.error("give 'ms', or 'minMs' and 'maxMs', not both");
    }
    if (p.has("ms")) {
      Duration d = p.millis("ms", MAX_DELAY_MS);
      return (f, e) -> e.delay(d);
    }
    long min = p.integer("minMs", 0, MAX_DELAY_MS);
    long max = p.integer("maxMs", min, MAX_DELAY_MS);
    return (f, e) -> e.delay(Duration.ofMillis(ThreadLocalRandom.current().nextLong(min, max + 1)));
  }

  private static RuleAction split(Params p) throws RuleException {
    p.allow("type", "chunk", "pauseMs");
    int chunk = (int) p.integer("chunk", 1, 1 << 20);
    Duration pause = p.millis("pauseMs", MAX_DELAY_MS);
    return (f, e) -> e.trickle(chunk, pause);
  }

  private static RuleAction bye(Params p) throws RuleException {
    p.allow("type", "text", "forwardFirst");
    String text = p.string("text", "quirkproxy: closed by a rule");
    boolean forwardFirst = p.bool("forwardFirst", false);
    return (f, e) -> {
      if (!forwardFirst) {
        e.drop();
      }
      String words =
          f.protocol() == Protocol.IMAP ? "* BYE " + fill(text, f) : "-ERR " + fill(text, f);
      e.end("a rule ended the session", words);
    };
  }

  private static final Pattern STATUS =
      Pattern.compile("^(\\S+ (?i:OK|NO|BAD|PREAUTH|BYE)) (\\[[^\\]]*\\] ?)?(.*)$", Pattern.DOTALL);
  private static final Pattern POP3_STATUS =
      Pattern.compile("^([+-](?i:OK|ERR))(?: (\\[[^\\]]*\\] ?)?(.*))?$", Pattern.DOTALL);

  private static RuleAction responseCode(Params p) throws RuleException {
    p.allow("type", "code", "text");
    String code = p.string("code");
    String text = p.has("text") ? p.string("text") : null;
    return (f, e) -> {
      if (f.fromClient()) {
        return;
      }
      e.editText(
          t -> {
            int lf = t.indexOf('\n');
            String line = FrameImage.stripEol(lf < 0 ? t : t.substring(0, lf + 1));
            String rest = t.substring(line.length());
            Matcher m = (f.protocol() == Protocol.POP3 ? POP3_STATUS : STATUS).matcher(line);
            if (!m.matches()) {
              return t;
            }
            String words = text != null ? fill(text, f) : m.group(3) == null ? "" : m.group(3);
            return m.group(1) + " [" + code + "] " + words + rest;
          });
    };
  }

  private static RuleAction injectExpunge(Params p) throws RuleException {
    p.allow("type", "seq");
    String which = p.has("seq") ? p.json().get("seq").asText() : "last";
    if (!which.matches("first|last|[1-9][0-9]{0,9}")) {
      throw p.error(p.json().get("seq"), "seq must be a message number, first or last");
    }
    return (f, e) -> {
      MailboxView m = mailbox(f);
      long exists = m == null ? 0 : m.exists();
      // first and last need a message to name; a number is sent as given (a fault may be wrong).
      long n =
          which.equals("first")
              ? Math.min(1, exists)
              : which.equals("last") ? exists : Long.parseLong(which);
      if (n >= 1) {
        e.injectAfter(List.of("* " + n + " EXPUNGE"));
      }
    };
  }

  private static RuleAction injectExists(Params p) throws RuleException {
    p.allow("type", "count", "add");
    if (p.has("count") && p.has("add")) {
      throw p.error("give 'count' or 'add', not both");
    }
    Long count = p.has("count") ? p.integer("count", 0, 4_294_967_295L) : null;
    long delta = p.integer("add", -1_000_000, 1_000_000, 1);
    return (f, e) -> {
      MailboxView m = mailbox(f);
      long n = count != null ? count : Math.max(0, (m == null ? 0 : m.exists()) + delta);
      e.injectAfter(List.of("* " + n + " EXISTS"));
    };
  }

  private static MailboxView mailbox(Frame f) {
    return f.session() instanceof ImapSession imap ? imap.mailbox() : null;
  }

  /** Fills {@code {tag}}, {@code {command}}, {@code {mailbox}} and {@code {exists}}. */
  static String fill(String text, Frame f) {
    return fill(text, f, false);
  }

  /**
   * The same; with {@code forReplacement} the values are quoted for {@link Matcher#replaceAll}, so
   * a {@code $} or {@code \\} in a tag or mailbox name stays literal.
   */
  static String fill(String text, Frame f, boolean forReplacement) {
    java.util.function.UnaryOperator<String> q =
        forReplacement ? Matcher::quoteReplacement : java.util.function.UnaryOperator.identity();
    if (text.indexOf('{') < 0) {
      return text;
    }
    String out = text;
    if (out.contains("{tag}")) {
      String tag = f.tag();
      if (tag == null && f.session() instanceof ImapSession imap) {
        var c = imap.completed();
        tag = c == null ? "*" : c.tag();
      }
      out = out.replace("{tag}", q.apply(tag == null ? "*" : tag));
    }
    out = out.replace("{command}", q.apply(f.commandName()));
    MailboxView m = mailbox(f);
    out = out.replace("{mailbox}", q.apply(m == null ? "" : m.name()));
    out = out.replace("{exists}", m == null ? "0" : Long.toString(m.exists()));
    return out;
  }
}
