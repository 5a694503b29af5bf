package dev.quirkproxy.session;

import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.codec.pop3.Pop3FramingContext;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * Tracks a POP3 connection (RFC 1939 §3–§7, RFC 2449, RFC 5034): the state and the queue of
 * commands sent upstream and not yet answered. POP3 answers carry no tag, so the queue is what says
 * which command a response answers and whether a {@code +OK} opens a multi-line body.
 *
 * <p>What the answers show of the maildrop is kept in {@link #maildrop()}.
 */
public final class Pop3Session extends Session {

  /**
   * A POP3 command awaiting its answer.
   *
   * @param name upper-case keyword
   * @param hasArgument whether it had arguments (LIST and UIDL answer multi-line only without)
   * @param messageNumber the message number argument of DELE, LIST, UIDL, RETR or TOP, or 0 (also
   *     when it is not a valid number; other commands' arguments, passwords included, are not kept)
   */
  public record Pop3Command(String name, boolean hasArgument, int messageNumber) {

    /** Whether a {@code +OK} to this command starts a dot-terminated body. */
    boolean multiLineOnSuccess() {
      return switch (name) {
        case "RETR", "TOP", "CAPA" -> true;
        // A bare AUTH lists the mechanisms (RFC 1734 clients such as Outlook send it).
        case "LIST", "UIDL", "AUTH" -> !hasArgument;
        default -> false;
      };
    }
  }

  private final Deque<Pop3Command> pending = new ArrayDeque<>();
  private Pop3State state = Pop3State.AUTHORIZATION;
  private boolean greeted;
  private boolean saslLineExpected;
  private boolean quitting;
  private Pop3Command answering;

  private final Pop3Maildrop maildrop;

  public Pop3Session(SocketAddress clientAddress, Limits limits) {
    this(clientAddress, limits, Pop3Maildrop.MAX_TRACKED_MESSAGES);
  }

  /** With another cap on recorded messages (tests). */
  Pop3Session(SocketAddress clientAddress, Limits limits, int maxTrackedMessages) {
    super(clientAddress, limits);
    this.maildrop = new Pop3Maildrop(maxTrackedMessages);
  }

  @Override
  public Protocol protocol() {
    return Protocol.POP3;
  }

  public Pop3State state() {
    return state;
  }

  /** Commands forwarded and not yet answered, oldest first. */
  public int pendingCount() {
    return pending.size();
  }

  /** True when the next client line answers an AUTH challenge rather than being a command. */
  public boolean expectsSaslLine() {
    return saslLineExpected;
  }

  /** The command whose answer the server is sending now (the last status line's), or null. */
  public Pop3Command answering() {
    return answering;
  }

  /** What the answers so far have shown of the maildrop; read-only, updated as they arrive. */
  public Pop3Maildrop maildrop() {
    return maildrop;
  }

  @Override
  public boolean authenticated() {
    return state != Pop3State.AUTHORIZATION;
  }

  @Override
  public boolean ending() {
    return quitting;
  }

  /** What the client-side framer needs. */
  public int maxClientLine() {
    return limits().maxLineLength();
  }

  /** What the server-side framer needs: it reports every status line here, in order. */
  public Pop3FramingContext serverFraming() {
    return new Pop3FramingContext() {
      @Override
      public int maxLineLength() {
        return limits().maxServerLineLength();
      }

      @Override
      public boolean statusLine(String statusLine) {
        return Pop3Session.this.statusLine(statusLine);
      }
    };
  }

  private boolean statusLine(String line) {
    maildrop.statusLine();
    if (!greeted) {
      greeted = true;
      return false;
    }
    Pop3Command head = pending.peekFirst();
    answering = head;
    if (line.startsWith("+OK")) {
      pending.pollFirst();
      return head != null && succeeded(head, line);
    }
    if (line.startsWith("-ERR")) {
      pending.pollFirst();
      if (head != null && head.name().equals("QUIT") && state == Pop3State.TRANSACTION) {
        // RFC 1939 §6: QUIT from TRANSACTION enters UPDATE; -ERR only says not all was removed.
        state = Pop3State.UPDATE;
      }
      return false;
    }
    if (line.startsWith("+") && head != null && head.name().equals("AUTH")) {
      // RFC 5034 §4: a "+" continuation; the AUTH command stays pending.
      saslLineExpected = true;
    }
    return false;
  }

  private boolean succeeded(Pop3Command command, String line) {
    switch (command.name()) {
      case "PASS", "APOP" -> state = Pop3State.TRANSACTION;
      case "AUTH" -> {
        if (command.hasArgument()) {
          state = Pop3State.TRANSACTION;
        }
      }
      case "QUIT" -> {
        if (state == Pop3State.TRANSACTION) {
          state = Pop3State.UPDATE;
        }
      }
      case "STAT" -> maildrop.statAnswered(line);
      case "LIST" -> maildrop.listAnswered(command.hasArgument(), command.messageNumber(), line);
      case "UIDL" -> maildrop.uidlAnswered(command.hasArgument(), command.messageNumber(), line);
      case "DELE" -> maildrop.deleAnswered(command.messageNumber());
      case "RSET" -> maildrop.rsetAnswered();
      default -> {}
    }
    return command.multiLineOnSuccess();
  }

  @Override
  public void clientSent(WirePart part) {
    String line = part.text();
    if (saslLineExpected) {
      saslLineExpected = false;
      return;
    }
    Pop3Command command = parse(line);
    pending.addLast(command);
    if (command.name().equals("QUIT")) {
      quitting = true;
    }
  }

  private static Pop3Command parse(String line) {
    // An empty line is still a command: the server answers it (with -ERR), so it takes a place.
    String trimmed = line.strip();
    int sp = trimmed.indexOf(' ');
    String name = (sp < 0 ? trimmed : trimmed.substring(0, sp)).toUpperCase(Locale.ROOT);
    int msg = 0;
    if (sp > 0 && takesMessageNumber(name)) {
      int from = sp + 1;
      while (from < trimmed.length() && trimmed.charAt(from) == ' ') {
        from++;
      }
      long n = Pop3Maildrop.number(trimmed, from, Pop3Maildrop.wordEnd(trimmed, from), 9);
      msg = (int) Math.max(0, n);
    }
    return new Pop3Command(name, sp > 0, msg);
  }

  private static boolean takesMessageNumber(String name) {
    return switch (name) {
      case "DELE", "LIST", "UIDL", "RETR", "TOP" -> true;
      default -> false;
    };
  }

  @Override
  public void serverSent(WirePart part) {
    // Status lines were read in statusLine(); only a LIST or UIDL body is looked into.
    maildrop.serverSent(part);
  }

  @Override
  public String describeClientLine(String line) {
    if (saslLineExpected) {
      return "(SASL response)";
    }
    String name = parse(line).name();
    return name.isEmpty() ? "(empty line)" : name;
  }
}
