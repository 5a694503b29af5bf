package dev.quirkproxy.session;

import dev.quirkproxy.codec.Literal;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.codec.imap.ImapFramingContext;
import dev.quirkproxy.codec.imap.ImapSyntax;
import dev.quirkproxy.codec.imap.ImapSyntax.CommandStart;
import dev.quirkproxy.codec.imap.ImapSyntax.ResponseStart;
import dev.quirkproxy.codec.imap.parse.CommandView;
import dev.quirkproxy.codec.imap.parse.FrameBytes;
import dev.quirkproxy.codec.imap.parse.ImapParser;
import dev.quirkproxy.codec.imap.parse.MsgAtt;
import dev.quirkproxy.codec.imap.parse.Node;
import dev.quirkproxy.codec.imap.parse.ParsedFrame;
import dev.quirkproxy.codec.imap.parse.ResponseCode;
import dev.quirkproxy.codec.imap.parse.ResponseData;
import dev.quirkproxy.codec.imap.parse.SearchKey;
import dev.quirkproxy.codec.imap.parse.SequenceSet;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tracks an IMAP connection (RFC 9051 §3, §5.5, §7.5) passively from the traffic both ways: the
 * state, the tag → pending command table, the exchanges during which client lines are not commands
 * (synchronizing literals, AUTHENTICATE's SASL lines, IDLE until DONE), the upstream's capabilities
 * before and after login, what ENABLE turned on (RFC 5161), and the selected mailbox as a {@link
 * MailboxView}.
 *
 * <p>Only the frames that change what is tracked are parsed (SELECT, EXAMINE, ENABLE, SEARCH;
 * CAPABILITY, ENABLED, FLAGS, FETCH, VANISHED, SEARCH, ESEARCH and response codes), and a FETCH's
 * large literals are never copied. Credentials are never parsed. A frame that does not parse is
 * relayed as it is, counted in {@link #unparsedFrames()} and logged at debug.
 */
public final class ImapSession extends Session {

  /** Where a synchronizing literal announced by the client stands. */
  public enum SyncLiteral {
    NONE,
    PENDING,
    ACCEPTED,
    REFUSED
  }

  private static final Logger log = LoggerFactory.getLogger(ImapSession.class);
  private static final ImapParser PARSER = new ImapParser();

  private final Map<String, PendingCommand> pending = new LinkedHashMap<>();
  private ImapState state = ImapState.NOT_AUTHENTICATED;
  private final FrameCollector clientFrame = new FrameCollector();
  private final FrameCollector serverFrame = new FrameCollector();
  private String collectingTag;
  private MailboxView mailbox;
  private MailboxView selecting;
  private List<String> capabilitiesBeforeAuth;
  private List<String> capabilitiesAfterAuth;
  private List<String> capabilitiesDuringLogin;
  private final Set<String> enabled = new LinkedHashSet<>();
  private long unparsedFrames;
  private PendingCommand completed;
  private boolean greeted;
  private String frameTag;
  private SyncLiteral syncLiteral = SyncLiteral.NONE;
  private String syncLiteralTag;
  private String authenticateTag;
  private boolean saslLineExpected;
  private String idleTag;

  public ImapSession(SocketAddress clientAddress, Limits limits) {
    super(clientAddress, limits);
  }

  @Override
  public Protocol protocol() {
    return Protocol.IMAP;
  }

  public ImapState state() {
    return state;
  }

  /**
   * The mailbox named by the last successful SELECT/EXAMINE while selected, decoded from modified
   * UTF-7, else null.
   */
  public String selectedMailbox() {
    MailboxView view = mailbox();
    return view == null ? null : view.decodedName();
  }

  /** The selected mailbox as the traffic has shown it, or null when none is selected. */
  public MailboxView mailbox() {
    return state == ImapState.SELECTED ? mailbox : null;
  }

  /**
   * The upstream's capabilities as last announced before login (greeting, CAPABILITY, or a {@code
   * [CAPABILITY]} code), or null when none was seen. Forgotten when the client starts TLS.
   */
  public List<String> capabilitiesBeforeAuth() {
    return capabilitiesBeforeAuth;
  }

  /** The upstream's capabilities as announced after login, or null when none was seen yet. */
  public List<String> capabilitiesAfterAuth() {
    return capabilitiesAfterAuth;
  }

  /** The capabilities that apply now: after login the later list when seen, else the earlier. */
  public List<String> capabilities() {
    List<String> after = authenticated() ? capabilitiesAfterAuth : null;
    return after != null
        ? after
        : capabilitiesBeforeAuth == null ? List.of() : capabilitiesBeforeAuth;
  }

  /** True when the upstream announced {@code capability} (case-insensitive) in what applies now. */
  public boolean hasCapability(String capability) {
    for (String c : capabilities()) {
      if (c.equalsIgnoreCase(capability)) {
        return true;
      }
    }
    return false;
  }

  /** What the server confirmed ENABLEd ({@code * ENABLED}), upper-case, in order. */
  public Set<String> enabled() {
    return Collections.unmodifiableSet(enabled);
  }

  /**
   * The command the last tagged response completed (it is no longer {@link #pending()}), or null;
   * lets whoever looks at that response after the tracker tell what it answers.
   */
  public PendingCommand completed() {
    return completed;
  }

  /** How many frames the tracker wanted to read and could not parse (they were relayed as is). */
  public long unparsedFrames() {
    return unparsedFrames;
  }

  @Override
  public void clientTlsStarted() {
    super.clientTlsStarted();
    // RFC 9051 §6.2.1: what was announced before TLS no longer holds.
    capabilitiesBeforeAuth = null;
  }

  /** Commands forwarded and not yet completed, in the order sent. */
  public Map<String, PendingCommand> pending() {
    return Collections.unmodifiableMap(pending);
  }

  public SyncLiteral syncLiteral() {
    return syncLiteral;
  }

  /** True when the next client line answers an AUTHENTICATE challenge (SASL data, or "*"). */
  public boolean expectsSaslLine() {
    return saslLineExpected;
  }

  /** True while the client is in IDLE (RFC 2177) and the server has accepted it. */
  public boolean idling() {
    return idleTag != null;
  }

  @Override
  public boolean authenticated() {
    return state == ImapState.AUTHENTICATED || state == ImapState.SELECTED;
  }

  @Override
  public boolean ending() {
    return state == ImapState.LOGOUT;
  }

  /** The proxy itself refused the synchronizing literal just announced (e.g. it is too big). */
  public void refuseSyncLiteral() {
    syncLiteral = SyncLiteral.REFUSED;
  }

  /** What the client-side framer needs: limits by state, and the fate of a sync literal. */
  public ImapFramingContext clientFraming() {
    return new ImapFramingContext() {
      @Override
      public int maxLineLength() {
        return limits().maxLineLength();
      }

      @Override
      public long maxLiteralSize() {
        return authenticated() ? limits().maxLiteralSize() : limits().maxLiteralSizeBeforeAuth();
      }

      @Override
      public boolean literalRefused() {
        return syncLiteral == SyncLiteral.REFUSED;
      }
    };
  }

  /** What the server-side framer needs. */
  public ImapFramingContext serverFraming() {
    return new ImapFramingContext() {
      @Override
      public int maxLineLength() {
        return limits().maxServerLineLength();
      }

      @Override
      public long maxLiteralSize() {
        return limits().maxServerLiteralSize();
      }

      @Override
      public boolean literalRefused() {
        return false;
      }
    };
  }

  /** The largest synchronizing literal the client may send now. */
  public long maxClientLiteral() {
    return clientFraming().maxLiteralSize();
  }

  @Override
  public void clientSent(WirePart part) {
    if (part.isLine() && part.frameStart()) {
      collectingTag = null;
      clientFrame.start();
      clientFrameStarts(part.text());
      if (collectingTag == null) {
        clientFrame.stop();
      }
    }
    if (clientFrame.active()) {
      FrameBytes frame = clientFrame.add(part);
      if (frame != null) {
        commandParsed(collectingTag, frame);
      }
    }
    if (!part.isLine()) {
      return;
    }
    Literal literal = part.literal();
    if (literal != null && literal.synchronizing()) {
      syncLiteral = SyncLiteral.PENDING;
      syncLiteralTag = frameTag;
    }
  }

  private void clientFrameStarts(String line) {
    if (saslLineExpected) {
      // RFC 9051 §6.2.2: a line answering a "+" challenge is SASL data (or "*" to cancel).
      saslLineExpected = false;
      frameTag = authenticateTag;
      return;
    }
    if (idleTag != null && line.equalsIgnoreCase("DONE")) {
      frameTag = idleTag;
      return;
    }
    CommandStart command = ImapSyntax.commandStart(line);
    if (command == null) {
      // An empty line (some iOS versions send one) or garbage: the server will say what it thinks.
      frameTag = null;
      return;
    }
    frameTag = command.tag();
    pending.put(
        command.tag(),
        new PendingCommand(command.tag(), command.uid(), command.name(), System.nanoTime()));
    switch (command.name()) {
      case "AUTHENTICATE" -> authenticateTag = command.tag();
      case "SELECT", "EXAMINE" -> {
        collectingTag = command.tag();
        // Named as sent until the whole command is parsed (a literal name comes later).
        String name = mailboxArgument(command.arguments());
        selecting = new MailboxView(name, name, command.name().equals("EXAMINE"));
      }
      case "ENABLE", "SEARCH" -> collectingTag = command.tag();
      default -> {}
    }
  }

  private static String mailboxArgument(String arguments) {
    String a = arguments.strip();
    if (a.startsWith("\"")) {
      int end = a.indexOf('"', 1);
      return end > 0 ? a.substring(1, end) : a.substring(1);
    }
    int sp = a.indexOf(' ');
    return sp < 0 ? a : a.substring(0, sp);
  }

  /** A command the tracker reads has arrived whole (literals included). */
  private void commandParsed(String tag, FrameBytes frame) {
    PendingCommand command = pending.get(tag);
    if (command == null) {
      return;
    }
    ParsedFrame parsed = PARSER.command(frame);
    if (!(parsed instanceof ParsedFrame.Command c)) {
      unparsed("command " + command.name(), parsed);
      return;
    }
    pending.put(tag, command.withView(c.view()));
    if (c.view() instanceof CommandView.Select select) {
      // RFC 9051 §6.3.2: from now on, untagged data describe the mailbox being selected.
      selecting =
          new MailboxView(select.mailbox().name(), select.mailbox().decoded(), select.examine());
    }
  }

  private void unparsed(String what, ParsedFrame parsed) {
    unparsedFrames++;
    if (parsed instanceof ParsedFrame.Unparsed u && log.isDebugEnabled()) {
      log.debug("could not parse {}: {} at octet {}", what, u.reason(), u.position());
    }
  }

  @Override
  public void serverSent(WirePart part) {
    if (part.isLine() && part.frameStart()) {
      String line = part.text();
      ResponseStart response = ImapSyntax.responseStart(line);
      switch (response.kind()) {
        case CONTINUATION -> continuation();
        case UNTAGGED -> untagged(response, line);
        case TAGGED -> {}
        default -> throw new IllegalStateException(response.kind().name());
      }
      if (response.kind() != ResponseStart.Kind.CONTINUATION && worthParsing(response, line)) {
        serverFrame.start();
      } else {
        serverFrame.stop();
      }
      FrameBytes frame = serverFrame.active() ? serverFrame.add(part) : null;
      if (frame != null) {
        responseParsed(frame);
      }
      if (response.kind() == ResponseStart.Kind.TAGGED) {
        tagged(response);
      }
      return;
    }
    if (serverFrame.active()) {
      FrameBytes frame = serverFrame.add(part);
      if (frame != null) {
        responseParsed(frame);
      } else if (part.frameEnd() && serverFrame.gaveUp()) {
        unparsedFrames++;
        log.debug("server frame too large to track; relayed untracked");
      }
    }
  }

  /** Untagged data that change what is tracked, and any status with a response code. */
  private boolean worthParsing(ResponseStart response, String line) {
    String name = response.status();
    if (name == null) {
      return false;
    }
    if (!name.isEmpty() && Character.isDigit(name.charAt(0))) {
      String what = ImapSyntax.atom(line, line.indexOf(' ', 2) + 1).toUpperCase(Locale.ROOT);
      return what.equals("FETCH");
    }
    return switch (name) {
      case "CAPABILITY", "ENABLED", "FLAGS", "VANISHED", "SEARCH", "ESEARCH" ->
          response.kind() == ResponseStart.Kind.UNTAGGED;
      case "OK", "NO", "BAD", "PREAUTH", "BYE" -> line.indexOf('[') > 0;
      default -> false;
    };
  }

  /** The mailbox untagged data describe: the one being selected, else the selected one. */
  private MailboxView target() {
    return selecting != null ? selecting : state == ImapState.SELECTED ? mailbox : null;
  }

  private void responseParsed(FrameBytes frame) {
    ParsedFrame parsed = PARSER.response(frame);
    if (parsed instanceof ParsedFrame.Status st) {
      if (st.code() != null) {
        responseCode(st);
      }
    } else if (parsed instanceof ParsedFrame.Data d) {
      data(d.view());
    } else {
      unparsed("response", parsed);
    }
  }

  private void responseCode(ParsedFrame.Status st) {
    ResponseCode code = st.code();
    MailboxView view = target();
    switch (code.name().toUpperCase(Locale.ROOT)) {
      case "CAPABILITY" -> {
        PendingCommand completes = st.tagged() ? pending.get(st.tag()) : null;
        boolean login =
            completes != null
                && st.status().equalsIgnoreCase("OK")
                && (completes.name().equals("LOGIN") || completes.name().equals("AUTHENTICATE"));
        capabilities(code.capabilities(), login || st.status().equalsIgnoreCase("PREAUTH"));
      }
      case "UIDVALIDITY" -> {
        if (view != null && code.number() != null) {
          view.uidValidity(code.number());
        }
      }
      case "UIDNEXT" -> {
        if (view != null && code.number() != null) {
          view.uidNext(code.number());
        }
      }
      case "HIGHESTMODSEQ" -> {
        if (view != null && code.number() != null) {
          view.highestModSeq(code.number());
        }
      }
      case "PERMANENTFLAGS" -> {
        if (view != null) {
          view.permanentFlags(code.flags());
        }
      }
      case "READ-ONLY", "READ-WRITE" -> {
        if (view != null) {
          view.readOnly(code.name().equalsIgnoreCase("READ-ONLY"));
        }
      }
      default -> {}
    }
  }

  private void capabilities(List<String> list, boolean afterLogin) {
    if (afterLogin || authenticated()) {
      capabilitiesAfterAuth = List.copyOf(list);
    } else if (loginPending()) {
      // Sent while answering LOGIN/AUTHENTICATE (Dovecot does): the list after login, if the
      // login succeeds.
      capabilitiesDuringLogin = List.copyOf(list);
    } else {
      capabilitiesBeforeAuth = List.copyOf(list);
    }
  }

  private boolean loginPending() {
    for (PendingCommand c : pending.values()) {
      if (c.name().equals("LOGIN") || c.name().equals("AUTHENTICATE")) {
        return true;
      }
    }
    return false;
  }

  private void data(ResponseData data) {
    MailboxView view = target();
    if (data instanceof ResponseData.Capability c) {
      capabilities(c.capabilities(), false);
    } else if (data instanceof ResponseData.Enabled e) {
      for (String cap : e.capabilities()) {
        enabled.add(cap.toUpperCase(Locale.ROOT));
      }
    } else if (view == null) {
      return;
    } else if (data instanceof ResponseData.Flags f) {
      view.mailboxFlags(f.flags());
    } else if (data instanceof ResponseData.Fetch f) {
      MsgAtt.Uid uid = f.item(MsgAtt.Uid.class);
      MsgAtt.Flags flags = f.item(MsgAtt.Flags.class);
      view.fetched(f.seq(), uid == null ? 0 : uid.uid(), flags == null ? null : flags.flags());
    } else if (data instanceof ResponseData.Vanished v && !v.earlier()) {
      for (SequenceSet.Range r : v.uids().ranges()) {
        view.vanished(Math.min(r.first(), r.last()), Math.max(r.first(), r.last()));
      }
    } else if (data instanceof ResponseData.Search s) {
      PendingCommand search = lastPending("SEARCH");
      if (search != null && search.uid() && searchesAll(search)) {
        view.allUids(s.numbers());
      }
    } else if (data instanceof ResponseData.Esearch e) {
      esearch(view, e);
    }
  }

  private void esearch(MailboxView view, ResponseData.Esearch e) {
    PendingCommand search = e.tag() == null ? null : pending.get(e.tag());
    Node all = e.get("ALL");
    if (search == null || !e.uid() || !searchesAll(search)) {
      return;
    }
    if (all == null) {
      // ESEARCH without ALL for "everything" means the mailbox is empty.
      return;
    }
    List<Long> uids = new ArrayList<>();
    String text = all instanceof Node.Atom a ? a.text() : all instanceof Node.Num n ? n.text() : "";
    try {
      for (SequenceSet.Range r : SequenceSet.parse(text).ranges()) {
        for (long u = Math.min(r.first(), r.last()); u <= Math.max(r.first(), r.last()); u++) {
          if (uids.size() > MailboxView.MAX_TRACKED) {
            return;
          }
          uids.add(u);
        }
      }
    } catch (IllegalArgumentException bad) {
      return;
    }
    view.allUids(uids);
  }

  /** A UID SEARCH whose answer is every message's UID: {@code ALL} or {@code 1:*}. */
  private static boolean searchesAll(PendingCommand search) {
    if (!(search.view() instanceof CommandView.Search s) || s.keys().size() != 1) {
      return false;
    }
    SearchKey key = s.keys().get(0);
    if ("ALL".equals(key.keyName())) {
      return true;
    }
    return key instanceof SearchKey.SeqSet set && set.set().text().equals("1:*");
  }

  private void continuation() {
    if (syncLiteral == SyncLiteral.PENDING) {
      syncLiteral = SyncLiteral.ACCEPTED;
    } else if (authenticateTag != null) {
      saslLineExpected = true;
    } else {
      PendingCommand last = lastPending();
      if (last != null && last.name().equals("IDLE")) {
        idleTag = last.tag();
      }
    }
  }

  private void untagged(ResponseStart response, String line) {
    if (!greeted) {
      greeted = true;
      if (response.is("PREAUTH")) {
        state = ImapState.AUTHENTICATED;
      }
    }
    if (response.is("BYE")) {
      state = ImapState.LOGOUT;
    }
    String status = response.status();
    if (status != null && !status.isEmpty() && Character.isDigit(status.charAt(0))) {
      numbered(line, status);
    }
  }

  /** {@code * n EXISTS}, {@code * n EXPUNGE}, {@code * n RECENT}: read without the parser. */
  private void numbered(String line, String number) {
    MailboxView view = target();
    if (view == null || number.length() > 10) {
      return;
    }
    long n = Long.parseLong(number);
    String what = ImapSyntax.atom(line, line.indexOf(' ', 2) + 1).toUpperCase(Locale.ROOT);
    switch (what) {
      case "EXISTS" -> view.exists(n);
      case "EXPUNGE" -> view.expunge(n);
      case "RECENT" -> view.recent(n);
      default -> {}
    }
  }

  private void tagged(ResponseStart response) {
    String tag = response.tag();
    if (syncLiteral == SyncLiteral.PENDING && tag.equals(syncLiteralTag)) {
      syncLiteral = SyncLiteral.REFUSED;
    }
    PendingCommand command = pending.remove(tag);
    completed = command;
    if (command == null) {
      return;
    }
    if (tag.equals(authenticateTag)) {
      authenticateTag = null;
      saslLineExpected = false;
    }
    if (tag.equals(idleTag)) {
      idleTag = null;
    }
    boolean ok = response.is("OK");
    switch (command.name()) {
      case "LOGIN", "AUTHENTICATE" -> {
        if (ok) {
          state = ImapState.AUTHENTICATED;
          if (capabilitiesDuringLogin != null) {
            capabilitiesAfterAuth = capabilitiesDuringLogin;
          }
        }
        capabilitiesDuringLogin = null;
      }
      // RFC 9051 §6.3.2: a failed SELECT leaves no mailbox selected.
      case "SELECT", "EXAMINE" -> {
        state = ok ? ImapState.SELECTED : ImapState.AUTHENTICATED;
        mailbox = ok ? selecting : null;
        selecting = null;
      }
      case "CLOSE", "UNSELECT" -> {
        if (ok) {
          state = ImapState.AUTHENTICATED;
          mailbox = null;
        }
      }
      case "LOGOUT" -> state = ImapState.LOGOUT;
      default -> {}
    }
  }

  private PendingCommand lastPending() {
    PendingCommand last = null;
    for (PendingCommand c : pending.values()) {
      last = c;
    }
    return last;
  }

  private PendingCommand lastPending(String name) {
    PendingCommand last = null;
    for (PendingCommand c : pending.values()) {
      if (c.name().equals(name)) {
        last = c;
      }
    }
    return last;
  }

  @Override
  public String describeClientLine(String line) {
    if (saslLineExpected) {
      return "(SASL response)";
    }
    CommandStart command = ImapSyntax.commandStart(line);
    if (command == null) {
      return line.isEmpty()
          ? "(empty line)"
          : line.equalsIgnoreCase("DONE") ? "DONE" : "(unparsed line)";
    }
    return command.tag() + (command.uid() ? " UID " : " ") + command.name();
  }
}
