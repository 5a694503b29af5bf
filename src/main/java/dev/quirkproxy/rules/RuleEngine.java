package dev.quirkproxy.rules;

import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.flow.Interceptor;
import dev.quirkproxy.flow.Verdict;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Applies the loaded rules to every frame, as the last interceptor. A single-part frame is judged
 * at once. A frame of several parts (a response with literals, a POP3 body) is held back until it
 * is whole when a rule might match it, up to {@value #MAX_HELD} octets (beyond, it goes on
 * untouched); a client command waiting for a {@code +} to send its literal cannot be held, so only
 * its first line is judged (and a held one that goes on to announce such a literal goes on as it
 * came). The rule set is swapped atomically on reload: a frame is judged by one set from start to
 * end.
 */
public final class RuleEngine implements Interceptor {

  /** The most octets of one frame held back for the rules to see it whole. */
  public static final int MAX_HELD = 1 << 20;

  private final Supplier<RuleSet> rules;

  /**
   * @param rules the current rule set (read once per frame; a reload changes what it gives)
   */
  public RuleEngine(Supplier<RuleSet> rules) {
    this.rules = rules;
  }

  /**
   * Per-session state: how often each rule acted, and for each direction the parts of a frame being
   * held (a server frame may start while a client frame is held, and the other way round).
   */
  private static final class State {
    final Map<String, Long> acted = new HashMap<>();
    final Holding client = new Holding(true);
    final Holding server = new Holding(false);

    Holding of(boolean fromClient) {
      return fromClient ? client : server;
    }
  }

  /** The parts of one direction's frame being held, or none. */
  private static final class Holding {
    final boolean heldFromClient;
    List<WirePart> held;
    long heldBytes;
    RuleSet heldRules;

    Holding(boolean fromClient) {
      this.heldFromClient = fromClient;
    }
  }

  /** A session that ends in the middle of a held frame: its parts are released. */
  @Override
  public void onClose(Session session) {
    State state = session.attachment(State.class, State::new);
    for (Holding h : new Holding[] {state.client, state.server}) {
      if (h.held != null) {
        h.held.forEach(WirePart::release);
        h.held = null;
      }
    }
  }

  @Override
  public Verdict onClient(Session session, WirePart part) {
    return handle(session, part, true);
  }

  @Override
  public Verdict onServer(Session session, WirePart part) {
    return handle(session, part, false);
  }

  private Verdict handle(Session session, WirePart part, boolean fromClient) {
    State state = session.attachment(State.class, State::new);
    Holding holding = state.of(fromClient);
    if (holding.held != null) {
      return holdMore(session, state, holding, part);
    }
    if (!part.isLine() || !part.frameStart()) {
      return Verdict.FORWARD;
    }
    RuleSet set = rules.get();
    Rule[] candidates = set.candidates(session.protocol(), fromClient);
    if (candidates.length == 0) {
      return Verdict.FORWARD;
    }
    byte[] first = bytes(part.content());
    if (part.frameEnd()) {
      Frame frame = new Frame(session, fromClient, image(session, first, fromClient), true);
      return judge(state, candidates, frame, List.of(part.retain()));
    }
    if (fromClient && part.literal() != null && part.literal().synchronizing()) {
      // The client waits for "+" before it sends the literal: judge the first line alone.
      Frame frame = new Frame(session, fromClient, FrameImage.of(first, false), false);
      Verdict v = judge(state, candidates, frame, List.of(part.retain()));
      if (v instanceof Verdict.Emit emit
          && !announcesSyncLiteral(emit)
          && session instanceof ImapSession imap) {
        // Answered or dropped: no "+" will come, so the client's next line is a new command.
        imap.refuseSyncLiteral();
      }
      return v;
    }
    Frame line = Frame.firstLineOf(session, fromClient, FrameImage.of(first, false));
    if (!anyMayMatch(state, candidates, line)) {
      return Verdict.FORWARD;
    }
    holding.held = new ArrayList<>();
    holding.held.add(part.retain());
    holding.heldBytes = part.content().readableBytes();
    holding.heldRules = set;
    return new Verdict.Hold();
  }

  private Verdict holdMore(Session session, State state, Holding holding, WirePart part) {
    holding.held.add(part.retain());
    holding.heldBytes += part.content().readableBytes();
    boolean waitsForPlus =
        holding.heldFromClient && part.literal() != null && part.literal().synchronizing();
    if (holding.heldBytes > MAX_HELD || waitsForPlus) {
      // Too large to judge whole, or the client waits for a "+" that the server can only send
      // once it has this line: let it all go on as it came.
      List<Verdict.Step> steps = new ArrayList<>();
      holding.held.forEach(p -> steps.add(new Verdict.Send(p)));
      holding.held = null;
      return new Verdict.Emit(steps, List.of());
    }
    if (!part.frameEnd()) {
      return new Verdict.Hold();
    }
    List<WirePart> parts = holding.held;
    holding.held = null;
    byte[] all = new byte[(int) holding.heldBytes];
    int at = 0;
    for (WirePart p : parts) {
      ByteBuf b = p.content();
      b.getBytes(b.readerIndex(), all, at, b.readableBytes());
      at += b.readableBytes();
    }
    boolean fromClient = holding.heldFromClient;
    Frame frame = new Frame(session, fromClient, image(session, all, fromClient), true);
    return judge(state, holding.heldRules.candidates(session.protocol(), fromClient), frame, parts);
  }

