package dev.quirkproxy.rules;

import dev.quirkproxy.codec.imap.parse.FrameBytes;
import dev.quirkproxy.codec.imap.parse.ImapParser;
import dev.quirkproxy.codec.imap.parse.ParsedFrame;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.PendingCommand;
import dev.quirkproxy.session.Pop3Session;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.session.Session;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The frame rules judge: which side sent it, the session it belongs to, its bytes as a {@link
 * FrameImage}, and what can be read from it, each worked out on first use (the head, the parsed
 * view, the command a response answers). {@link #whole()} is false when only the first line is
 * there (a client command whose synchronizing literal cannot be held back).
 */
public final class Frame {

  private static final ImapParser PARSER = new ImapParser();

  private final Session session;
  private final boolean fromClient;
  private final FrameImage image;
  private final boolean whole;
  private final boolean prefilter;
  private boolean explaining;
  private ImapParser.Head head;
  private ParsedFrame parsed;
  private String firstLine;

  Frame(Session session, boolean fromClient, FrameImage image, boolean whole) {
    this(session, fromClient, image, whole, false);
  }

  private Frame(
      Session session, boolean fromClient, FrameImage image, boolean whole, boolean prefilter) {
    this.session = session;
    this.fromClient = fromClient;
    this.image = image;
    this.whole = whole;
    this.prefilter = prefilter;
  }

  /**
   * The first line of a frame whose other parts are still to come, for deciding whether to hold it:
   * conditions on the whole frame count as met for now ({@link #prefilter()}).
   */
  static Frame firstLineOf(Session session, boolean fromClient, FrameImage line) {
    return new Frame(session, fromClient, line, false, true);
  }

  /** True when conditions must say in words why they do not hold ({@code rules explain}). */
  public boolean explaining() {
    return explaining;
  }

  /** This frame is being explained: misses come in words. */
  Frame explain() {
    explaining = true;
    return this;
  }

  /**
   * True while only deciding whether the frame is worth holding: a condition that needs the whole
   * frame (its text, a command's arguments) should say it matches.
   */
  public boolean prefilter() {
    return prefilter;
  }

  public Session session() {
    return session;
  }

  public Protocol protocol() {
    return session.protocol();
  }

  /** True for a client command, false for a server response. */
  public boolean fromClient() {
    return fromClient;
  }

  /** True when the frame's every part is here (else only its first line). */
  public boolean whole() {
    return whole;
  }

  FrameImage image() {
    return image;
  }

  /** The first line, without its line ending. */
  public String firstLine() {
    if (firstLine == null) {
      firstLine = image.firstLine();
    }
    return firstLine;
  }

  /** The whole frame as text (literals shown with their announcement), for regex matchers. */
  public String text() {
    return image.text();
  }

  /** IMAP: kind, tag, name ({@code FETCH}, {@code OK}, {@code CAPABILITY}) and number. */
  public ImapParser.Head head() {
    if (head == null) {
      FrameBytes line = FrameBytes.of((firstLine() + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      head = fromClient ? ImapParser.peekCommand(line) : ImapParser.peekResponse(line);
    }
    return head;
  }

  /** IMAP: the frame parsed (an {@link ParsedFrame.Unparsed} when it does not follow RFC 9051). */
  public ParsedFrame parsed() {
    if (parsed == null) {
      FrameBytes bytes = FrameBytes.of(image.encode());
      parsed = fromClient ? PARSER.command(bytes) : PARSER.response(bytes);
    }
    return parsed;
  }

  /**
   * The command name: IMAP {@code FETCH} or {@code UID FETCH} for a command; for a response, the
   * command it answers (the tagged one's, else the last pending). POP3: the command's keyword, or
   * the command being answered. Upper case; empty when unknown.
   */
  public String commandName() {
    if (session instanceof ImapSession imap) {
      if (fromClient) {
        ImapParser.Head h = head();
        return h.kind() == ImapParser.Head.Kind.COMMAND ? (h.uid() ? "UID " : "") + h.name() : "";
      }
      PendingCommand c = answered(imap);
      return c == null ? "" : (c.uid() ? "UID " : "") + c.name();
    }
    if (fromClient) {
      String line = firstLine().strip();
      int sp = line.indexOf(' ');
      return (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
    }
    Pop3Session.Pop3Command c = ((Pop3Session) session).answering();
    return c == null ? "" : c.name();
  }

  /**
   * True for the server's greeting: its first response, sent before any command was answered. IMAP:
   * an untagged OK, PREAUTH or BYE while no command is pending or has been completed; POP3: a
   * status line that answers no command. (A command the proxy itself answered never reached the
   * server, so it does not count.)
   */
  public boolean greeting() {
    if (fromClient) {
      return false;
    }
    if (session instanceof ImapSession imap) {
      ImapParser.Head h = head();
      return h.kind() == ImapParser.Head.Kind.UNTAGGED
          && (h.name().equals("OK") || h.name().equals("PREAUTH") || h.name().equals("BYE"))
          && imap.pending().isEmpty()
          && imap.completed() == null;
    }
    String line = firstLine();
    return ((Pop3Session) session).answering() == null
        && (line.startsWith("+OK") || line.startsWith("-ERR"));
  }

  /** The IMAP tag of a command or tagged response, else null. */
  public String tag() {
    ImapParser.Head h = head();
    return h.kind() == ImapParser.Head.Kind.COMMAND || h.kind() == ImapParser.Head.Kind.TAGGED
        ? h.tag()
        : null;
  }

  private PendingCommand answered(ImapSession imap) {
    ImapParser.Head h = head();
    if (h.kind() == ImapParser.Head.Kind.TAGGED) {
      // The tracker has seen this response already: the command is completed, not pending.
      PendingCommand done = imap.completed();
      return done != null && done.tag().equals(h.tag()) ? done : imap.pending().get(h.tag());
    }
    PendingCommand last = null;
    for (PendingCommand c : imap.pending().values()) {
      last = c;
    }
    return last;
  }
}
