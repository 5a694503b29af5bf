package dev.quirkproxy.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quirkproxy.capture.CaptureReader.Capture;
import dev.quirkproxy.capture.Direction;
import dev.quirkproxy.codec.Literal;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.flow.Verdict;
import dev.quirkproxy.session.ClientIdentity;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.Limits;
import dev.quirkproxy.session.Pop3Session;
import dev.quirkproxy.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Runs a capture's frames through the rules with no network, the way the relay would have: the
 * session tracker sees what it would have seen, the client's identity changes where the capture
 * recorded it (or is forced), and every verdict is turned into words. For {@code rules test} and
 * {@code rules explain}.
 */
public final class OfflineRun {

  private static final int SHOWN = 200;

  private final Capture capture;
  private final RuleSet rules;
  private final String forcedClient;
  private final Session session;
  private final RuleEngine engine;
  private final StringBuilder out = new StringBuilder();
  private int changedFrames;
  private int hits;

  /** The first line and event number of the last frame started in each direction. */
  private final String[] started = new String[2];

  private final long[] startedAt = new long[2];

  private OfflineRun(Capture capture, RuleSet rules, String forcedClient) {
    this.capture = capture;
    this.rules = rules;
    this.forcedClient = forcedClient;
    InetSocketAddress nowhere = new InetSocketAddress("127.0.0.1", 0);
    this.session =
        capture.header().path("protocol").asText().equalsIgnoreCase("pop3")
            ? new Pop3Session(nowhere, Limits.defaults())
            : new ImapSession(nowhere, Limits.defaults());
    this.engine = new RuleEngine(() -> rules);
    if (forcedClient != null) {
      session.identify(new ClientIdentity(forcedClient, null, 1.0, true));
    }
  }

  /**
   * What the rules would change in {@code capture}, frame by frame, as text (golden-file stable).
   */
  public static String test(Capture capture, RuleSet rules, String forcedClient)
      throws IOException {
    OfflineRun run = new OfflineRun(capture, rules, forcedClient);
    run.out
        .append("# ")
        .append(rules.rules().size())
        .append(" rules over ")
        .append(capture.file().getFileName())
        .append(" (")
        .append(capture.header().path("protocol").asText())
        .append(forcedClient == null ? "" : ", client forced to " + forcedClient)
        .append(")\n");
    run.replay(Long.MAX_VALUE);
    run.out
        .append("# ")
        .append(run.changedFrames)
        .append(run.changedFrames == 1 ? " frame" : " frames")
        .append(" changed by ")
        .append(run.hits)
        .append(run.hits == 1 ? " rule hit" : " rule hits")
        .append('\n');
    return run.out.toString();
  }

  /**
   * Why each rule does or does not match the frame that starts at event {@code seq}: the session is
   * replayed up to it first, so state, mailbox, client and {@code times} are as they were.
   */
  public static String explain(Capture capture, RuleSet rules, String forcedClient, long seq)
      throws IOException {
    OfflineRun run = new OfflineRun(capture, rules, forcedClient);
    run.replay(seq);
    return run.explainFrame(seq);
  }

  private void replay(long stopAt) throws IOException {
    for (ObjectNode e : capture.events()) {
      long seq = e.path("seq").asLong();
      if (seq >= stopAt) {
        return;
      }
      String type = e.path("type").asText();
      if (type.equals("fingerprint") && forcedClient == null) {
        session.identify(
            new ClientIdentity(
                e.path("family").asText(),
                e.hasNonNull("version") ? e.path("version").asText() : null,
                e.path("confidence").asDouble(),
                e.path("forced").asBoolean()));
        continue;
      }
      if (!type.equals("frame")) {
        continue;
      }
      String dir = e.path("dir").asText();
      boolean client = dir.equals(Direction.CLIENT_TO_PROXY.code());
      if (!client && !dir.equals(Direction.UPSTREAM_TO_PROXY.code())) {
        continue;
      }
      WirePart part = part(e);
      try {
        if (client) {
          clientPart(seq, part);
        } else {
          serverPart(seq, part);
        }
      } finally {
        part.release();
      }
    }
  }

