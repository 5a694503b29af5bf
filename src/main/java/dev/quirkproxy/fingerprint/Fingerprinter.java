package dev.quirkproxy.fingerprint;

import dev.quirkproxy.codec.imap.parse.CommandView;
import dev.quirkproxy.codec.imap.parse.FetchAtt;
import dev.quirkproxy.codec.imap.parse.FrameBytes;
import dev.quirkproxy.codec.imap.parse.IdParam;
import dev.quirkproxy.codec.imap.parse.ImapParser;
import dev.quirkproxy.codec.imap.parse.ParsedFrame;
import dev.quirkproxy.session.Protocol;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Watches one connection's lines and keeps the evidence about its client: RFC 2971 ID parameters,
 * the tag shape, verb casing, the opening commands, LIST and FETCH forms, POP3's command pattern.
 * {@link #fingerprint()} matches it against the {@link Catalog}; the answer changes as evidence
 * arrives. Not thread-safe: one instance per connection, fed from its event loop.
 *
 * <p>Cheap per line: the first {@value #FULL_COMMANDS} commands are examined (ID and FETCH with the
 * parser); after that only an ID command is looked for.
 */
public final class Fingerprinter {

  /** How many commands are examined in full. */
  static final int FULL_COMMANDS = 64;

  private static final int OPENING = 32;
  private static final int FETCH_FORMS = 4;
  private static final int LIST_FORMS = 4;
  private static final int STATUS_FORMS = 4;
  private static final Set<String> CASED_VERBS =
      Set.of(
          "CAPABILITY",
          "LOGIN",
          "SELECT",
          "EXAMINE",
          "LIST",
          "LSUB",
          "NAMESPACE",
          "NOOP",
          "LOGOUT",
          "CLOSE",
          "CHECK",
          "FETCH",
          "STORE",
          "EXPUNGE",
          "UID",
          "AUTHENTICATE",
          "COPY",
          "SEARCH",
          "XLIST",
          "GETACL",
          "MYRIGHTS",
          "GETQUOTAROOT",
          "SUBSCRIBE");
  private static final Set<String> POP3_VERBS =
      Set.of(
          "CAPA", "USER", "PASS", "APOP", "AUTH", "STLS", "STAT", "LIST", "UIDL", "TOP", "RETR",
          "DELE", "NOOP", "RSET", "QUIT", "XTND");

  private final Catalog catalog;
  private final ImapParser parser = new ImapParser();
  private Protocol protocol;

  private final List<String> tags = new ArrayList<>();
  private final Set<String> features = new HashSet<>();
  private final List<String> opening = new ArrayList<>();
  private final List<String> fetchForms = new ArrayList<>();
  private List<IdParam> id;
  private boolean idSeen;
  private String idLine;
  private int commands;
  private int lowerVerbs;
  private int upperVerbs;
  private boolean authenticated;
  private int afterAuth = -1;
  private int listForms;
  private int statusForms;
  private int searches;
  private boolean continuation;
  private long literal;
  private boolean restOfCommand;
  private boolean syncLiteral;
  private Fingerprint cached;

  /**
   * @param catalog the families to match
   * @param protocol IMAP or POP3, or null to tell from the first lines
   */
  public Fingerprinter(Catalog catalog, Protocol protocol) {
    this.catalog = catalog;
    this.protocol = protocol;
  }

  /** The protocol, or null while it cannot be told yet. */
  public Protocol protocol() {
    return protocol;
  }

  /** A line from the server, without its line ending (greetings and continuations matter). */
  public void server(String line) {
    if (protocol == null) {
      protocol =
          line.startsWith("+OK") || line.startsWith("-ERR")
              ? Protocol.POP3
              : line.startsWith("* ") ? Protocol.IMAP : null;
    }
    if (line.startsWith("+") && !line.startsWith("+OK")) {
      if (syncLiteral) {
        syncLiteral = false;
      } else if (literal <= 0) {
        continuation = true;
      }
    }
  }

  /**
   * The first line of a client frame whose literals arrive separately (from a framer or a capture),
   * without its line ending. Lines that are not a frame's first are not passed.
   */
  public void clientFrame(String firstLine) {
    client(firstLine);
    literal = 0;
  }

  /**
   * A line from the client in a plain transcript, without its line ending; literal octets announced
   * with {@code {n}} are expected as the following lines and skipped.
   */
  public void client(String line) {
    if (literal > 0) {
      literalData(line);
      return;
    }
    if (restOfCommand) {
      restOfCommand = false;
      announceLiteral(line);
      return;
    }
    if (continuation) {
      continuation = false;
      return;
    }
    if (protocol == null) {
      protocol = looksPop3(line) ? Protocol.POP3 : Protocol.IMAP;
    }
    if (protocol == Protocol.POP3) {
      pop3(line);
    } else {
      imap(line);
    }
  }

  private static boolean looksPop3(String line) {
    int sp = line.indexOf(' ');
    return POP3_VERBS.contains((sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT));
  }

  private void literalData(String line) {
    if (line.length() >= literal) {
      String rest = line.substring((int) literal);
      literal = 0;
      announceLiteral(rest);
    } else {
      literal -= line.length() + 2;
      if (literal <= 0) {
        // The literal took this line's end too: the next line is the rest of its command.
        literal = 0;
        restOfCommand = true;
      }
    }
  }

  private void announceLiteral(String line) {
    int n = line.length();
    if (n > 2 && line.charAt(n - 1) == '}') {
      int open = line.lastIndexOf('{');
      String num = open < 0 ? "" : line.substring(open + 1, n - 1).replace("+", "");
      if (!num.isEmpty() && num.length() < 12 && num.chars().allMatch(Character::isDigit)) {
        literal = Long.parseLong(num);
        syncLiteral = !line.substring(open, n).contains("+");
      }
    }
  }

  private void imap(String line) {
    if (line.isEmpty()) {
      features.add("blank-line");
      return;
    }
    int sp = line.indexOf(' ');
    if (sp <= 0 || line.equalsIgnoreCase("DONE")) {
      return;
    }
    String tag = line.substring(0, sp);
    int vEnd = line.indexOf(' ', sp + 1);
    String verb = line.substring(sp + 1, vEnd < 0 ? line.length() : vEnd);
    announceLiteral(line);
    commands++;
    if (commands > FULL_COMMANDS) {
      if (!idSeen && verb.equalsIgnoreCase("ID")) {
        changed();
        id(line);
      }
      return;
    }
    changed();
    if (tags.size() < TagShape.MAX_TAGS) {
      tags.add(tag);
    }
    if (tag.equalsIgnoreCase(verb)) {
      features.add("tag:verb");
    }
    casing(verb);
    String upper = verb.toUpperCase(Locale.ROOT);
    String key = upper;
    String rest = vEnd < 0 ? "" : line.substring(vEnd + 1);
    if (upper.equals("UID") && !rest.isEmpty()) {
      int e = rest.indexOf(' ');
      String sub = e < 0 ? rest : rest.substring(0, e);
      if (upper.equals(verb) && sub.equals(sub.toLowerCase(Locale.ROOT))) {
        features.add("verbs:mixed-uid");
      }
      key = "UID " + sub.toUpperCase(Locale.ROOT);
      upper = sub.toUpperCase(Locale.ROOT);
    }
    common(key);
    switch (upper) {
      case "LOGIN" -> authenticated("LOGIN");
      case "AUTHENTICATE" -> authenticate(rest);
      case "ID" -> id(line);
      case "ENABLE" -> {
        for (String cap : rest.split(" ")) {
          features.add("enable:" + cap.toUpperCase(Locale.ROOT));
        }
      }
      case "LIST", "LSUB", "XLIST" -> list(line.substring(sp + 1));
      case "STATUS" -> status(rest);
      case "SELECT", "EXAMINE" -> select(rest);
      case "FETCH" -> fetch(line);
      case "SEARCH" -> {
        if (searches++ < 2) {
          String args = key.startsWith("UID ") ? rest.substring(rest.indexOf(' ') + 1) : rest;
          features.add("search:" + args.toUpperCase(Locale.ROOT));
        }
      }
      default -> {}
    }
  }

  private void common(String key) {
    if (commands == 1) {
      features.add("first:" + key);
    }
    features.add("cmd:" + key);
    if (opening.size() < OPENING) {
      opening.add(key);
    }
    if (afterAuth == 0) {
      features.add("after-auth:" + key);
    }
    if (authenticated) {
      afterAuth++;
    }
  }

  private void casing(String verb) {
    String u = verb.toUpperCase(Locale.ROOT);
    if (!CASED_VERBS.contains(u)) {
      return;
    }
    if (verb.equals(u)) {
      upperVerbs++;
    } else if (verb.equals(verb.toLowerCase(Locale.ROOT))) {
      lowerVerbs++;
    }
  }

  private void authenticated(String how) {
    features.add("auth:" + how);
    authenticated = true;
    afterAuth = 0;
  }

  private void authenticate(String rest) {
    String[] w = rest.split(" ");
    authenticated(w[0].toUpperCase(Locale.ROOT));
    features.add(w.length > 1 ? "auth:sasl-ir" : "auth:no-sasl-ir");
  }

  private void id(String line) {
    idSeen = true;
    idLine = line;
    features.add(authenticated ? "id:post-auth" : "id:pre-auth");
    ParsedFrame f =
        parser.command(FrameBytes.of((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1)));
    if (f instanceof ParsedFrame.Command c && c.view() instanceof CommandView.Id v) {
      id = v.params();
      if (id == null) {
        features.add("id:nil");
      } else {
        for (IdParam p : id) {
          features.add("id:" + p.field().toLowerCase(Locale.ROOT));
        }
      }
    } else {
      features.add("id:unparsed");
    }
  }

  private void list(String command) {
    if (listForms++ >= LIST_FORMS) {
      return;
    }
    String norm = command.toUpperCase(Locale.ROOT);
    features.add("list:" + norm);
    if (norm.contains("RETURN (SPECIAL-USE)")) {
      features.add("list:return-special-use");
    }
    if (norm.startsWith("LIST (SPECIAL-USE)")) {
      features.add("list:selection-special-use");
    }
    if (norm.startsWith("LIST (SUBSCRIBED)")) {
      features.add("list:selection-subscribed");
    }
  }

  /** A STATUS command's item list, upper-cased: {@code status:MESSAGES UIDNEXT UIDVALIDITY}. */
  private void status(String rest) {
    int open = rest.lastIndexOf('(');
    int close = rest.lastIndexOf(')');
    if (open < 0 || close < open || statusForms++ >= STATUS_FORMS) {
      return;
    }
    String items = rest.substring(open + 1, close).trim().replaceAll(" +", " ");
    features.add("status:" + items.toUpperCase(Locale.ROOT));
  }

  private void select(String rest) {
    features.add(rest.startsWith("\"") ? "select:quoted" : "select:unquoted");
    if (rest.toUpperCase(Locale.ROOT).contains("(CONDSTORE)")) {
      features.add("select:condstore");
    }
  }

  private void fetch(String line) {
    if (fetchForms.size() >= FETCH_FORMS) {
      return;
    }
    ParsedFrame f =
        parser.command(FrameBytes.of((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1)));
    if (!(f instanceof ParsedFrame.Command c && c.view() instanceof CommandView.Fetch v)) {
      return;
    }
    StringBuilder form = new StringBuilder();
    for (FetchAtt a : v.items()) {
      String item = a.name();
      if (a.section() != null) {
        item += "[" + section(a.section()) + "]";
        for (String h : a.section().headerFields()) {
          features.add("fetch-header:" + h.toLowerCase(Locale.ROOT));
        }
      }
      if (a.partial() != null) {
        item += "<>";
        features.add("fetch-item:partial");
      }
      features.add("fetch-item:" + item);
      form.append(form.length() == 0 ? "" : " ").append(item);
    }
    fetchForms.add(form.toString());
    features.add("fetch:" + form);
  }

  /** A section without its header-field list: {@code 1}, {@code HEADER.FIELDS}, {@code 2.MIME}. */
  private static String section(FetchAtt.Section s) {
    StringBuilder sb = new StringBuilder();
    for (int p : s.part()) {
      sb.append(sb.length() == 0 ? "" : ".").append(p);
    }
    if (!s.specifier().isEmpty()) {
      sb.append(sb.length() == 0 ? "" : ".").append(s.specifier());
    }
    return sb.toString();
  }

  private void pop3(String line) {
    int sp = line.indexOf(' ');
    String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
    String rest = sp < 0 ? "" : line.substring(sp + 1).trim();
    if (verb.isEmpty()) {
      return;
    }
    commands++;
    if (commands > FULL_COMMANDS) {
      return;
    }
    changed();
    common(verb);
    switch (verb) {
      case "USER" -> features.add("auth:USER");
      case "PASS" -> authenticated("PASS");
      case "APOP" -> authenticated("APOP");
      case "AUTH" -> {
        if (!rest.isEmpty()) {
          authenticate(rest);
        }
      }
      case "UIDL" -> {
        if (!rest.isEmpty()) {
          features.add("uidl-arg");
        }
      }
      default -> {}
    }
  }

  private void changed() {
    cached = null;
  }

  /** The answer from the evidence so far. */
  public Fingerprint fingerprint() {
    if (cached == null) {
      cached = Scorer.score(catalog, observations());
    }
    return cached;
  }

  /** A snapshot of the evidence. */
  Observations observations() {
    Set<String> f = new HashSet<>(features);
    if (lowerVerbs > 0 && lowerVerbs >= upperVerbs) {
      f.add("verbs:lower");
    } else if (upperVerbs > 0) {
      f.add("verbs:upper");
    }
    if (!idSeen && authenticated && afterAuth >= 3) {
      f.add("id:absent");
    }
    TagShape shape = protocol == Protocol.POP3 ? TagShape.none() : TagShape.infer(tags);
    List<Evidence> seen = new ArrayList<>();
    if (shape.kind() != TagShape.Kind.NONE) {
      seen.add(new Evidence("tag", shape.describe(), 0));
    }
    if (idSeen) {
      seen.add(new Evidence("id", idLine, 0));
    }
    if (lowerVerbs + upperVerbs > 0) {
      seen.add(
          new Evidence(
              "verbs", lowerVerbs + " lower-case, " + upperVerbs + " upper-case verbs", 0));
    }
    if (!opening.isEmpty()) {
      seen.add(
          new Evidence(
              "order", String.join(" > ", opening.subList(0, Math.min(12, opening.size()))), 0));
    }
    for (String form : fetchForms) {
      seen.add(new Evidence("fetch", "(" + form + ")", 0));
    }
    return new Observations(protocol, shape, idSeen ? id : null, idSeen, f, opening, seen);
  }

  /**
   * The evidence at one moment.
   *
   * @param protocol IMAP or POP3 (null when nothing was seen)
   * @param tags the tag shape
   * @param id the ID parameters (null for none or NIL)
   * @param idSeen whether an ID command was seen
   * @param features the feature names present
   * @param opening the first commands' names, in order
   * @param seen the observations in words
   */
  record Observations(
      Protocol protocol,
      TagShape tags,
      List<IdParam> id,
      boolean idSeen,
      Set<String> features,
      List<String> opening,
      List<Evidence> seen) {
    Observations {
      opening = List.copyOf(opening);
      seen = List.copyOf(seen);
    }
  }
}
