package dev.quirkproxy.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs a framer the way netty's own decoder tests do: every script runs twice, once with each write
 * handed to the decoder whole and once fed one byte per buffer, and both runs must emit the same
 * parts. Parts are copied out and released at once; every run ends with {@code finish()} returning
 * false and with the emitted bytes adding up to exactly the bytes written.
 *
 * <p>A literal or body arrives in as many chunks as reads, so runs are compared after merging
 * adjacent literal chunks (and adjacent body chunks of one body); the chunks themselves are checked
 * for their invariants (never empty, a literal chunk never starts or ends a frame, only the last
 * chunk of a body ends it).
 *
 * <p>Between decoder and the test sits a tap that sees every part as it is emitted, before the
 * decoder looks at the following bytes: the same moment the relay feeds its session tracker.
 */
public final class FramerHarness {

  private FramerHarness() {}

  /** How a run hands written bytes to the decoder. */
  public enum Feed {
    /** Every {@link Driver#write} is one buffer. */
    WHOLE,
    /** Every byte is its own buffer. */
    BYTE_BY_BYTE
  }

  /** One emitted part, copied: the bytes as ISO-8859-1 text (one char per octet). */
  public record Part(
      WirePart.Kind kind, boolean frameStart, boolean frameEnd, Literal literal, String bytes) {

    /** A line that is a whole frame. */
    public static Part line(String bytes) {
      return new Part(WirePart.Kind.LINE, true, true, null, bytes);
    }

    public static Part line(String bytes, boolean frameStart, boolean frameEnd, Literal literal) {
      return new Part(WirePart.Kind.LINE, frameStart, frameEnd, literal, bytes);
    }

    /** Literal octets (after merging chunks). */
    public static Part literal(String bytes) {
      return new Part(WirePart.Kind.LITERAL, false, false, null, bytes);
    }

    /** Body octets (after merging chunks); {@code end} when the terminator is in it. */
    public static Part body(String bytes, boolean end) {
      return new Part(WirePart.Kind.BODY, false, end, null, bytes);
    }

    static Part of(WirePart p) {
      ByteBuf b = p.content();
      return new Part(
          p.kind(),
          p.frameStart(),
          p.frameEnd(),
          p.literal(),
          b.toString(b.readerIndex(), b.readableBytes(), StandardCharsets.ISO_8859_1));
    }

    @Override
    public String toString() {
      return kind
          + (frameStart ? "[start]" : "")
          + (frameEnd ? "[end]" : "")
          + (literal != null ? literal.toString() : "")
          + " \""
          + escape(bytes)
          + "\"";
    }
  }

  /** The body of a test: writes bytes and plays the other direction through the context. */
  @FunctionalInterface
  public interface Script<C> {
    void run(Driver<C> d) throws Exception;
  }

  /** What a script drives: one channel with the decoder, one context. */
  public static final class Driver<C> {
    private final C context;
    private final EmbeddedChannel channel;
    private final Feed feed;
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final List<Part> raw = new ArrayList<>();
    private RuntimeException failure;

    Driver(C context, EmbeddedChannel channel, Feed feed) {
      this.context = context;
      this.channel = channel;
      this.feed = feed;
    }

    public C ctx() {
      return context;
    }

    public Feed feed() {
      return feed;
    }

