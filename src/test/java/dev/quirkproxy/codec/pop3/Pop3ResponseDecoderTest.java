package dev.quirkproxy.codec.pop3;

import static dev.quirkproxy.codec.FramerHarness.Part.body;
import static dev.quirkproxy.codec.FramerHarness.Part.line;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.codec.FramerHarness;
import dev.quirkproxy.codec.FramerHarness.Driver;
import dev.quirkproxy.codec.FramerHarness.Outcome;
import dev.quirkproxy.codec.FramerHarness.Part;
import dev.quirkproxy.codec.FramerHarness.Script;
import dev.quirkproxy.codec.LimitExceededException;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.session.Limits;
import dev.quirkproxy.session.Pop3Session;
import dev.quirkproxy.session.Pop3State;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * POP3 server responses (RFC 1939 §3, RFC 2449 CAPA and pipelining, RFC 5034 AUTH): whether a
 * {@code +OK} opens a body is decided by the session's queue of pending commands, which the test
 * fills as the relay does before the answers arrive.
 */
class Pop3ResponseDecoderTest {

  private static final String GREETING = "+OK POP3 ready <1896.697170952@dbc.mmm.com>\r\n";

  private static final Limits LIMITS =
      new Limits(64, 128, 1000, 20, 100_000, Duration.ofMinutes(30), Duration.ofMinutes(3));

  private final Map<Pop3Session, Pop3ResponseDecoder> decoders = new IdentityHashMap<>();

  private Outcome<Pop3Session> run(Script<Pop3Session> script) {
    return FramerHarness.run(
        () -> new Pop3Session(new InetSocketAddress("127.0.0.1", 50000), LIMITS),
        s -> {
          Pop3ResponseDecoder d = new Pop3ResponseDecoder(s.serverFraming());
          decoders.put(s, d);
          return d;
        },
        Pop3Session::serverSent,
        script);
  }

  /** The relay forwarded these client lines (text without CRLF) before the answers arrive. */
  private static void client(Driver<Pop3Session> d, String... lines) {
    for (String text : lines) {
      WirePart p = FramerHarness.line(text + "\r\n");
      try {
        d.ctx().clientSent(p);
      } finally {
        p.release();
      }
    }
  }

  private boolean atBoundary(Driver<Pop3Session> d) {
    return decoders.get(d.ctx()).atFrameBoundary();
  }

  private static Part status(String s) {
    return line(s, true, false, null);
  }

  @Test
  void greeting() {
    Outcome<Pop3Session> o = run(d -> d.write(GREETING));
    assertThat(o.parts()).containsExactly(line(GREETING));
  }

  @Test
  void greetingBeforeWhichTheClientPipelinedCapa() {
    Outcome<Pop3Session> o =
        run(
            d -> {
              client(d, "CAPA");
              d.write(
                  GREETING + "+OK Capability list follows\r\nTOP\r\nUIDL\r\nSASL PLAIN\r\n.\r\n");
            });
    assertThat(o.parts())
        .containsExactly(
            line(GREETING),
            status("+OK Capability list follows\r\n"),
            body("TOP\r\nUIDL\r\nSASL PLAIN\r\n.\r\n", true));
  }

