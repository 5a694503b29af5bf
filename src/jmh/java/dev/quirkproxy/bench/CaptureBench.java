package dev.quirkproxy.bench;

import static dev.quirkproxy.bench.Inputs.ascii;

import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.capture.CaptureStore;
import dev.quirkproxy.capture.Direction;
import dev.quirkproxy.capture.SessionCapture;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.Limits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Recording: {@link SessionCapture#received} of server parts into a {@link CaptureStore} in a temp
 * directory (default settings: redacting, 4 KiB inline limit), measured end to end — an operation
 * records a batch and waits until the writer thread has written its last event (it releases the
 * event's buffer then), so the time is the sustained cost of the event loop's enqueue plus the
 * writer's JSON rendering and file writes, per event. A new capture (and store) per iteration;
 * files are deleted after each.
 *
 * <ul>
 *   <li>{@code line1k}: 1,024 untagged response lines of 1 KiB each (inline: UTF-8 check and JSON
 *       text escaping).
 *   <li>{@code literal64k}: 64 literal chunks of 64 KiB (above the inline limit: appended to the
 *       capture's .blob file, one JSON line each).
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CaptureBench {

  static final int LINES = 1024;
  static final int CHUNKS = 64;

  private byte[] line;
  private byte[] chunk;
  private Path dir;
  private CaptureStore store;
  private SessionCapture capture;

  @Setup(Level.Trial)
  public void setup() {
    StringBuilder b =
        new StringBuilder(
            "* 4018 FETCH (UID 4018 X-GM-LABELS (\\Inbox \\Important) ENVELOPE (\"Mon, 3 Mar 2025"
                + " 10:15:00 +0000\" \"");
    while (b.length() < 1024 - 4) {
      b.append("Quarterly report, draft ").append(b.length()).append("; ");
    }
    b.setLength(1024 - 4);
    b.append("\"))\r\n");
    line = ascii(b.substring(0, 1022) + "\r\n");
    chunk = Inputs.message(65536, 3);
    System.out.printf(
        java.util.Locale.ROOT,
        "%n[capture] line %d bytes x %d per op, chunk %d bytes x %d per op%n",
        line.length,
        LINES,
        chunk.length,
        CHUNKS);
  }

  @Setup(Level.Iteration)
  public void open() throws IOException {
    dir = Files.createTempDirectory("quirkproxy-jmh-capture");
    store = new CaptureStore(CaptureSettings.in(dir));
    store.checkWritable();
    ImapSession session =
        new ImapSession(new InetSocketAddress("127.0.0.1", 50000), Limits.defaults());
    capture =
        SessionCapture.start(
            store,
            session,
            Map.of("listen", "127.0.0.1:1143", "upstream", "imap://127.0.0.1:143"),
            Runnable::run,
            e -> {
              throw new UncheckedIOException(e);
            });
    capture.ready().join();
  }

  @TearDown(Level.Iteration)
  public void close() throws IOException {
    capture.finish("bench");
    store.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  @OperationsPerInvocation(LINES)
  public long line1k() {
    ByteBuf last = null;
    long seq = 0;
    for (int i = 0; i < LINES; i++) {
      last = Unpooled.wrappedBuffer(line);
      seq = record(WirePart.line(last, true, true, null));
    }
    awaitWritten(last);
    return seq;
  }

  @Benchmark
  @OperationsPerInvocation(CHUNKS)
  public long literal64k() {
    ByteBuf last = null;
    long seq = 0;
    for (int i = 0; i < CHUNKS; i++) {
      last = Unpooled.wrappedBuffer(chunk);
      seq = record(WirePart.literalChunk(last));
    }
    awaitWritten(last);
    return seq;
  }

  private long record(WirePart part) {
    try {
      return capture.received(Direction.UPSTREAM_TO_PROXY, part);
    } finally {
      part.release();
    }
  }

  /** The writer releases an event's buffer once written; events are written in order. */
  private static void awaitWritten(ByteBuf last) {
    while (last.refCnt() > 0) {
      LockSupport.parkNanos(20_000);
    }
  }
}
