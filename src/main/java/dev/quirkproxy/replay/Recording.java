package dev.quirkproxy.replay;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quirkproxy.capture.CaptureReader;
import dev.quirkproxy.capture.Direction;
import dev.quirkproxy.codec.Literal;
import dev.quirkproxy.session.Protocol;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The server's side of a capture, cut into what answers what: the greeting, then one {@link
 * Exchange} per client command, in recorded order. Only received parts count ({@code client>proxy},
 * {@code upstream>proxy}): what the real server said, before any rule changed it.
 *
 * <p>IMAP answers are assigned by tag (RFC 9051 §2.2.2), so pipelined commands get their own
 * answers; untagged data goes to the oldest command still waiting (servers answer in order), or
 * after the last completed one when none waits. A {@code +} continuation while the client is inside
 * a command is the server's go-ahead for a synchronizing literal: the replay server sends its own,
 * so it is dropped. A {@code +} after a complete command (IDLE, AUTHENTICATE; POP3 AUTH) means the
 * client's next line belongs to that command: the answer is split there.
 *
 * <p>A recorded STARTTLS (IMAP) or STLS (POP3) is left out, and so is its answer if the server's is
 * there (a proxy answers the client's STARTTLS itself, so usually it is not): the replay server
 * answers those itself, and they must not take untagged data or answers meant for other commands.
 */
public final class Recording {

  private final CaptureReader.Capture capture;
  private final Protocol protocol;
  private final List<Chunk> greeting;
  private final List<Exchange> exchanges;

  /** One received server part, sent back as recorded (the tagged completion re-tagged). */
  record Chunk(ObjectNode event, String tag) {}

  /** A recorded command and its answers: one after the command, one after each client line. */
  static final class Exchange {
    final ClientCommand command;
    final List<List<Chunk>> answers = new ArrayList<>();

    Exchange(ClientCommand command) {
      this.command = command;
      answers.add(new ArrayList<>());
    }

    List<Chunk> last() {
      return answers.get(answers.size() - 1);
    }
  }

  private Recording(
      CaptureReader.Capture capture,
      Protocol protocol,
      List<Chunk> greeting,
      List<Exchange> exchanges) {
    this.capture = capture;
    this.protocol = protocol;
    this.greeting = greeting;
    this.exchanges = exchanges;
  }

  public Protocol protocol() {
    return protocol;
  }

  /** The capture file this recording was read from. */
  public java.nio.file.Path file() {
    return capture.file();
  }

  /** How many client commands the capture holds. */
  public int commands() {
    return exchanges.size();
  }

  List<Chunk> greeting() {
    return greeting;
  }

  List<Exchange> exchanges() {
    return exchanges;
  }

  byte[] bytes(Chunk chunk) throws IOException {
    return capture.data(chunk.event());
  }

  /** Reads a capture; a header without a protocol this server speaks is refused. */
  public static Recording read(java.nio.file.Path file) throws IOException {
    CaptureReader.Capture capture = CaptureReader.read(file);
    if (capture.header() == null) {
      throw new IOException(file + " is not a capture: " + String.join("; ", capture.problems()));
    }
    return of(capture);
  }

  /** Cuts a capture read by {@link CaptureReader} into exchanges. */
  public static Recording of(CaptureReader.Capture capture) throws IOException {
    String name = capture.header().path("protocol").asText("");
    Protocol protocol;
    try {
      protocol = Protocol.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IOException(capture.file() + ": unknown protocol '" + name + "' in the header", e);
    }
    Cutter cutter = new Cutter(capture, protocol);
    for (ObjectNode e : capture.events()) {
      if (!e.path("type").asText().equals("frame")) {
        continue;
      }
      String dir = e.path("dir").asText();
      if (dir.equals(Direction.CLIENT_TO_PROXY.code())) {
        cutter.client(e);
      } else if (dir.equals(Direction.UPSTREAM_TO_PROXY.code())) {
        cutter.server(e);
      }
    }
    return new Recording(capture, protocol, cutter.greeting, cutter.exchanges);
  }

  /** Walks the frames in order and assigns each server part to what it answers. */
  private static final class Cutter {
    private final CaptureReader.Capture capture;
    private final Protocol protocol;
    final List<Chunk> greeting = new ArrayList<>();
    final List<Exchange> exchanges = new ArrayList<>();
    private final Deque<Exchange> waiting = new ArrayDeque<>();
    private ClientCommand.Builder inCommand;
    private Exchange awaitingLine;
    private Exchange lastDone;
    private List<Chunk> serverTarget;

    /** Tags of recorded STARTTLS commands (IMAP): their tagged answers are dropped. */
    private final Set<String> startTlsTags = new HashSet<>();

    /** A recorded STLS (POP3) whose answer, if recorded, is the next status line. */
    private boolean stlsPending;

    Cutter(CaptureReader.Capture capture, Protocol protocol) {
      this.capture = capture;
      this.protocol = protocol;
    }

    void client(ObjectNode e) throws IOException {
      String kind = e.path("kind").asText();
      boolean start = e.path("start").asBoolean();
      boolean end = e.path("end").asBoolean();
      byte[] data = capture.data(e);
      if (kind.equals("literal")) {
        if (inCommand != null) {
          inCommand.literal(data);
        }
        return;
      }
      String text = line(data);
      if (start && inCommand == null && awaitingLine != null) {
        // DONE, a SASL line: it belongs to the command that asked for it.
        awaitingLine.answers.add(new ArrayList<>());
        awaitingLine = null;
        return;
      }
      if (start || inCommand == null) {
        inCommand = new ClientCommand.Builder();
        stlsPending = false;
      }
      boolean literal = protocol == Protocol.IMAP && !end && Literal.atEndOf(text) != null;
      inCommand.line(text, literal).redacted(e.path("redacted").asBoolean());
      if (end) {
        ClientCommand command = inCommand.build();
        inCommand = null;
        if (isStartTls(command)) {
          if (protocol == Protocol.IMAP) {
            startTlsTags.add(command.tag());
          } else {
            stlsPending = true;
          }
          return;
        }
        Exchange done = new Exchange(command);
        exchanges.add(done);
        waiting.add(done);
      }
    }

    private boolean isStartTls(ClientCommand command) {
      String first = command.lines().isEmpty() ? "" : command.lines().get(0).strip();
      if (protocol == Protocol.IMAP) {
        int sp = first.indexOf(' ');
        return sp > 0 && first.substring(sp + 1).strip().equalsIgnoreCase("STARTTLS");
      }
      return first.equalsIgnoreCase("STLS");
    }

    void server(ObjectNode e) throws IOException {
      boolean start = e.path("start").asBoolean();
      if (!start) {
        if (serverTarget != null) {
          serverTarget.add(new Chunk(e, null));
        }
        return;
      }
      String text = e.path("kind").asText().equals("line") ? line(capture.data(e)) : "";
      if (isContinuation(text)) {
        if (inCommand != null) {
          serverTarget = null; // the go-ahead for a literal: the replay server sends its own
          return;
        }
        Exchange asking = protocol == Protocol.IMAP ? waiting.peekLast() : waiting.peekFirst();
        serverTarget = asking != null ? asking.last() : greeting;
        serverTarget.add(new Chunk(e, null));
        awaitingLine = asking;
        return;
      }
      if (protocol == Protocol.IMAP) {
        String tag = text.isEmpty() || text.startsWith("* ") ? null : firstWord(text);
        if (tag != null && startTlsTags.remove(tag)) {
          serverTarget = null; // the answer to a recorded STARTTLS
          return;
        }
        Exchange tagged = tag == null ? null : byTag(tag);
        if (tagged != null) {
          tagged.last().add(new Chunk(e, tag));
          waiting.remove(tagged);
          lastDone = tagged;
          serverTarget = null;
          return;
        }
        serverTarget = target();
        serverTarget.add(new Chunk(e, null));
        return;
      }
      if (stlsPending && waiting.isEmpty()) {
        stlsPending = false;
        serverTarget = null; // the answer to a recorded STLS
        return;
      }
      serverTarget = target();
      serverTarget.add(new Chunk(e, null));
      Exchange answered = waiting.poll();
      if (answered != null) {
        lastDone = answered;
      }
    }

    private List<Chunk> target() {
      if (!waiting.isEmpty()) {
        return waiting.peekFirst().last();
      }
      return lastDone != null ? lastDone.last() : greeting;
    }

    private Exchange byTag(String tag) {
      for (Exchange x : waiting) {
        if (x.command.tag().equals(tag)) {
          return x;
        }
      }
      return null;
    }

    private boolean isContinuation(String text) {
      return protocol == Protocol.IMAP
          ? text.startsWith("+")
          : text.equals("+") || text.startsWith("+ ");
    }
  }

  static String line(byte[] data) {
    int end = data.length;
    if (end > 0 && data[end - 1] == '\n') {
      end--;
    }
    if (end > 0 && data[end - 1] == '\r') {
      end--;
    }
    return new String(data, 0, end, StandardCharsets.ISO_8859_1);
  }

  private static String firstWord(String text) {
    int sp = text.indexOf(' ');
    return sp < 0 ? text : text.substring(0, sp);
  }
}
