package dev.quirkproxy.bench;

import static dev.quirkproxy.bench.Inputs.ascii;

import dev.quirkproxy.codec.Literal;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.flow.Verdict;
import dev.quirkproxy.rules.RuleEngine;
import dev.quirkproxy.rules.RuleLoader;
import dev.quirkproxy.rules.RuleSet;
import dev.quirkproxy.session.ClientIdentity;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.Limits;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The rule engine as the relay drives it, with a real {@link ImapSession} (logged in, INBOX
 * selected, identified as Thunderbird 115): a client part goes through the engine, then to the
 * session tracker if forwarded; a server part goes to the tracker first, then the engine. One
 * operation is one frame; {@code rules=0} is the tracker alone, so the difference is the engine.
 *
 * <p>The 100 rules are a realistic mix, almost none matching these frames: commands by name (some
 * with a client family), responses by name, kind, status or code, client family/version/confidence
 * conditions, regexes on the first line (both directions), state, mailbox and capability
 * conditions, one whole-text regex on FETCH responses, and five rules that match every UID FETCH
 * command or its answer but whose {@code replace} changes nothing.
 *
 * <ul>
 *   <li>{@code clientCommand}: one of six single-line commands (UID FETCH FLAGS, NOOP, UID FETCH
 *       headers, UID STORE, STATUS, UID SEARCH), in turn.
 *   <li>{@code serverUntaggedFetch}: {@code * 4018 FETCH (UID 4018 FLAGS (\Seen))}.
 *   <li>{@code serverTaggedOk}: {@code a100 OK Fetch completed (0.001 + 0.000 secs).}
 *   <li>{@code serverFetchLiteral}: {@code * 4018 FETCH (UID 4018 FLAGS (\Seen) BODY[] {65536}}, 64
 *       KiB in four 16 KiB chunks, {@code )} — six parts per operation.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RuleEngineBench {

  private static final String[] FAMILIES = {
    "outlook",
    "ios-mail",
    "apple-mail-macos",
    "k9",
    "aosp-email",
    "evolution",
    "geary",
    "mutt",
    "alpine",
    "roundcube"
  };
  private static final String[] CLIENT_COMMANDS = {
    "XLIST", "GETQUOTAROOT", "MOVE", "UID MOVE", "COPY", "UID COPY", "APPEND", "EXPUNGE",
    "UID EXPUNGE", "CREATE", "DELETE", "RENAME", "SUBSCRIBE", "NAMESPACE", "COMPRESS", "ENABLE",
    "ID", "AUTHENTICATE", "LOGIN", "GETACL", "MYRIGHTS", "SETMETADATA", "GETMETADATA", "UNSELECT",
    "CLOSE"
  };
  private static final String[] RESPONSES = {
    "EXISTS",
    "EXPUNGE",
    "VANISHED",
    "CAPABILITY",
    "LIST",
    "LSUB",
    "STATUS",
    "NAMESPACE",
    "ESEARCH",
    "QUOTA",
    "QUOTAROOT",
    "METADATA",
    "ENABLED",
    "ID",
    "BYE",
    "RECENT",
    "FLAGS"
  };
  private static final String[] COMMAND_LINES = {
    "a100 UID fetch 4001:* (FLAGS)",
    "a101 noop",
    "a102 UID fetch 4017:4020 (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Bcc"
        + " Subject Date Message-ID Priority X-Priority References Newsgroups In-Reply-To"
        + " Content-Type Reply-To)])",
    "a103 uid store 4018 +FLAGS (\\Seen)",
    "a104 STATUS \"Sent\" (UIDNEXT MESSAGES UNSEEN RECENT)",
    "a105 UID search UNSEEN",
  };

  @Param({"0", "100"})
  public int rules;

  private RuleEngine engine;
  private ImapSession session;
  private byte[][] commands;
  private byte[] untagged;
  private byte[] tagged;
  private byte[] literalHead;
  private byte[] literalChunk;
  private byte[] literalTail;
  private int next;

  @Setup(Level.Trial)
  public void setup() {
    RuleLoader.Result loaded = RuleLoader.load("bench-rules.json", rulesJson(rules));
    if (!loaded.ok()) {
      throw new IllegalStateException(loaded.errors().toString());
    }
    RuleSet set = loaded.rules();
    if (set.rules().size() != rules) {
      throw new IllegalStateException("loaded " + set.rules().size() + " rules");
    }
    engine = new RuleEngine(() -> set);
    session = new ImapSession(new InetSocketAddress("127.0.0.1", 50000), Limits.defaults());
    server(
        "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN]"
            + " Dovecot ready.");
    client("a1 LOGIN bob secret");
    server(
        "a1 OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT THREAD=REFS"
            + " MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1"
            + " CONDSTORE QRESYNC ESEARCH SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE"
            + " SPECIAL-USE] Logged in");
    client("a2 select \"INBOX\"");
    server("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)");
    server("* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] ok");
    server("* 5000 EXISTS");
    server("* OK [UIDVALIDITY 1740996902] UIDs valid");
    server("* OK [UIDNEXT 5001] Predicted next UID");
    server("a2 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).");
    session.identify(new ClientIdentity("thunderbird", "115.2.2", 0.93, false));
    // The UID FETCH the responses below answer stays pending, as during a long fetch.
    client("a100 UID fetch 4001:* (FLAGS)");

    commands = new byte[COMMAND_LINES.length][];
    for (int i = 0; i < commands.length; i++) {
      commands[i] = ascii(COMMAND_LINES[i] + "\r\n");
    }
    untagged = ascii("* 4018 FETCH (UID 4018 FLAGS (\\Seen))\r\n");
    tagged = ascii("a100 OK Fetch completed (0.001 + 0.000 secs).\r\n");
    literalHead = ascii("* 4018 FETCH (UID 4018 FLAGS (\\Seen) BODY[] {65536}\r\n");
    literalChunk = Inputs.message(16384, 7);
    literalTail = ascii(")\r\n");

    // Check once what the engine says, and that every buffer is released again.
    List<WirePart> probe = new ArrayList<>();
    StringBuilder says = new StringBuilder();
    for (int i = 0; i < commands.length; i++) {
      WirePart p = line(commands[i], null);
      probe.add(p.retain());
      says.append(kind(clientPart(p))).append(' ');
    }
    WirePart u = line(untagged, null);
    probe.add(u.retain());
    says.append("| untagged ").append(kind(serverPart(u)));
    WirePart t = line(tagged, null);
    probe.add(t.retain());
    says.append(" | tagged ").append(kind(serverPart(t)));
    says.append(" | literal frame");
    for (WirePart p : literalFrame()) {
      probe.add(p.retain());
      says.append(' ').append(kind(serverPart(p)));
    }
    for (WirePart p : probe) {
      if (!p.release() || p.refCnt() != 0) {
        throw new IllegalStateException("leaked a buffer: " + p);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%n[rules=%d] verdicts: %s; session state %s, mailbox %s%n",
        rules,
        says,
        session.state(),
        session.selectedMailbox());
  }

  /** One client part as the relay handles it; returns the verdict's kind. */
  private Verdict clientPart(WirePart part) {
    try {
      Verdict v = engine.onClient(session, part);
      if (v instanceof Verdict.Forward) {
        session.clientSent(part);
      }
      release(v);
      return v;
    } finally {
      part.release();
    }
  }

  /** One server part as the relay handles it: the tracker first, then the engine. */
  private Verdict serverPart(WirePart part) {
    try {
      session.serverSent(part);
      Verdict v = engine.onServer(session, part);
      release(v);
      return v;
    } finally {
      part.release();
    }
  }

  /** Releases what a verdict holds (the relay would send it). */
  private static void release(Verdict v) {
    if (v instanceof Verdict.Emit e) {
      for (Verdict.Step s : e.steps()) {
        if (s instanceof Verdict.Send send) {
          send.part().release();
        } else if (s instanceof Verdict.Trickle tr) {
          tr.part().release();
        } else if (s instanceof Verdict.Reply r) {
          r.bytes().release();
        } else if (s instanceof Verdict.End end && end.lastWords() != null) {
          end.lastWords().release();
        }
      }
    } else if (v instanceof Verdict.Replace r) {
      r.bytes().release();
    } else if (v instanceof Verdict.Answer a) {
      a.reply().release();
    } else if (v instanceof Verdict.StartTls s) {
      s.reply().release();
    } else if (v instanceof Verdict.Close c && c.lastWords() != null) {
      c.lastWords().release();
    }
  }

  private static String kind(Verdict v) {
    return v instanceof Verdict.Emit e
        ? "Emit(" + e.steps().size() + " steps, " + e.hits().size() + " hits)"
        : v.getClass().getSimpleName();
  }

  private static WirePart line(byte[] bytes, Literal literal) {
    return WirePart.line(Unpooled.wrappedBuffer(bytes), true, literal == null, literal);
  }

  private List<WirePart> literalFrame() {
    List<WirePart> parts = new ArrayList<>(6);
    parts.add(
        WirePart.line(
            Unpooled.wrappedBuffer(literalHead), true, false, new Literal(65536, true, false)));
    for (int i = 0; i < 4; i++) {
      parts.add(WirePart.literalChunk(Unpooled.wrappedBuffer(literalChunk)));
    }
    parts.add(WirePart.line(Unpooled.wrappedBuffer(literalTail), false, true, null));
    return parts;
  }

  private void client(String text) {
    clientPart(line(ascii(text + "\r\n"), null));
  }

  private void server(String text) {
    serverPart(line(ascii(text + "\r\n"), null));
  }

  @Benchmark
  public Verdict clientCommand() {
    byte[] c = commands[next];
    next = next == commands.length - 1 ? 0 : next + 1;
    return clientPart(line(c, null));
  }

  @Benchmark
  public Verdict serverUntaggedFetch() {
    return serverPart(line(untagged, null));
  }

  @Benchmark
  public Verdict serverTaggedOk() {
    return serverPart(line(tagged, null));
  }

  @Benchmark
  public Verdict serverFetchLiteral() {
    Verdict last = null;
    for (WirePart p : literalFrame()) {
      last = serverPart(p);
    }
    return last;
  }

  // ---- the rules

  static String rulesJson(int n) {
    List<String> all = new ArrayList<>();
    // 25 commands by name; every other one only for some client family.
    for (int i = 0; i < 25; i++) {
      String when =
          "\"direction\": \"client\", \"command\": \""
              + CLIENT_COMMANDS[i]
              + "\""
              + (i % 2 == 0 ? ", \"client\": \"" + FAMILIES[i % FAMILIES.length] + "\"" : "");
      all.add(rule(when, action(i)));
    }
    // 17 responses by name, 4 by kind/status, 4 by response code.
    for (String r : RESPONSES) {
      all.add(rule("\"response\": \"" + r + "\"", action(all.size())));
    }
    all.add(rule("\"response\": {\"kind\": \"tagged\", \"status\": [\"NO\", \"BAD\"]}", action(1)));
    all.add(rule("\"response\": \"continuation\", \"command\": \"AUTHENTICATE\"", action(2)));
    all.add(rule("\"response\": {\"kind\": \"untagged\", \"status\": \"BYE\"}", action(3)));
    all.add(
        rule(
            "\"response\": {\"kind\": \"tagged\", \"status\": \"OK\"}, \"command\": [\"LOGIN\","
                + " \"AUTHENTICATE\"]",
            action(4)));
    for (String code : new String[] {"TRYCREATE", "OVERQUOTA", "ALREADYEXISTS", "UNAVAILABLE"}) {
      all.add(rule("\"code\": \"" + code + "\"", action(all.size())));
    }
    // 20 client identity conditions (families, versions, confidence), with a command or not.
    for (int i = 0; i < 20; i++) {
      String client =
          switch (i % 4) {
            case 0 -> "{\"family\": [\"" + FAMILIES[i % FAMILIES.length] + "\"]}";
            case 1 -> "{\"family\": \"thunderbird\", \"version\": \"<" + (60 + i) + "\"}";
            case 2 -> "{\"familyRegex\": \"(?i)" + FAMILIES[i % FAMILIES.length] + ".*\"}";
            default -> "{\"family\": \"thunderbird\", \"minConfidence\": 0.99}";
          };
      String when =
          "\"client\": "
              + client
              + (i % 2 == 0 ? ", \"command\": \"" + CLIENT_COMMANDS[i] + "\"" : "");
      all.add(rule(when, action(i)));
    }
    // 19 regexes on the first line: 8 commands, 8 responses, 3 either way.
    String[] clientRe = {
      "(?i)^\\\\S+ (UID )?MOVE ",
      "(?i)^\\\\S+ APPEND \\\"?Drafts",
      "(?i)^\\\\S+ ID \\\\(",
      "(?i)^\\\\S+ UID FETCH \\\\d+:\\\\* \\\\(.*X-GM-",
      "(?i)^\\\\S+ SELECT \\\"?Junk",
      "(?i)^\\\\S+ (UID )?EXPUNGE",
      "(?i)^\\\\S+ COMPRESS DEFLATE",
      "(?i)^\\\\S+ ENABLE QRESYNC"
    };
    for (String re : clientRe) {
      all.add(rule("\"direction\": \"client\", \"line\": \"" + re + "\"", action(all.size())));
    }
    String[] serverRe = {
      "^\\\\* \\\\d+ (EXPUNGE|VANISHED)",
      "^\\\\* \\\\d+ FETCH .*X-GM-LABELS",
      "^\\\\* OK \\\\[HIGHESTMODSEQ",
      "^\\\\* LIST \\\\(.*\\\\\\\\Junk",
      "^\\\\S+ NO \\\\[OVERQUOTA",
      "^\\\\* BYE ",
      "^\\\\* CAPABILITY .*COMPRESS=DEFLATE",
      "^\\\\* ESEARCH \\\\(TAG"
    };
    for (String re : serverRe) {
      all.add(rule("\"direction\": \"server\", \"line\": \"" + re + "\"", action(all.size())));
    }
    for (String re : new String[] {"(?i)x-spam", "(?i)\\\\bNOTIFY\\\\b", "(?i)\\\\bXAPPLE"}) {
      all.add(rule("\"line\": \"" + re + "\"", action(all.size())));
    }
    // 5 state, mailbox and capability conditions.
    all.add(
        rule(
            "\"state\": \"selected\", \"mailbox\": \"Junk\", \"command\": \"UID FETCH\"",
            action(5)));
    all.add(rule("\"capability\": \"NOTIFY\", \"command\": \"IDLE\"", action(6)));
    all.add(rule("\"state\": \"not-authenticated\", \"command\": \"STARTTLS\"", action(7)));
    all.add(
        rule(
            "\"mailbox\": {\"regex\": \"(?i)^(Sent|Drafts)$\"}, \"response\": \"FETCH\"",
            action(8)));
    all.add(
        rule("\"command\": {\"name\": \"UID STORE\", \"flags\": [\"\\\\Deleted\"]}", action(9)));
    // 1 whole-text regex on FETCH responses: such a frame is held until it is whole.
    all.add(
        rule(
            "\"response\": \"FETCH\", \"text\": \"(?m)^X-Spam-Flag: YES\"",
            "{\"type\": \"drop\"}"));
    // 5 that match UID FETCH (commands and their answers) but change nothing.
    for (int i = 0; i < 5; i++) {
      all.add(
          rule(
              "\"command\": \"UID FETCH\"",
              "{\"type\": \"replace\", \"pattern\": \"X-NEVER-THERE-"
                  + i
                  + "\", \"replacement\": \"x\"}"));
    }
    if (all.size() != 100) {
      throw new IllegalStateException(all.size() + " rules");
    }
    StringBuilder json = new StringBuilder("{\"version\": 1, \"rules\": [\n");
    for (int i = 0; i < n; i++) {
      String id = String.format(Locale.ROOT, "r%03d", i);
      json.append(all.get(i).replace("RULE_ID", id)).append(i < n - 1 ? ",\n" : "\n");
    }
    return json.append("]}").toString();
  }

  /** A rule with a placeholder for its id. */
  private static String rule(String when, String action) {
    return "{\"id\": \"RULE_ID\", \"when\": {" + when + "}, \"action\": " + action + "}";
  }

  private static String action(int i) {
    return switch (i % 5) {
      case 0 -> "{\"type\": \"delay\", \"ms\": 250}";
      case 1 -> "{\"type\": \"drop\"}";
      case 2 -> "{\"type\": \"inject\", \"after\": [\"* OK [ALERT] quirkproxy was here\"]}";
      case 3 -> "{\"type\": \"replace\", \"pattern\": \"\\\\\\\\Seen\", \"replacement\": \"\"}";
      default -> "{\"type\": \"duplicate\", \"times\": 2}";
    };
  }
}
