package dev.quirkproxy.codec.pop3;

import static dev.quirkproxy.codec.FramerHarness.Part.line;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.codec.FramerHarness;
import dev.quirkproxy.codec.FramerHarness.Outcome;
import dev.quirkproxy.codec.FramerHarness.Script;
import dev.quirkproxy.codec.LimitExceededException;
import dev.quirkproxy.session.Limits;
import dev.quirkproxy.session.Pop3Session;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * POP3 client lines (RFC 1939 §3, RFC 2449 pipelining), fed to a real session as the relay does.
 */
class Pop3CommandDecoderTest {

  private static final Limits LIMITS =
      new Limits(64, 1024, 1000, 20, 100_000, Duration.ofMinutes(30), Duration.ofMinutes(3));

  private static Outcome<Pop3Session> run(Script<Pop3Session> script) {
    return FramerHarness.run(
        () -> new Pop3Session(new InetSocketAddress("127.0.0.1", 50000), LIMITS),
        s -> new Pop3CommandDecoder(s::maxClientLine),
        Pop3Session::clientSent,
        script);
  }

  @Test
  void oneCommand() {
    Outcome<Pop3Session> o = run(d -> d.write("USER bob\r\n"));
    assertThat(o.parts()).containsExactly(line("USER bob\r\n"));
    assertThat(o.contexts()).allSatisfy(s -> assertThat(s.pendingCount()).isEqualTo(1));
  }

  @Test
  void pipelinedCommandsInOneBuffer() {
    Outcome<Pop3Session> o = run(d -> d.write("STAT\r\nLIST\r\nUIDL 1\r\nRETR 1\r\nQUIT\r\n"));
    assertThat(o.parts())
        .containsExactly(
            line("STAT\r\n"),
            line("LIST\r\n"),
            line("UIDL 1\r\n"),
            line("RETR 1\r\n"),
            line("QUIT\r\n"));
    for (Pop3Session s : o.contexts()) {
      assertThat(s.pendingCount()).isEqualTo(5);
      assertThat(s.ending()).isTrue();
    }
  }

  @Test
  void commandSplitAcrossReads() {
    Outcome<Pop3Session> o =
        run(
            d -> {
              d.write("RE");
              d.write("TR 1\r");
              d.write("\nDELE 1\r\n");
            });
    assertThat(o.parts()).containsExactly(line("RETR 1\r\n"), line("DELE 1\r\n"));
  }

  @Test
  void emptyLineAndLfOnlyAndOctetsAbove127() {
    Outcome<Pop3Session> o = run(d -> d.write("\r\nNOOP\nPASS s\u00e9cr\u00e8t\r\n"));
    assertThat(o.parts())
        .containsExactly(line("\r\n"), line("NOOP\n"), line("PASS s\u00e9cr\u00e8t\r\n"));
    assertThat(o.contexts()).allSatisfy(s -> assertThat(s.pendingCount()).isEqualTo(3));
  }

  @Test
  void lineOverTheLimit() {
    Outcome<Pop3Session> o =
        run(
            d -> {
              d.write("NOOP\r\n");
              d.write("USER " + "x".repeat(100) + "\r\n");
            });
    assertThat(o.parts()).containsExactly(line("NOOP\r\n"));
    assertThat(o.failures())
        .allSatisfy(
            e ->
                assertThat(e)
                    .isInstanceOfSatisfying(
                        LimitExceededException.class,
                        l -> {
                          assertThat(l.what()).isEqualTo("client line");
                          assertThat(l.limit()).isEqualTo(64);
                          assertThat(l.getMessage())
                              .isEqualTo(
                                  "client line of "
                                      + l.value()
                                      + " octets exceeds the limit of 64");
                        }));
    assertThat(((LimitExceededException) o.failureWhole()).value()).isEqualTo(107);
    assertThat(((LimitExceededException) o.failureBytes()).value()).isEqualTo(65);
  }

  @Test
  void afterAFailureTheRestIsDiscardedAndTheFailureReportedOnce() {
    List<String> emitted = new ArrayList<>();
    List<Throwable> reported =
        FramerHarness.exceptionsReported(
            new Pop3CommandDecoder(() -> 64),
            emitted,
            "NOOP\r\nUSER " + "x".repeat(100),
            "\r\nSTAT\r\n");
    assertThat(emitted).containsExactly("NOOP\r\n");
    assertThat(reported).singleElement().isInstanceOf(LimitExceededException.class);
  }
}
