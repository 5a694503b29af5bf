package dev.quirkproxy.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.codec.FramingDecoder;
import dev.quirkproxy.codec.Literal;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.codec.imap.ImapFrameDecoder;
import dev.quirkproxy.codec.pop3.Pop3CommandDecoder;
import dev.quirkproxy.codec.pop3.Pop3ResponseDecoder;
import dev.quirkproxy.flow.Verdict;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.Limits;
import dev.quirkproxy.session.Pop3Session;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.session.Session;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Drives a {@link RuleEngine} the way the relay does. Bytes from each side go through that side's
 * real framer (so the parts are what the proxy would see, and the POP3 framer reports status lines
 * to the session as it reads them); a server part is shown to the session <em>before</em> the
 * engine, a client part <em>after</em> it, as it goes upstream; every verdict is carried out like
 * the chain and the relay do: forwarded parts and emitted {@code Send}/{@code Trickle} steps become
 * the bytes that go onward, {@code Reply} steps the bytes that go back, {@code End} last words go
 * to the client.
 *
 * <p>Every buffer is accounted for: the framers allocate from a tracking allocator, and {@link
 * #close()} fails when any buffer the framers made or the engine handed over is still referenced
 * (so a part the engine holds on to or releases once too often shows), on top of the {@code
 * LeakGuard} extension.
 */
final class RuleHarness implements AutoCloseable {

  /** A part that went onward, as it went. */
  record Sent(WirePart.Kind kind, boolean start, boolean end, Literal literal, String bytes) {}

  final Session session;
  private final RuleEngine engine;
  private final TrackingAllocator alloc = new TrackingAllocator();
  private final EmbeddedChannel clientSide;
  private final EmbeddedChannel serverSide;
  private final StringBuilder toServer = new StringBuilder();
  private final StringBuilder toClient = new StringBuilder();
  private final List<String> verdicts = new ArrayList<>();
  private final List<String> steps = new ArrayList<>();
  private final List<Sent> sent = new ArrayList<>();
  private final List<Verdict.Hit> hits = new ArrayList<>();
  private final List<ByteBuf> handed = new ArrayList<>();
  private String endedBecause;

  RuleHarness(Protocol protocol, RuleEngine engine) {
    InetSocketAddress peer = new InetSocketAddress("192.0.2.7", 50000);
    this.engine = engine;
    FramingDecoder clientFramer;
    FramingDecoder serverFramer;
    if (protocol == Protocol.IMAP) {
      ImapSession imap = new ImapSession(peer, Limits.defaults());
      session = imap;
      clientFramer = new ImapFrameDecoder(ImapFrameDecoder.Side.CLIENT, imap.clientFraming());
      serverFramer = new ImapFrameDecoder(ImapFrameDecoder.Side.SERVER, imap.serverFraming());
    } else {
      Pop3Session pop3 = new Pop3Session(peer, Limits.defaults());
      session = pop3;
      clientFramer = new Pop3CommandDecoder(pop3::maxClientLine);
      serverFramer = new Pop3ResponseDecoder(pop3.serverFraming());
    }
    clientSide = channel(clientFramer, true);
    serverSide = channel(serverFramer, false);
  }

  /** An IMAP session judged by {@code rules} (a rule file's JSON). */
  static RuleHarness imap(String rules) {
    return new RuleHarness(Protocol.IMAP, engine(rules));
  }

  /** A POP3 session judged by {@code rules}. */
  static RuleHarness pop3(String rules) {
    return new RuleHarness(Protocol.POP3, engine(rules));
  }

  static RuleEngine engine(String rules) {
    RuleSet set = load(rules);
    return new RuleEngine(() -> set);
  }

  /** Loads a rule file's JSON; fails the test on any error. */
  static RuleSet load(String json) {
    RuleLoader.Result r = RuleLoader.load("test.json", json);
    assertThat(r.errors()).as("rule errors").isEmpty();
    return r.rules();
  }

  /** A rule file holding {@code rules} (each a JSON object). */
  static String file(String... rules) {
    return "{\"version\": 1, \"rules\": [" + String.join(",\n", rules) + "]}";
  }

  private EmbeddedChannel channel(FramingDecoder framer, boolean fromClient) {
    EmbeddedChannel ch =
        new EmbeddedChannel(
            framer,
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                WirePart part = (WirePart) msg;
                if (fromClient) {
                  clientPart(part);
                } else {
                  serverPart(part);
                }
              }
            });
    ch.config().setAllocator(alloc);
    return ch;
  }

  // ---- feeding

  /** The client sends {@code bytes} (one read). */
  RuleHarness client(String bytes) {
    clientSide.writeInbound(buffer(bytes));
    clientSide.checkException();
    return this;
  }

  /** The server sends {@code bytes} (one read). */
  RuleHarness server(String bytes) {
    serverSide.writeInbound(buffer(bytes));
    serverSide.checkException();
    return this;
  }

  private ByteBuf buffer(String bytes) {
    return alloc.heapBuffer(bytes.length()).writeBytes(bytes.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** The relay's clientPart: the chain, then the tracker sees what goes upstream. */
  private void clientPart(WirePart part) {
    try {
      Verdict v = engine.onClient(session, part);
      carryOut(v, part, true);
    } finally {
      // The chain's reference: the engine retained what it keeps.
      part.release();
    }
  }

  /** The relay's serverPart: the tracker first, then the chain. */
  private void serverPart(WirePart part) {
    try {
      session.serverSent(part);
      Verdict v = engine.onServer(session, part);
      carryOut(v, part, false);
    } finally {
      part.release();
    }
  }

  private void carryOut(Verdict v, WirePart part, boolean fromClient) {
    StringBuilder onward = fromClient ? toServer : toClient;
    StringBuilder back = fromClient ? toClient : toServer;
    if (v instanceof Verdict.Forward) {
      verdicts.add("forward");
      onward(part, fromClient, onward);
      return;
    }
    if (v instanceof Verdict.Hold) {
      verdicts.add("hold");
      return;
    }
    assertThat(v).as("the engine answers Forward, Hold or Emit").isInstanceOf(Verdict.Emit.class);
    Verdict.Emit emit = (Verdict.Emit) v;
    verdicts.add("emit");
    hits.addAll(emit.hits());
    for (Verdict.Step step : emit.steps()) {
      if (step instanceof Verdict.Send s) {
        handed.add(s.part().content());
        steps.add("send:" + text(s.part().content()));
        onward(s.part(), fromClient, onward);
        s.part().release();
      } else if (step instanceof Verdict.Trickle t) {
        handed.add(t.part().content());
        steps.add(
            "trickle "
                + t.chunkSize()
                + "/"
                + t.pause().toMillis()
                + "ms:"
                + text(t.part().content()));
        onward(t.part(), fromClient, onward);
        t.part().release();
      } else if (step instanceof Verdict.Pause p) {
        steps.add("pause:" + p.duration().toMillis() + "ms");
      } else if (step instanceof Verdict.Reply r) {
        handed.add(r.bytes());
        steps.add("reply:" + text(r.bytes()));
        back.append(text(r.bytes()));
        r.bytes().release();
      } else if (step instanceof Verdict.End e) {
        String words = e.lastWords() == null ? null : text(e.lastWords());
        steps.add("end:" + e.reason() + (words == null ? "" : "|" + words));
        endedBecause = e.reason();
        if (e.lastWords() != null) {
          handed.add(e.lastWords());
          toClient.append(words);
          e.lastWords().release();
        }
      }
    }
  }

  private void onward(WirePart part, boolean fromClient, StringBuilder onward) {
    ByteBuf b = part.content();
    sent.add(new Sent(part.kind(), part.frameStart(), part.frameEnd(), part.literal(), text(b)));
    if (fromClient) {
      session.clientSent(part);
    }
    onward.append(text(b));
  }

  private static String text(ByteBuf b) {
    return b.toString(b.readerIndex(), b.readableBytes(), StandardCharsets.ISO_8859_1);
  }

  // ---- what came out

  /** What went to the server since the last call. */
  /** The session ends: the engine releases what it holds (as the relay asks it to). */
  void endSession() {
    engine.onClose(session);
  }

  String toServer() {
    String s = toServer.toString();
    toServer.setLength(0);
    return s;
  }

  /** What went to the client since the last call. */
  String toClient() {
    String s = toClient.toString();
    toClient.setLength(0);
    return s;
  }

  /** The engine's verdicts on each part since the last call: forward, hold or emit. */
  List<String> verdicts() {
    List<String> v = List.copyOf(verdicts);
    verdicts.clear();
    return v;
  }

  /**
   * The emitted steps since the last call: {@code send:<bytes>}, {@code trickle <chunk>/<pause
   * ms>:<bytes>}, {@code pause:<ms>ms}, {@code reply:<bytes>}, {@code end:<reason>|<last words>}.
   */
  List<String> steps() {
    List<String> s = List.copyOf(steps);
    steps.clear();
    return s;
  }

  /** The parts that went onward (forwarded or sent) since the last call. */
  List<Sent> sent() {
    List<Sent> s = List.copyOf(sent);
    sent.clear();
    return s;
  }

  /** The rule hits since the last call, as {@code id/action}. */
  List<String> hits() {
    List<String> h = hits.stream().map(x -> x.rule() + "/" + x.action()).toList();
    hits.clear();
    return h;
  }

  /** The rule hits since the last call, whole. */
  List<Verdict.Hit> hitDetails() {
    List<Verdict.Hit> h = List.copyOf(hits);
    hits.clear();
    return h;
  }

  /** Why an End step ended the session, or null. */
  String endedBecause() {
    return endedBecause;
  }

  ImapSession imap() {
    return (ImapSession) session;
  }

  Pop3Session pop3() {
    return (Pop3Session) session;
  }

  // ---- common exchanges

  /** IMAP: greeting, LOGIN, SELECT of {@code mailbox} with {@code exists} messages. */
  RuleHarness selected(String mailbox, int exists) {
    server("* OK [CAPABILITY IMAP4rev1 IDLE LITERAL+] ready\r\n");
    client("a0 LOGIN bob pw\r\n");
    server("a0 OK [CAPABILITY IMAP4rev1 IDLE MOVE LITERAL+] Logged in\r\n");
    client("s1 SELECT " + mailbox + "\r\n");
    server("* " + exists + " EXISTS\r\n");
    server("* OK [UIDVALIDITY 7] UIDs valid\r\n");
    server("s1 OK [READ-WRITE] Select completed\r\n");
    drain();
    return this;
  }

  /** POP3: greeting, USER/PASS. */
  RuleHarness loggedIn() {
    server("+OK POP3 ready\r\n");
    client("USER bob\r\n");
    server("+OK\r\n");
    client("PASS secret\r\n");
    server("+OK Logged in.\r\n");
    drain();
    return this;
  }

  /** Forgets what came out so far. */
  RuleHarness drain() {
    toServer();
    toClient();
    verdicts();
    steps();
    sent();
    hits();
    return this;
  }

  /** Why rule {@code id} does (not) match {@code bytes} as a whole frame now (null: it matches). */
  String miss(String ruleId, boolean fromClient, String bytes, RuleSet set) {
    Rule rule = set.rules().stream().filter(r -> r.id().equals(ruleId)).findFirst().orElseThrow();
    Frame frame =
        new Frame(
            session,
            fromClient,
            FrameImage.of(
                bytes.getBytes(StandardCharsets.ISO_8859_1), session.protocol() == Protocol.IMAP),
            true);
    return rule.when().miss(frame.explain());
  }

  /**
   * Ends the session's channels and checks that every buffer the framers made and every buffer the
   * engine handed over has been released exactly as often as retained.
   */
  @Override
  public void close() {
    clientSide.finishAndReleaseAll();
    serverSide.finishAndReleaseAll();
    List<String> live =
        alloc.allocated.stream()
            .filter(b -> b.refCnt() != 0)
            .map(b -> b.refCnt() + "x " + b)
            .collect(Collectors.toList());
    handed.stream().filter(b -> b.refCnt() != 0).forEach(b -> live.add(b.refCnt() + "x " + b));
    assertThat(live).as("buffers still referenced after the session").isEmpty();
  }

  /** Unpooled heap buffers (leak-aware, never recycled) that it remembers, to check at the end. */
  private static final class TrackingAllocator extends AbstractByteBufAllocator {
    final List<ByteBuf> allocated = new ArrayList<>();

    TrackingAllocator() {
      super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
      ByteBuf b = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
      allocated.add(b);
      return b;
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
      return newHeapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
      return false;
    }
  }
}
