package dev.quirkproxy.session;

import dev.quirkproxy.codec.Literal;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.codec.imap.ImapFramingContext;
import dev.quirkproxy.codec.imap.ImapSyntax;
import dev.quirkproxy.codec.imap.ImapSyntax.CommandStart;
import dev.quirkproxy.codec.imap.ImapSyntax.ResponseStart;
import java.net.SocketAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tracks an IMAP connection (RFC 9051 §3, §5.5, §7.5): the state, the selected mailbox, the tag →
 * pending command table, and the exchanges during which client lines are not commands
 * (synchronizing literals, AUTHENTICATE's SASL lines, IDLE until DONE).
 */
public final class ImapSession extends Session {

  /** Where a synchronizing literal announced by the client stands. */
  public enum SyncLiteral {
    NONE,
    PENDING,
    ACCEPTED,
    REFUSED
  }

  private final Map<String, PendingCommand> pending = new LinkedHashMap<>();
  private ImapState state = ImapState.NOT_AUTHENTICATED;
  private String selectedMailbox;
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

  /** The mailbox named by the last successful SELECT/EXAMINE while selected, else null. */
  public String selectedMailbox() {
    return state == ImapState.SELECTED ? selectedMailbox : null;
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
    if (!part.isLine()) {
      return;
    }
    if (part.frameStart()) {
      clientFrameStarts(part.text());
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
      case "SELECT", "EXAMINE" -> selectedMailbox = mailboxArgument(command.arguments());
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

  @Override
  public void serverSent(WirePart part) {
    if (!part.isLine() || !part.frameStart()) {
      return;
    }
    ResponseStart response = ImapSyntax.responseStart(part.text());
    switch (response.kind()) {
      case CONTINUATION -> continuation();
      case UNTAGGED -> untagged(response);
      case TAGGED -> tagged(response);
      default -> throw new IllegalStateException(response.kind().name());
    }
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

  private void untagged(ResponseStart response) {
    if (!greeted) {
      greeted = true;
      if (response.is("PREAUTH")) {
        state = ImapState.AUTHENTICATED;
      }
    }
    if (response.is("BYE")) {
      state = ImapState.LOGOUT;
    }
  }

  private void tagged(ResponseStart response) {
    String tag = response.tag();
    if (syncLiteral == SyncLiteral.PENDING && tag.equals(syncLiteralTag)) {
      syncLiteral = SyncLiteral.REFUSED;
    }
    PendingCommand command = pending.remove(tag);
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
        }
      }
      // RFC 9051 §6.3.2: a failed SELECT leaves no mailbox selected.
      case "SELECT", "EXAMINE" -> state = ok ? ImapState.SELECTED : ImapState.AUTHENTICATED;
      case "CLOSE", "UNSELECT" -> {
        if (ok) {
          state = ImapState.AUTHENTICATED;
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
