package dev.quirkproxy.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quirkproxy.codec.imap.parse.CommandView;
import dev.quirkproxy.codec.imap.parse.FetchAtt;
import dev.quirkproxy.codec.imap.parse.Mailbox;
import dev.quirkproxy.codec.imap.parse.ParsedFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The {@code command} condition: the command's name (or the one a response answers) and its
 * arguments.
 */
final class CommandCondition {

  private CommandCondition() {}

  static dev.quirkproxy.rules.Matcher command(Params when) throws RuleException {
    JsonNode v = when.json().get("command");
    if (v.isTextual() || v.isArray()) {
      Set<String> names = Conditions.upper(when.strings("command"));
      return f -> commandName(f, names);
    }
    Params p = when.object("command");
    p.allow("name", "items", "flags", "operation", "mailbox");
    Set<String> names = p.has("name") ? Conditions.upper(p.strings("name")) : null;
    List<Predicate<CommandView>> tests = new ArrayList<>();
    List<String> wants = new ArrayList<>();
    if (p.has("items")) {
      Set<String> items = Conditions.upper(p.strings("items"));
      tests.add(
          view ->
              view instanceof CommandView.Fetch fetch
                  && fetch.items().stream()
                      .map(FetchAtt::name)
                      .map(n -> n.toUpperCase(Locale.ROOT))
                      .collect(Collectors.toSet())
                      .containsAll(items));
      wants.add("FETCH items " + items);
    }
    if (p.has("flags")) {
      Set<String> flags = Conditions.upper(p.strings("flags"));
      tests.add(
          view ->
              view instanceof CommandView.Store store
                  && Conditions.upper(store.flags()).containsAll(flags));
      wants.add("STORE flags " + flags);
    }
    if (p.has("operation")) {
      String op = p.string("operation").toUpperCase(Locale.ROOT);
      if (!op.matches("[+-]?FLAGS(\\.SILENT)?")) {
        throw p.error(
            p.json().get("operation"),
            "operation must be FLAGS, +FLAGS or -FLAGS (optionally .SILENT)");
      }
      tests.add(
          view -> view instanceof CommandView.Store store && storeOperation(store).startsWith(op));
      wants.add("STORE " + op);
    }
    if (p.has("mailbox")) {
      Predicate<String> test = Conditions.nameTest(p, "mailbox");
      tests.add(view -> test.test(mailboxArgument(view)));
      wants.add("mailbox " + p.json().get("mailbox"));
    }
    String want = String.join(", ", wants);
    return f -> {
      if (names != null) {
        String miss = commandName(f, names);
        if (miss != null) {
          return miss;
        }
      }
      if (tests.isEmpty() || f.prefilter()) {
        return null;
      }
      if (!f.fromClient()) {
        return "argument conditions apply to commands, and this is a response";
      }
      ParsedFrame parsed = f.parsed();
      if (!(parsed instanceof ParsedFrame.Command c)) {
        return "the command does not parse, so its arguments cannot be checked";
      }
      for (Predicate<CommandView> t : tests) {
        if (!t.test(c.view())) {
          return Conditions.why(f, () -> "the command's arguments do not fit: " + want);
        }
      }
      return null;
    };
  }

  private static String commandName(Frame f, Set<String> names) {
    String name = f.commandName();
    return names.contains(name)
        ? null
        : Conditions.why(
            f,
            () ->
                (f.fromClient() ? "the command is " : "it answers ")
                    + (name.isEmpty() ? "no known command" : name)
                    + ", not "
                    + String.join("|", names));
  }

  /** {@code +FLAGS.SILENT}: the item as written already carries its sign. */
  private static String storeOperation(CommandView.Store store) {
    return store.item().toUpperCase(Locale.ROOT);
  }

  /** The mailbox a command names (SELECT, EXAMINE, STATUS, APPEND, COPY, MOVE), decoded. */
  static String mailboxArgument(CommandView view) {
    Mailbox m =
        view instanceof CommandView.Select s
            ? s.mailbox()
            : view instanceof CommandView.Status st
                ? st.mailbox()
                : view instanceof CommandView.Append a
                    ? a.mailbox()
                    : view instanceof CommandView.Copy c ? c.mailbox() : null;
    return m == null ? null : m.decoded();
  }
}