  /** True when one of the lines sent on announces a synchronizing literal. */
  private static boolean announcesSyncLiteral(Verdict.Emit emit) {
    for (Verdict.Step step : emit.steps()) {
      WirePart p =
          step instanceof Verdict.Send send
              ? send.part()
              : step instanceof Verdict.Trickle trickle ? trickle.part() : null;
      if (p != null && p.literal() != null && p.literal().synchronizing()) {
        return true;
      }
    }
    return false;
  }

  private static FrameImage image(Session session, byte[] bytes, boolean fromClient) {
    return FrameImage.of(bytes, session.protocol() == Protocol.IMAP);
  }

  private static boolean anyMayMatch(State state, Rule[] candidates, Frame line) {
    for (Rule r : candidates) {
      if (!usedUp(state, r) && r.when().matches(line)) {
        return true;
      }
    }
    return false;
  }

  private static boolean usedUp(State state, Rule r) {
    return r.times() > 0 && state.acted.getOrDefault(r.id(), 0L) >= r.times();
  }

  /**
   * Runs the matching rules' actions on the frame; {@code parts} (retained) are what goes on when
   * nothing changes.
   */
  private Verdict judge(State state, Rule[] candidates, Frame frame, List<WirePart> parts) {
    Effect effect = null;
    for (Rule r : candidates) {
      if (usedUp(state, r) || !r.when().matches(frame)) {
        continue;
      }
      if (r.probability() < 1 && ThreadLocalRandom.current().nextDouble() >= r.probability()) {
        continue;
      }
      if (effect == null) {
        effect = new Effect(frame.image());
      }
      int before = effect.changes();
      r.action().apply(frame, effect);
      if (effect.changes() == before) {
        continue;
      }
      state.acted.merge(r.id(), 1L, Long::sum);
      effect.hit(r.id(), r.actionType(), describe(frame));
      if (effect.finished()) {
        break;
      }
    }
    if (effect == null || !effect.changed()) {
      if (parts.size() == 1) {
        parts.get(0).release();
        return Verdict.FORWARD;
      }
      List<Verdict.Step> steps = new ArrayList<>();
      parts.forEach(p -> steps.add(new Verdict.Send(p)));
      return new Verdict.Emit(steps, List.of());
    }
    return new Verdict.Emit(steps(frame, effect, parts), effect.hits());
  }

  private static List<Verdict.Step> steps(Frame frame, Effect e, List<WirePart> parts) {
    boolean pop3 = frame.protocol() == Protocol.POP3;
    // Only the first line of a command waiting for "+" is here; its literal follows later, so
    // nothing may be sent after the line (it would land between the line and its literal).
    boolean partial = !frame.whole();
    int copies = partial ? 1 : e.copies();
    List<Verdict.Step> steps = new ArrayList<>();
    for (String line : e.before()) {
      FrameImage.ofText(line).toParts(pop3).forEach(p -> steps.add(new Verdict.Send(p)));
    }
    if (!e.delay().isZero()) {
      steps.add(new Verdict.Pause(e.delay()));
    }
    if (e.frame() != null) {
      List<WirePart> out;
      if (e.frameEdited()) {
        parts.forEach(WirePart::release);
        out = e.frame().toParts(pop3 && !frame.fromClient());
      } else {
        out = parts;
      }
      for (int copy = 0; copy < copies; copy++) {
        for (WirePart p : out) {
          WirePart q = copy == copies - 1 ? p : p.retainedDuplicate();
          steps.add(
              e.trickleSize() > 0
                  ? new Verdict.Trickle(q, e.trickleSize(), e.tricklePause())
                  : new Verdict.Send(q));
        }
      }
    } else {
      parts.forEach(WirePart::release);
    }
    for (String line : partial ? List.<String>of() : e.after()) {
      FrameImage.ofText(line).toParts(pop3).forEach(p -> steps.add(new Verdict.Send(p)));
    }
    if (e.answerText() != null) {
      steps.add(new Verdict.Reply(latin1(e.answerText())));
    }
    if (e.endReason() != null) {
      steps.add(
          new Verdict.End(
              e.endReason(), e.lastWords() == null ? null : latin1(Effect.crlf(e.lastWords()))));
    }
    return steps;
  }

  /** What the log and the capture say about the frame: never a client's arguments (secrets). */
  private static String describe(Frame frame) {
    if (frame.fromClient()) {
      return "command " + frame.session().describeClientLine(frame.firstLine());
    }
    String line = frame.firstLine();
    return "response " + (line.length() <= 80 ? line : line.substring(0, 80) + "...");
  }

  private static byte[] bytes(ByteBuf b) {
    byte[] out = new byte[b.readableBytes()];
    b.getBytes(b.readerIndex(), out);
    return out;
  }

  private static ByteBuf latin1(String text) {
    return Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.ISO_8859_1));
  }
}