  @Test
  void singleLineOkAndErr() {
    Outcome<Pop3Session> o =
        run(
            d -> {
              d.write(GREETING);
              client(d, "USER bob", "PASS wrong");
              d.write("+OK bob\r\n-ERR [AUTH] invalid password\r\n");
            });
    assertThat(o.parts())
        .containsExactly(
            line(GREETING), line("+OK bob\r\n"), line("-ERR [AUTH] invalid password\r\n"));
    for (Pop3Session s : o.contexts()) {
      assertThat(s.state()).isEqualTo(Pop3State.AUTHORIZATION);
      assertThat(s.pendingCount()).isZero();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"RETR 1", "TOP 1 0", "CAPA", "LIST", "UIDL", "retr 2", "LIST "})
  void multiLineOnSuccess(String command) {
    Outcome<Pop3Session> o =
        run(
            d -> {
              d.write(GREETING);
              client(d, command, "NOOP");
              d.write("+OK\r\nline one\r\nline two\r\n.\r\n+OK\r\n");
            });
    assertThat(o.parts())
        .containsExactly(
            line(GREETING),
            status("+OK\r\n"),
            body("line one\r\nline two\r\n.\r\n", true),
            line("+OK\r\n"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"LIST 1", "UIDL 1", "STAT", "DELE 1", "NOOP", "RSET", "USER bob", "AUTH PLAIN"})
  void singleLineOnSuccess(String command) {
    Outcome<Pop3Session> o =
        run(
            d -> {
              d.write(GREETING);
              client(d, command, "NOOP");
              d.write("+OK 1 120\r\n.\r\n");
            });
    // The "." is the answer to NOOP as far as framing goes: a line, not a terminator.
    assertThat(o.parts()).containsExactly(line(GREETING), line("+OK 1 120\r\n"), line(".\r\n"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"RETR 9", "TOP 1 0", "CAPA", "LIST", "UIDL", "AUTH"})
  void errorToAMultiLineCommandIsOneLine(String command) {
    Outcome<Pop3Session> o =
        run(
            d -> {
              d.write(GREETING);
              client(d, command, "NOOP");
              d.write("-ERR no such message\r\n+OK\r\n");
            });
    assertThat(o.parts())
        .containsExactly(line(GREETING), line("-ERR no such message\r\n"), line("+OK\r\n"));
  }

  @Test
  void dotStuffingAndDotsElsewhereAreBodyOctets() {
    String bodyText = "..x\r\n...\r\na.b\r\n .\r\n.. \r\n..\r\nend.\r\n.\r\n";
    Outcome<Pop3Session> o =
        run(
            d -> {
              d.write(GREETING);
              client(d, "RETR 1");
              d.write("+OK 40 octets\r\n" + bodyText);
            });
    assertThat(o.parts())
        .containsExactly(line(GREETING), status("+OK 40 octets\r\n"), body(bodyText, true));
  }

  @Test
  void terminatorSplitAcrossReads() {
    Outcome<Pop3Session> o =
        run(
            d -> {
              d.write(GREETING);
              client(d, "RETR 1", "STAT");
              d.write("+OK\r\nabc\r\n.");
              assertThat(atBoundary(d)).isFalse();
              d.write("\r");
              assertThat(atBoundary(d)).isFalse();
              d.write("\n+OK 1 3\r\n");
              assertThat(atBoundary(d)).isTrue();
            });
    assertThat(o.parts())
        .containsExactly(
            line(GREETING), status("+OK\r\n"), body("abc\r\n.\r\n", true), line("+OK 1 3\r\n"));
    assertThat(o.rawWhole())
        .containsExactly(
            line(GREETING),
            status("+OK\r\n"),
            body("abc\r\n.", false),
            body("\r", false),
            body("\n", true),
            line("+OK 1 3\r\n"));
  }

  @Test
  void emptyBodyTerminatorAtTheVeryStart() {
    Outcome<Pop3Session> o =
        run(
            d -> {
              d.write(GREETING);
              client(d, "LIST", "NOOP");
              d.write("+OK 0 messages\r\n.\r\n+OK\r\n");
            });
    assertThat(o.parts())
        .containsExactly(
            line(GREETING), status("+OK 0 messages\r\n"), body(".\r\n", true), line("+OK\r\n"));
  }

  @Test
  void bodyWithEmptyLines() {
    Outcome<Pop3Session> o =
        run(
            d -> {
              d.write(GREETING);
              client(d, "RETR 1");
              d.write("+OK\r\nSubject: x\r\n\r\n\r\n.\r\n");
            });
    assertThat(o.parts())
        .containsExactly(
            line(GREETING), status("+OK\r\n"), body("Subject: x\r\n\r\n\r\n.\r\n", true));
  }

  @Test
  void lfOnlyTerminator() {
    Outcome<Pop3Session> o =
        run(
            d -> {
              d.write(GREETING);
              client(d, "RETR 1", "NOOP");
              d.write("+OK\nabc\n..\n.\n+OK\n");
            });
    assertThat(o.parts())
        .containsExactly(
            line(GREETING), status("+OK\n"), body("abc\n..\n.\n", true), line("+OK\n"));
  }

  @Test
  void pipelinedResponsesToPipelinedCommands() {
    String stat = "+OK 2 320\r\n";
    String list = "+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n";
    String uidl = "+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n";
    String retr = "+OK 120 octets\r\nSubject: one\r\n\r\n..dot\r\n.\r\n";
    Outcome<Pop3Session> o =
        run(
            d -> {
              d.write(GREETING);
              client(d, "STAT", "LIST", "UIDL", "RETR 1");
              d.write(stat + list + uidl + retr);
            });
    assertThat(o.parts())
        .containsExactly(
            line(GREETING),
            line(stat),
            status("+OK 2 messages\r\n"),
            body("1 120\r\n2 200\r\n.\r\n", true),
            status("+OK\r\n"),
            body("1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n", true),
            status("+OK 120 octets\r\n"),
            body("Subject: one\r\n\r\n..dot\r\n.\r\n", true));
    assertThat(o.contexts()).allSatisfy(s -> assertThat(s.pendingCount()).isZero());
  }

  @Test
  void authPlainWithContinuation() {
    Outcome<Pop3Session> o =
        run(
            d -> {
              d.write(GREETING);
              client(d, "AUTH PLAIN");
              d.write("+ \r\n");
              assertThat(d.ctx().describeClientLine("AGJvYgBzZWNyZXQ="))
                  .isEqualTo("(SASL response)");
              client(d, "AGJvYgBzZWNyZXQ=");
              assertThat(d.ctx().pendingCount()).isEqualTo(1);
              d.write("+OK Logged in.\r\n");
              assertThat(d.ctx().state()).isEqualTo(Pop3State.TRANSACTION);
              client(d, "LIST");
              d.write("+OK\r\n1 10\r\n.\r\n");
            });
    assertThat(o.parts())
        .containsExactly(
            line(GREETING),
            line("+ \r\n"),
            line("+OK Logged in.\r\n"),
            status("+OK\r\n"),
            body("1 10\r\n.\r\n", true));
    assertThat(o.contexts()).allSatisfy(s -> assertThat(s.pendingCount()).isZero());
  }

  @Test
  void bareAuthListsMechanismsMultiLine() {
    Outcome<Pop3Session> o =
        run(
            d -> {
              d.write(GREETING);
              client(d, "AUTH");
              d.write("+OK\r\nPLAIN\r\nLOGIN\r\n.\r\n");
            });
    assertThat(o.parts())
        .containsExactly(line(GREETING), status("+OK\r\n"), body("PLAIN\r\nLOGIN\r\n.\r\n", true));
    for (Pop3Session s : o.contexts()) {
      assertThat(s.state()).isEqualTo(Pop3State.AUTHORIZATION);
    }
  }

  @Test
  void anEmptyClientLineTakesAPlaceInTheQueue() {
    Outcome<Pop3Session> o =
        run(
            d -> {
              d.write(GREETING);
              client(d, "", "LIST");
              d.write("-ERR unknown command\r\n+OK\r\n1 100\r\n.\r\n");
            });
    assertThat(o.parts())
        .containsExactly(
            line(GREETING),
            line("-ERR unknown command\r\n"),
            status("+OK\r\n"),
            body("1 100\r\n.\r\n", true));
  }

  @Test
  void statusLineOverTheLimit() {
    Outcome<Pop3Session> o = run(d -> d.write(GREETING + "+OK " + "x".repeat(200) + "\r\n"));
    assertThat(o.parts()).containsExactly(line(GREETING));
    assertThat(o.failures())
        .allSatisfy(
            e ->
                assertThat(e)
                    .isInstanceOfSatisfying(
                        LimitExceededException.class,
                        l -> {
                          assertThat(l.what()).isEqualTo("server line");
                          assertThat(l.limit()).isEqualTo(128);
                        }));
  }

  @Test
  void bodyLinesAreNotBoundByTheLineLimit() {
    String longLine = "y".repeat(500) + "\r\n";
    Outcome<Pop3Session> o =
        run(
            d -> {
              d.write(GREETING);
              client(d, "RETR 1");
              d.write("+OK\r\n" + longLine + ".\r\n");
            });
    assertThat(o.parts())
        .containsExactly(line(GREETING), status("+OK\r\n"), body(longLine + ".\r\n", true));
  }

  @Test
  void afterAFailureTheRestIsDiscardedAndTheFailureReportedOnce() {
    Pop3Session s = new Pop3Session(new InetSocketAddress("127.0.0.1", 50000), LIMITS);
    List<String> emitted = new ArrayList<>();
    List<Throwable> reported =
        FramerHarness.exceptionsReported(
            new Pop3ResponseDecoder(s.serverFraming()),
            emitted,
            GREETING + "-ERR " + "x".repeat(200),
            "\r\n+OK\r\n");
    assertThat(emitted).containsExactly(GREETING);
    assertThat(reported).singleElement().isInstanceOf(LimitExceededException.class);
  }
}
