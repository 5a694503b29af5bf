package dev.quirkproxy.capture;

import dev.quirkproxy.capture.CaptureReader.Capture;
import dev.quirkproxy.capture.CapturedFrames.Frame;
import dev.quirkproxy.capture.CapturedFrames.Part;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes an IMAP capture as a Dovecot ImapTest scripted test (imaptest {@code test=FILE}; format as
 * parsed by dovecot/imaptest {@code src/test-parser.c}): a header ({@code state: nonauth}, the
 * script logs in itself), an empty line, then one group per command. A command whose tagged reply
 * has no response code is {@code <ok|no|bad> <command>}; one with a code is the command, its
 * untagged replies and {@code ok [code]}; pipelined commands use {@code tagN}. Expected replies are
 * matched by ImapTest as prefixes, so the human-readable text is left out; varying values ({@link
 * ScriptVariance}) become {@code $}; credentials become {@code $user} / {@code $password}; literals
 * use ImapTest's {@code {{{ ... }}}} form. A literal {@code $} is written {@code $$}.
 */
public final class ImapTestExport {

  private static final Pattern LITERAL_AT_END = Pattern.compile("\\{(\\d+)\\+?\\}$");
  private static final Pattern VERB = Pattern.compile("^(?i)(?:UID )?([A-Z]+)");

  private final StringBuilder out = new StringBuilder();

  private ImapTestExport() {}

  /** One command and what came back for it. */
  private static final class Command {
    final Frame frame;
    final String tag;
    final String rest;
    Frame reply;
    final List<Frame> continuations = new ArrayList<>();
    boolean continued;

    Command(Frame frame) {
      this.frame = frame;
      String first = stripCrlf(frame.parts().get(0).text());
      int sp = first.indexOf(' ');
      this.tag = sp < 0 ? first : first.substring(0, sp);
      this.rest = sp < 0 ? "" : first.substring(sp + 1);
    }

    String verb() {
      Matcher m = VERB.matcher(rest);
      return m.find() ? m.group(1).toUpperCase(Locale.ROOT) : "";
    }
  }

  /** The script for an IMAP capture; IllegalArgumentException for any other protocol. */
  public static String of(Capture c) throws IOException {
    CapturedFrames.requireImap(c, "ImapTest");
    ImapTestExport export = new ImapTestExport();
    export.header(c);
    export.body(CapturedFrames.of(c));
    return export.out.toString();
  }

  private void header(Capture c) {
    out.append("# ImapTest script exported by quirkproxy from session ")
        .append(c.header().path("session").asText())
        .append(", started ")
        .append(c.header().path("start").asText())
        .append('\n')
        .append("# Run: imaptest host=HOST port=PORT user=USER pass=PASSWORD test=THIS_FILE\n")
        .append(
            "# against an account holding the same mailboxes and messages as the captured one.\n")
        .append(
            "# $user and $password are ImapTest's user= and pass=; $ alone matches any value.\n")
        .append("state: nonauth\n\n");
  }

  private void body(List<Frame> frames) {
    List<Command> group = new ArrayList<>();
    Map<String, Command> pending = new LinkedHashMap<>();
    List<Frame> untagged = new ArrayList<>();
    Command awaiting = null;
    boolean seenClient = false;
    for (Frame f : frames) {
      String first = f.parts().get(0).text();
      if (f.fromClient()) {
        seenClient = true;
        if (awaiting != null) {
          awaiting.continuations.add(f);
          awaiting = null;
          continue;
        }
        Command cmd = new Command(f);
        group.add(cmd);
        pending.put(cmd.tag, cmd);
      } else if (!seenClient && first.startsWith("* ")) {
        out.append("# greeting: ").append(stripCrlf(first)).append('\n');
      } else if (first.startsWith("+")) {
        Command last = group.isEmpty() ? null : group.get(group.size() - 1);
        if (last != null && (last.verb().equals("IDLE") || last.verb().equals("AUTHENTICATE"))) {
          last.continued = true;
          awaiting = last;
        }
      } else if (first.startsWith("* ")) {
        if (group.isEmpty()) {
          comment("unsolicited", List.of(f));
        } else {
          untagged.add(f);
        }
      } else {
        Command cmd = pending.remove(first.split(" ", 2)[0]);
        if (cmd == null) {
          comment("tagged reply to no command", List.of(f));
          continue;
        }
        cmd.reply = f;
        if (pending.isEmpty()) {
          group(group, untagged);
          group = new ArrayList<>();
          untagged = new ArrayList<>();
        }
      }
    }
    if (!group.isEmpty()) {
      group(group, untagged);
    }
  }

