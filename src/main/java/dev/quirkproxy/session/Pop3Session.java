package dev.quirkproxy.session;

import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.codec.pop3.Pop3FramingContext;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * Tracks a POP3 connection (RFC 1939 §3–§6, RFC 2449, RFC 5034): the state and the queue of
 * commands sent upstream and not yet answered. POP3 answers carry no tag, so the queue is what says
 * which command a response answers and whether a {@code +OK} opens a multi-line body.
 */
public final class Pop3Session extends Session {

  /**
   * A POP3 command awaiting its answer.
   *
   * @param name upper-case keyword
   * @param hasArgument whether it had arguments (LIST and UIDL answer multi-line only without)
   */
  public record Pop3Command(String name, boolean hasArgument) {

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

  public Pop3Session(SocketAddress clientAddress, Limits limits) {
    super(clientAddress, limits);
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
    if (!greeted) {
      greeted = true;
      return false;
    }
    Pop3Command head = pending.peekFirst();
    answering = head;
    if (line.startsWith("+OK")) {
      pending.pollFirst();
      return head != null && succeeded(head);
    }
    if (line.startsWith("-ERR")) {
      pending.pollFirst();
      return false;
    }
    if (line.startsWith("+") && head != null && head.name().equals("AUTH")) {
      // RFC 5034 §4: a "+" continuation; the AUTH command stays pending.
      saslLineExpected = true;
    }
    return false;
  }

  private boolean succeeded(Pop3Command command) {
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
    return new Pop3Command(name, sp > 0);
  }

  @Override
  public void serverSent(WirePart part) {
    // Framing already consulted statusLine(); nothing else to track yet.
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