    /** Writes text, one char per octet. */
    public void write(String iso8859) {
      write(iso8859.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Writes bytes, whole or one by one. A decoder exception is kept (see {@link Outcome#failure})
     * and later writes are ignored, as the relay closes the session.
     */
    public void write(byte[] bytes) {
      if (failure != null) {
        return;
      }
      if (feed == Feed.WHOLE) {
        writeBuffer(bytes, 0, bytes.length);
      } else {
        for (int i = 0; i < bytes.length && failure == null; i++) {
          writeBuffer(bytes, i, 1);
        }
      }
      drain();
    }

    /** Writes bytes in buffers of {@code chunk} octets whatever the feed (for big inputs). */
    public void writeInChunks(byte[] bytes, int chunk) {
      for (int i = 0; i < bytes.length && failure == null; i += chunk) {
        writeBuffer(bytes, i, Math.min(chunk, bytes.length - i));
        drain();
      }
    }

    private void writeBuffer(byte[] bytes, int from, int length) {
      ByteBuf buf = channel.alloc().buffer(length).writeBytes(bytes, from, length);
      try {
        channel.writeInbound(buf);
        written.write(bytes, from, length);
      } catch (RuntimeException e) {
        written.write(bytes, from, length);
        failure = e;
      }
    }

    /** The parts emitted so far, chunks merged. */
    public List<Part> parts() {
      drain();
      return merge(raw);
    }

    /** The parts emitted so far as they came, chunk by chunk. */
    public List<Part> rawParts() {
      drain();
      return List.copyOf(raw);
    }

    void drain() {
      for (Object m; (m = channel.readInbound()) != null; ) {
        assertThat(m).isInstanceOf(WirePart.class);
        WirePart p = (WirePart) m;
        try {
          raw.add(Part.of(p));
        } finally {
          p.release();
        }
      }
    }
  }

  /** The result of both runs. */
  public record Outcome<C>(
      List<Part> parts,
      List<Part> rawWhole,
      List<Part> rawBytes,
      C whole,
      C bytewise,
      RuntimeException failureWhole,
      RuntimeException failureBytes) {

    /** The contexts of both runs, to assert the same of each. */
    public List<C> contexts() {
      return List.of(whole, bytewise);
    }

    /** The decoder exceptions of both runs (each non-null when the test expects one). */
    public List<RuntimeException> failures() {
      List<RuntimeException> l = new ArrayList<>();
      l.add(failureWhole);
      l.add(failureBytes);
      return l;
    }
  }

  /**
   * Runs {@code script} twice (whole, byte by byte) with a fresh context and decoder each time.
   *
   * @param tap called with every part as it leaves the decoder (the part is still owned by the
   *     harness; a tap that keeps or forwards it must retain it)
   */
  public static <C> Outcome<C> run(
      Supplier<C> newContext,
      Function<C, ChannelHandler> newDecoder,
      BiConsumer<C, WirePart> tap,
      Script<C> script) {
    Driver<C> whole = runOnce(newContext, newDecoder, tap, script, Feed.WHOLE);
    Driver<C> bytewise = runOnce(newContext, newDecoder, tap, script, Feed.BYTE_BY_BYTE);
    List<Part> a = merge(whole.raw);
    List<Part> b = merge(bytewise.raw);
    assertThat(b).as("parts fed byte by byte vs whole").isEqualTo(a);
    assertThat(whole.failure == null)
        .as(
            "a failure happens in both runs or in neither: %s / %s",
            whole.failure, bytewise.failure)
        .isEqualTo(bytewise.failure == null);
    if (whole.failure != null) {
      assertThat(bytewise.failure).isExactlyInstanceOf(whole.failure.getClass());
    }
    return new Outcome<>(
        a,
        List.copyOf(whole.raw),
        List.copyOf(bytewise.raw),
        whole.context,
        bytewise.context,
        whole.failure,
        bytewise.failure);
  }

  /** Runs {@code script} once with the given feed (for inputs too big to feed byte by byte). */
  public static <C> Driver<C> runOnce(
      Supplier<C> newContext,
      Function<C, ChannelHandler> newDecoder,
      BiConsumer<C, WirePart> tap,
      Script<C> script,
      Feed feed) {
    C context = newContext.get();
    EmbeddedChannel channel =
        new EmbeddedChannel(
            newDecoder.apply(context),
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                tap.accept(context, (WirePart) msg);
                ctx.fireChannelRead(msg);
              }
            });
    Driver<C> d = new Driver<>(context, channel, feed);
    try {
      script.run(d);
    } catch (RuntimeException e) {
      closeQuietly(d);
      throw e;
    } catch (Exception e) {
      closeQuietly(d);
      throw new AssertionError(e);
    }
    d.drain();
    checkChunks(d.raw);
    byte[] input = d.written.toByteArray();
    String emitted = concat(d.raw);
    String in = new String(input, StandardCharsets.ISO_8859_1);
    if (d.failure == null) {
      assertThat(channel.finish()).as("leftover messages after finish (%s)", feed).isFalse();
      assertThat(emitted).as("concatenated parts == input (%s)", feed).isEqualTo(in);
    } else {
      // The decoder gave up and the relay closes the connection: the decoder reports the
      // failure once, emits nothing more and keeps nothing.
      assertThat(d.channel.finish()).as("nothing after a failure (%s)", feed).isFalse();
      assertThat(in).as("emitted bytes are a prefix of the input (%s)", feed).startsWith(emitted);
    }
    return d;
  }

  private static void closeQuietly(Driver<?> d) {
    // Only after a test's own assertion failed: leave nothing behind for the leak detector.
    try {
      d.channel.finish();
    } catch (RuntimeException ignored) {
      // the decoder may fail again on what it still holds
    }
    for (Object m; (m = d.channel.readInbound()) != null; ) {
      io.netty.util.ReferenceCountUtil.release(m);
    }
  }

  private static void checkChunks(List<Part> raw) {
    for (int i = 0; i < raw.size(); i++) {
      Part p = raw.get(i);
      assertThat(p.bytes()).as("part %d is not empty: %s", i, p).isNotEmpty();
      switch (p.kind()) {
        case LINE -> assertThat(p.bytes()).as("a line ends with LF: %s", p).endsWith("\n");
        case LITERAL -> {
          assertThat(p.frameStart() || p.frameEnd() || p.literal() != null)
              .as("a literal chunk neither starts nor ends a frame: %s", p)
              .isFalse();
          assertThat(i).as("a literal follows a line or a literal chunk").isPositive();
        }
        case BODY -> {
          assertThat(p.frameStart()).as("a body chunk never starts a frame").isFalse();
          assertThat(i).as("a body follows a line or a body chunk").isPositive();
          Part before = raw.get(i - 1);
          assertThat(before.frameEnd()).as("a body follows a frame that is not over").isFalse();
        }
        default -> throw new IllegalStateException();
      }
    }
  }

  /** Merges adjacent literal chunks, and adjacent body chunks up to the one ending the frame. */
  public static List<Part> merge(List<Part> raw) {
    List<Part> out = new ArrayList<>();
    for (Part p : raw) {
      Part last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null
          && p.kind() != WirePart.Kind.LINE
          && last.kind() == p.kind()
          && !last.frameEnd()) {
        out.set(
            out.size() - 1,
            new Part(p.kind(), false, p.frameEnd(), null, last.bytes() + p.bytes()));
      } else {
        out.add(p);
      }
    }
    return out;
  }

