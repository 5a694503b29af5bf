package dev.quirkproxy.bench;

import static dev.quirkproxy.bench.Inputs.ascii;

import dev.quirkproxy.codec.pop3.Pop3CommandDecoder;
import dev.quirkproxy.codec.pop3.Pop3FramingContext;
import dev.quirkproxy.codec.pop3.Pop3ResponseDecoder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
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
 * The POP3 framers. {@code retrBodies}: the response framer on a RETR stream: 8 × {@code +OK n
 * octets} + a 128 KiB message (dot-stuffed where a line starts with '.') + {@code .CRLF}, 1 MiB
 * per operation, in 16 KiB pooled direct buffers. The body scan looks at every octet for the
 * terminator, so this is the framer's worst case per byte. {@code clientCommands}: the command
 * framer on 100 × a 10-command mail-check session (CAPA, USER, PASS, STAT, UIDL, LIST, RETR, DELE,
 * NOOP, QUIT; 1,000 lines, 8,100 B). MB/s = bytes/op / time/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class Pop3FramerBench {

  private byte[] retrs;
  private Feeder feeder;
  private byte[] commands;
  private Feeder commandFeeder;

  @Setup(Level.Trial)
  public void setup() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 1; i <= 8; i++) {
      String body = new String(Inputs.message(128 * 1024, i), StandardCharsets.US_ASCII);
      // Some lines start with '.', which the server dot-stuffs (RFC 1939 §3).
      body = body.replace("\r\nA", "\r\n..A");
      byte[] b = ascii(body);
      out.writeBytes(ascii("+OK " + b.length + " octets\r\n"));
      out.writeBytes(b);
      out.writeBytes(ascii(".\r\n"));
    }
    retrs = out.toByteArray();
    // The session tracker's answer for a RETR: every +OK starts a body.
    Pop3FramingContext context =
        new Pop3FramingContext() {
          @Override
          public int maxLineLength() {
            return 64 * 1024;
          }

          @Override
          public boolean statusLine(String statusLine) {
            return statusLine.startsWith("+OK");
          }
        };
    feeder = new Feeder(new Pop3ResponseDecoder(context));
    feeder.check(retrs, "pop3Retr");

    ByteArrayOutputStream cmds = new ByteArrayOutputStream();
    for (int i = 1; i <= 100; i++) {
      cmds.writeBytes(
          ascii(
              "CAPA\r\nUSER bench\r\nPASS secret\r\nSTAT\r\nUIDL\r\nLIST\r\nRETR "
                  + (100 + i)
                  + "\r\nDELE "
                  + (100 + i)
                  + "\r\nNOOP\r\nQUIT\r\n"));
    }
    commands = cmds.toByteArray();
    commandFeeder = new Feeder(new Pop3CommandDecoder(() -> 255));
    commandFeeder.check(commands, "pop3Commands");
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    feeder.close();
    commandFeeder.close();
  }

  @Benchmark
  public long retrBodies() {
    return feeder.feed(retrs);
  }

  @Benchmark
  public long clientCommands() {
    return commandFeeder.feed(commands);
  }
}