  private WirePart part(ObjectNode e) throws IOException {
    ByteBuf bytes = Unpooled.wrappedBuffer(capture.data(e));
    boolean start = e.path("start").asBoolean();
    boolean end = e.path("end").asBoolean();
    return switch (e.path("kind").asText()) {
      case "literal" -> WirePart.literalChunk(bytes);
      case "body" -> WirePart.bodyChunk(bytes, end);
      default -> {
        Literal literal =
            end
                ? null
                : Literal.atEndOf(FrameImage.stripEol(bytes.toString(StandardCharsets.ISO_8859_1)));
        yield WirePart.line(bytes, start, end, literal);
      }
    };
  }

  private void clientPart(long seq, WirePart part) {
    starts(0, seq, part);
    Verdict v = engine.onClient(session, part.retain());
    if (v instanceof Verdict.Forward) {
      session.clientSent(part);
    } else if (v instanceof Verdict.Emit emit) {
      for (Verdict.Step s : emit.steps()) {
        if (s instanceof Verdict.Send send) {
          session.clientSent(send.part());
        } else if (s instanceof Verdict.Trickle t) {
          session.clientSent(t.part());
        }
      }
      report(0, "C", emit, true);
    }
    releaseVerdict(v, part);
  }

  private void serverPart(long seq, WirePart part) {
    starts(1, seq, part);
    if (session instanceof Pop3Session pop3 && part.isLine() && part.frameStart()) {
      // The POP3 response framer reports every status line to the session before anything else.
      pop3.serverFraming().statusLine(part.text());
    }
    session.serverSent(part);
    Verdict v = engine.onServer(session, part.retain());
    if (v instanceof Verdict.Emit emit) {
      report(1, "S", emit, false);
    }
    releaseVerdict(v, part);
  }

  /** The engine took a reference with the part; what it hands back is released here. */
  private static void releaseVerdict(Verdict v, WirePart part) {
    if (v instanceof Verdict.Forward) {
      part.release();
    } else if (v instanceof Verdict.Emit emit) {
      part.release();
      for (Verdict.Step s : emit.steps()) {
        if (s instanceof Verdict.Send send) {
          send.part().release();
        } else if (s instanceof Verdict.Trickle t) {
          t.part().release();
        } else if (s instanceof Verdict.Reply r) {
          r.bytes().release();
        } else if (s instanceof Verdict.End end && end.lastWords() != null) {
          end.lastWords().release();
        }
      }
    } else if (v instanceof Verdict.Hold) {
      part.release();
    }
  }

  private void starts(int side, long seq, WirePart part) {
    if (part.isLine() && part.frameStart()) {
      started[side] = part.text();
      startedAt[side] = seq;
    }
  }

  private void report(int side, String name, Verdict.Emit emit, boolean fromClient) {
    if (emit.hits().isEmpty()) {
      return;
    }
    changedFrames++;
    hits += emit.hits().size();
    out.append('#').append(startedAt[side]).append(' ').append(name).append(": ");
    out.append(started[side]).append('\n');
    for (Verdict.Hit h : emit.hits()) {
      out.append("  rule ").append(h.rule()).append(" (").append(h.action()).append(")\n");
    }
    String onward = fromClient ? "C> " : "S> ";
    String back = fromClient ? "S> " : "C> ";
    boolean sent = false;
    for (Verdict.Step s : emit.steps()) {
      if (s instanceof Verdict.Send send) {
        out.append(show(onward, send.part().content()));
        sent = true;
      } else if (s instanceof Verdict.Trickle t) {
        out.append("  (in chunks of ")
            .append(t.chunkSize())
            .append(" octets, ")
            .append(t.pause().toMillis())
            .append(" ms apart)\n")
            .append(show(onward, t.part().content()));
        sent = true;
      } else if (s instanceof Verdict.Pause p) {
        out.append("  (pause ").append(p.duration().toMillis()).append(" ms)\n");
      } else if (s instanceof Verdict.Reply r) {
        out.append(show(back, r.bytes()));
      } else if (s instanceof Verdict.End end) {
        if (end.lastWords() != null) {
          out.append(show(fromClient ? back : onward, end.lastWords()));
        }
        out.append("  (session ends: ").append(end.reason()).append(")\n");
      }
    }
    if (!sent) {
      out.append("  (nothing forwarded)\n");
    }
  }