  static String concat(List<Part> parts) {
    StringBuilder b = new StringBuilder();
    parts.forEach(p -> b.append(p.bytes()));
    return b.toString();
  }

  /**
   * Writes each of {@code writes} to {@code decoder} as one buffer and closes the channel, the way
   * the relay would after a failure; returns every exception that reached the end of the pipeline.
   * Parts emitted are released; their bytes are added to {@code emitted}.
   */
  public static List<Throwable> exceptionsReported(
      ChannelHandler decoder, List<String> emitted, String... writes) {
    List<Throwable> caught = new ArrayList<>();
    EmbeddedChannel channel =
        new EmbeddedChannel(
            decoder,
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                WirePart p = (WirePart) msg;
                emitted.add(Part.of(p).bytes());
                p.release();
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                caught.add(cause);
              }
            });
    for (String w : writes) {
      channel.writeInbound(Unpooled.copiedBuffer(w, StandardCharsets.ISO_8859_1));
    }
    assertThat(channel.finish()).isFalse();
    return caught;
  }

  /** A one-line frame as a peer's framer would emit it (to play the other direction). */
  public static WirePart line(String text) {
    return WirePart.line(
        Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1), true, true, null);
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 200; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\r' -> b.append("\\r");
        case '\n' -> b.append("\\n");
        case 0 -> b.append("\\0");
        default -> b.append(c >= ' ' && c < 0x7f ? c : '?');
      }
    }
    if (s.length() > 200) {
      b.append("...(").append(s.length()).append(" octets)");
    }
    return b.toString();
  }
}