  private void group(List<Command> commands, List<Frame> untagged) {
    List<Frame> all = new ArrayList<>();
    for (Command cmd : commands) {
      String why = unscriptable(cmd);
      if (why != null) {
        commands.forEach(
            c -> {
              all.add(c.frame);
              all.addAll(c.continuations);
              if (c.reply != null) {
                all.add(c.reply);
              }
            });
        all.addAll(1, untagged);
        comment(why, all);
        out.append('\n');
        return;
      }
    }
    boolean pipelined = commands.size() > 1;
    for (int i = 0; i < commands.size(); i++) {
      Command cmd = commands.get(i);
      if (cmd.verb().equals("AUTHENTICATE")) {
        out.append("# captured ")
            .append(cmd.tag)
            .append(' ')
            .append(cmd.rest.split(" ")[0])
            .append(" AUTHENTICATE: ImapTest scripts cannot answer SASL challenges, so LOGIN\n");
      }
      String prefix = pipelined ? "tag" + (i + 1) + " " : "";
      String status = cmd.reply == null ? "\"\"" : status(cmd.reply);
      boolean inline = !pipelined && !status.contains(" ");
      out.append(prefix).append(inline ? status + " " : "").append(command(cmd)).append('\n');
    }
    for (Frame f : untagged) {
      out.append("* ").append(response(f, 2)).append('\n');
    }
    for (int i = 0; i < commands.size(); i++) {
      Command cmd = commands.get(i);
      String status = cmd.reply == null ? "\"\"" : status(cmd.reply);
      if (pipelined) {
        out.append("tag").append(i + 1).append(' ').append(status).append('\n');
      } else if (status.contains(" ")) {
        out.append(status).append('\n');
      }
    }
    out.append('\n');
  }

  /** Why a command cannot be replayed by ImapTest, or null. */
  private static String unscriptable(Command cmd) {
    String verb = cmd.verb();
    if (cmd.rest.isEmpty()) {
      return "a line that is not a command";
    }
    if (verb.equals("IDLE") && cmd.continued) {
      return "IDLE (ImapTest scripts have no DONE)";
    }
    if (verb.equals("STARTTLS") || verb.equals("COMPRESS")) {
      return verb + " (changes the connection under ImapTest)";
    }
    if (!verb.equals("LOGIN")
        && !verb.equals("AUTHENTICATE")
        && parts(cmd.frame, 0, false) == null) {
      return "a literal ImapTest cannot write";
    }
    return null;
  }

  private static String command(Command cmd) {
    return switch (cmd.verb()) {
      case "LOGIN", "AUTHENTICATE" -> "login $user $password";
      default -> parts(cmd.frame, cmd.tag.length() + 1, false);
    };
  }

  /** A tagged reply as ImapTest matches it: the status and its response code, if any. */
  private static String status(Frame reply) {
    String line = stripCrlf(reply.text());
    int sp = line.indexOf(' ');
    String rest = sp < 0 ? "" : line.substring(sp + 1);
    int textAt = ScriptVariance.statusTextStart(line);
    String keep = textAt < 0 ? rest : line.substring(sp + 1, textAt);
    String[] words = keep.split(" ", 2);
    String keyword = words[0].toLowerCase(Locale.ROOT);
    return words.length > 1 ? keyword + " " + variance(escape(words[1])) : keyword;
  }

  /** An untagged response after {@code "* "}: status responses cut to their code. */
  private static String response(Frame f, int skip) {
    String line = stripCrlf(f.parts().get(0).text());
    int textAt = ScriptVariance.statusTextStart(line);
    if (textAt >= 0 && f.parts().size() == 1) {
      String[] words = line.substring(skip, textAt).split(" ", 2);
      String keyword = words[0].toLowerCase(Locale.ROOT);
      return words.length > 1 ? keyword + " " + variance(escape(words[1])) : keyword;
    }
    String rendered = parts(f, skip, false);
    return variance(rendered != null ? rendered : parts(f, skip, true));
  }

  /**
   * The frame from {@code skip} on with its literals in {@code {{{ ... }}}} form; null when a
   * literal has bare CR or LF, or a line starting with three closing braces, which the form cannot
   * carry (or, with {@code wildcard}, {@code $} in place of such a literal).
   */
  private static String parts(Frame f, int skip, boolean wildcard) {
    StringBuilder sb = new StringBuilder();
    List<Part> parts = f.parts();
    for (int i = 0; i < parts.size(); i++) {
      Part p = parts.get(i);
      if (!p.literal()) {
        String text =
            stripCrlf(i == 0 ? p.text().substring(Math.min(skip, p.text().length())) : p.text());
        sb.append(escape(text));
        continue;
      }
      Matcher m = LITERAL_AT_END.matcher(sb);
      String content = p.text();
      String bare = content.replace("\r\n", "");
      if (!m.find()) {
        return null;
      }
      sb.setLength(m.start());
      if (bare.indexOf('\r') >= 0
          || bare.indexOf('\n') >= 0
          || content.contains("\r\n}}}")
          || content.startsWith("}}}")) {
        if (!wildcard) {
          return null;
        }
        sb.append('$');
        continue;
      }
      sb.append("{{{\n")
          .append(escape(String.join("\n", content.split("\r\n", -1))))
          .append("\n}}}");
    }
    return sb.toString();
  }

  private void comment(String why, List<Frame> frames) {
    out.append("# not replayed: ").append(why).append('\n');
    for (Frame f : frames) {
      for (String line : stripCrlf(f.text()).split("\r\n", -1)) {
        out.append("#   ").append(f.fromClient() ? "C: " : "S: ").append(line).append('\n');
      }
    }
  }

  /** Varying values as {@code $} (ImapTest's match-anything variable). */
  private static String variance(String escaped) {
    StringBuilder sb = new StringBuilder();
    for (ScriptVariance.Segment s : ScriptVariance.split(escaped)) {
      sb.append(s.varies() ? "$" : s.text());
    }
    return sb.toString();
  }

  /** ImapTest expands {@code $name}; {@code $$} is a literal dollar. */
  private static String escape(String text) {
    return text.replace("$", "$$");
  }

  private static String stripCrlf(String s) {
    return s.endsWith("\r\n") ? s.substring(0, s.length() - 2) : s;
  }
}
