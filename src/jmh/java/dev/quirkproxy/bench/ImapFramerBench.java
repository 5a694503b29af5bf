package dev.quirkproxy.bench;

import static dev.quirkproxy.bench.Inputs.ascii;

import dev.quirkproxy.codec.imap.ImapFrameDecoder;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.Limits;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The IMAP framer ({@link ImapFrameDecoder}) in an EmbeddedChannel, fed 16 KiB pooled direct
 * buffers, with the framing contexts of a real {@link ImapSession}. One operation is a whole
 * stream; MB/s = bytes/op (printed at setup) / time/op.
 *
 * <ul>
 *   <li>{@code serverFetchLiterals}: 16 × {@code * n FETCH (UID … FLAGS (\Seen) BODY[] {65536}} +
 *       64 KiB + {@code )} (1 MiB of a {@code UID FETCH 1:16 (FLAGS BODY.PEEK[])} answer).
 *   <li>{@code serverSmallUntagged}: 2,000 {@code * n FETCH (UID m FLAGS (…))} lines (a flag
 *       resync), about 90 KB.
 *   <li>{@code clientCommands}: 20 × a 10-command Thunderbird-like session slice, one {@code
 *       APPEND} with a 4 KiB LITERAL+ message among them.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ImapFramerBench {

  private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 50000);

  private byte[] fetchLiterals;
  private byte[] smallUntagged;
  private byte[] commands;
  private Feeder serverLiterals;
  private Feeder serverSmall;
  private Feeder client;

  @Setup(Level.Trial)
  public void setup() {
    StringBuilder s = new StringBuilder();
    java.io.ByteArrayOutputStream fetch = new java.io.ByteArrayOutputStream();
    for (int i = 1; i <= 16; i++) {
      fetch.writeBytes(
          ascii(
              "* "
                  + i
                  + " FETCH (UID "
                  + (4000 + i)
                  + " FLAGS (\\Seen) MODSEQ (1234"
                  + i
                  + ") BODY[] {65536}\r\n"));
      fetch.writeBytes(Inputs.message(65536, i));
      fetch.writeBytes(ascii(")\r\n"));
    }
    fetch.writeBytes(ascii("A0042 OK Fetch completed (0.012 + 0.000 + 0.011 secs).\r\n"));
    fetchLiterals = fetch.toByteArray();

    for (int i = 1; i <= 2000; i++) {
      s.append("* ")
          .append(i)
          .append(" FETCH (UID ")
          .append(10000 + i)
          .append(i % 3 == 0 ? " FLAGS (\\Seen \\Answered))\r\n" : " FLAGS (\\Seen))\r\n");
    }
    smallUntagged = ascii(s.toString());

    byte[] msg = Inputs.message(4096, 99);
    java.io.ByteArrayOutputStream c = new java.io.ByteArrayOutputStream();
    for (int r = 0; r < 20; r++) {
      int t = r * 10;
      c.writeBytes(ascii((t + 1) + " noop\r\n"));
      c.writeBytes(ascii((t + 2) + " UID fetch 4001:* (FLAGS)\r\n"));
      c.writeBytes(
          ascii(
              (t + 3)
                  + " UID fetch 4017:4020 (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From"
                  + " To Cc Bcc Subject Date Message-ID Priority X-Priority References Newsgroups"
                  + " In-Reply-To Content-Type Reply-To)])\r\n"));
      c.writeBytes(ascii((t + 4) + " UID fetch 4018 (UID RFC822.SIZE BODY.PEEK[])\r\n"));
      c.writeBytes(ascii((t + 5) + " uid store 4018 +FLAGS (\\Seen)\r\n"));
      c.writeBytes(ascii((t + 6) + " STATUS \"Sent\" (UIDNEXT MESSAGES UNSEEN RECENT)\r\n"));
      c.writeBytes(ascii((t + 7) + " list (subscribed) \"\" \"*\" return (special-use)\r\n"));
      c.writeBytes(ascii((t + 8) + " APPEND \"Sent\" (\\Seen) {" + msg.length + "+}\r\n"));
      c.writeBytes(msg);
      c.writeBytes(ascii("\r\n"));
      c.writeBytes(ascii((t + 9) + " select \"INBOX\" (CONDSTORE)\r\n"));
      c.writeBytes(ascii((t + 10) + " IDLE\r\nDONE\r\n"));
    }
    commands = c.toByteArray();

    serverLiterals = newServer();
    serverSmall = newServer();
    client =
        new Feeder(new ImapFrameDecoder(ImapFrameDecoder.Side.CLIENT, session().clientFraming()));
    serverLiterals.check(fetchLiterals, "serverFetchLiterals");
    serverSmall.check(smallUntagged, "serverSmallUntagged");
    client.check(commands, "clientCommands");
  }

  private static ImapSession session() {
    return new ImapSession(CLIENT, Limits.defaults());
  }

  private static Feeder newServer() {
    return new Feeder(
        new ImapFrameDecoder(ImapFrameDecoder.Side.SERVER, session().serverFraming()));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    serverLiterals.close();
    serverSmall.close();
    client.close();
  }

  @Benchmark
  public long serverFetchLiterals() {
    return serverLiterals.feed(fetchLiterals);
  }

  @Benchmark
  public long serverSmallUntagged() {
    return serverSmall.feed(smallUntagged);
  }

  @Benchmark
  public long clientCommands() {
    return client.feed(commands);
  }
}