  private static String show(String prefix, ByteBuf bytes) {
    String text = bytes.toString(StandardCharsets.ISO_8859_1);
    StringBuilder sb = new StringBuilder();
    for (String line : text.split("\r?\n", -1)) {
      if (line.isEmpty()) {
        continue;
      }
      sb.append("  ")
          .append(prefix)
          .append(
              line.length() <= SHOWN
                  ? line
                  : line.substring(0, SHOWN) + "... [" + line.length() + " octets]")
          .append('\n');
    }
    return sb.toString();
  }

  private String explainFrame(long seq) throws IOException {
    List<ObjectNode> parts = new ArrayList<>();
    String dir = null;
    for (ObjectNode e : capture.events()) {
      if (!e.path("type").asText().equals("frame")) {
        continue;
      }
      long s = e.path("seq").asLong();
      if (s < seq) {
        continue;
      }
      if (dir == null) {
        if (s != seq || !e.path("start").asBoolean()) {
          return "event #" + seq + " does not start a frame; `captures show` lists the frames\n";
        }
        dir = e.path("dir").asText();
      }
      if (!e.path("dir").asText().equals(dir)) {
        continue;
      }
      parts.add(e);
      if (e.path("end").asBoolean()) {
        break;
      }
    }
    if (dir == null) {
      return "no event #" + seq + " in the capture\n";
    }
    boolean client = dir.equals(Direction.CLIENT_TO_PROXY.code());
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    for (ObjectNode e : parts) {
      bytes.write(capture.data(e));
    }
    if (!client) {
      WirePart first = part(parts.get(0));
      try {
        if (session instanceof Pop3Session pop3) {
          pop3.serverFraming().statusLine(first.text());
        }
        session.serverSent(first);
      } finally {
        first.release();
      }
    }
    Frame frame =
        new Frame(
            session,
            client,
            FrameImage.of(
                bytes.toByteArray(), session.protocol() == dev.quirkproxy.session.Protocol.IMAP),
            true);
    frame.explain();
    StringBuilder sb = new StringBuilder();
    sb.append("# frame #")
        .append(seq)
        .append(' ')
        .append(client ? "C: " : "S: ")
        .append(frame.firstLine())
        .append("\n# state ")
        .append(Conditions.state(session))
        .append(", client ")
        .append(session.identity())
        .append(
            session instanceof ImapSession imap && imap.selectedMailbox() != null
                ? ", mailbox " + imap.selectedMailbox()
                : "")
        .append('\n');
    int width = rules.rules().stream().mapToInt(r -> r.id().length()).max().orElse(4);
    for (Rule r : rules.rules()) {
      sb.append(String.format(Locale.ROOT, "%-" + width + "s  ", r.id()));
      if (!r.enabled()) {
        sb.append("off: the rule is disabled\n");
        continue;
      }
      String miss = r.when().miss(frame);
      if (miss != null) {
        sb.append("no: ").append(miss).append('\n');
      } else {
        sb.append("MATCHES -> ").append(r.actionType());
        if (r.probability() < 1) {
          sb.append(String.format(Locale.ROOT, " (with probability %.2f)", r.probability()));
        }
        if (r.times() > 0) {
          sb.append(" (at most ").append(r.times()).append(" per session)");
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }
}
