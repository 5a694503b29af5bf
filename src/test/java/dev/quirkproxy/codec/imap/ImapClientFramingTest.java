package dev.quirkproxy.codec.imap;

import static dev.quirkproxy.codec.FramerHarness.Part.line;
import static dev.quirkproxy.codec.FramerHarness.Part.literal;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.codec.FramerHarness;
import dev.quirkproxy.codec.FramerHarness.Driver;
import dev.quirkproxy.codec.FramerHarness.Outcome;
import dev.quirkproxy.codec.FramerHarness.Part;
import dev.quirkproxy.codec.FramerHarness.Script;
import dev.quirkproxy.codec.LimitExceededException;
import dev.quirkproxy.codec.Literal;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.ImapSession.SyncLiteral;
import dev.quirkproxy.session.ImapState;
import dev.quirkproxy.session.Limits;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The client side of the IMAP framer (RFC 9051 §2.2, §4.3, §7.5; RFC 7888; RFC 3516), driven with a
 * real {@link ImapSession} as the relay drives it: every part is shown to the session as it leaves
 * the framer, and the server's lines are shown to it between writes.
 */
class ImapClientFramingTest {

  /** Small limits so the limit cases stay small: 128-octet lines, literals 20 / 1000. */
  static final Limits LIMITS =
      new Limits(128, 1024, 1000, 20, 100_000, Duration.ofMinutes(30), Duration.ofMinutes(3));

  private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 50000);

  static Outcome<ImapSession> run(Script<ImapSession> script) {
    return run(LIMITS, script);
  }

  static Outcome<ImapSession> run(Limits limits, Script<ImapSession> script) {
    return FramerHarness.run(
        () -> new ImapSession(CLIENT, limits),
        s -> new ImapFrameDecoder(ImapFrameDecoder.Side.CLIENT, s.clientFraming()),
        ImapSession::clientSent,
        script);
  }

  /** The server sends a one-line frame (text without CRLF). */
  static void server(Driver<ImapSession> d, String text) {
    WirePart p = FramerHarness.line(text + "\r\n");
    try {
      d.ctx().serverSent(p);
    } finally {
      p.release();
    }
  }

  private static Literal sync(long n) {
    return new Literal(n, true, false);
  }

  private static Literal plus(long n) {
    return new Literal(n, false, false);
  }

  @Test
  void simpleCommand() {
    Outcome<ImapSession> o = run(d -> d.write("a1 NOOP\r\n"));
    assertThat(o.parts()).containsExactly(line("a1 NOOP\r\n"));
    for (ImapSession s : o.contexts()) {
      assertThat(s.pending()).containsOnlyKeys("a1");
      assertThat(s.pending().get("a1").name()).isEqualTo("NOOP");
    }
  }

  @Test
  void pipelinedCommandsInOneBuffer() {
    Outcome<ImapSession> o =
        run(d -> d.write("a1 NOOP\r\na2 CAPABILITY\r\na3 UID FETCH 1:* (FLAGS)\r\n"));
    assertThat(o.parts())
        .containsExactly(
            line("a1 NOOP\r\n"), line("a2 CAPABILITY\r\n"), line("a3 UID FETCH 1:* (FLAGS)\r\n"));
    for (ImapSession s : o.contexts()) {
      assertThat(s.pending().keySet()).containsExactly("a1", "a2", "a3");
      assertThat(s.pending().get("a3").uid()).isTrue();
      assertThat(s.pending().get("a3").name()).isEqualTo("FETCH");
    }
  }

  @Test
  void synchronizingLiteralAcceptedByContinuation() {
    Outcome<ImapSession> o =
        run(
            d -> {
              d.write("a1 APPEND INBOX (\\Seen) {11}\r\n");
              assertThat(d.ctx().syncLiteral()).isEqualTo(SyncLiteral.PENDING);
              server(d, "+ Ready for literal data");
              assertThat(d.ctx().syncLiteral()).isEqualTo(SyncLiteral.ACCEPTED);
              d.write("Hello World\r\n");
              server(d, "a1 OK APPEND completed");
            });
    assertThat(o.parts())
        .containsExactly(
            line("a1 APPEND INBOX (\\Seen) {11}\r\n", true, false, sync(11)),
            literal("Hello World"),
            line("\r\n", false, true, null));
    for (ImapSession s : o.contexts()) {
      assertThat(s.pending()).isEmpty();
    }
  }

  @Test
  void literalBytesThenTheRestOfTheLine() {
    Outcome<ImapSession> o =
        run(
            d -> {
              d.write("a1 SELECT {5}\r\n");
              server(d, "+ go");
              d.write("INBOX (CONDSTORE)\r\na2 NOOP\r\n");
            });
    assertThat(o.parts())
        .containsExactly(
            line("a1 SELECT {5}\r\n", true, false, sync(5)),
            literal("INBOX"),
            line(" (CONDSTORE)\r\n", false, true, null),
            line("a2 NOOP\r\n"));
  }

  @Test
  void zeroLengthSynchronizingLiteral() {
    Outcome<ImapSession> o =
        run(
            d -> {
              d.write("a1 LOGIN bob {0}\r\n");
              server(d, "+ ok");
              d.write("\r\na2 NOOP\r\n");
            });
    assertThat(o.parts())
        .containsExactly(
            line("a1 LOGIN bob {0}\r\n", true, false, sync(0)),
            line("\r\n", false, true, null),
            line("a2 NOOP\r\n"));
  }

  @Test
  void zeroLengthNonSynchronizingLiteral() {
    Outcome<ImapSession> o = run(d -> d.write("a1 LOGIN {0+}\r\n \"pw\"\r\na2 NOOP\r\n"));
    assertThat(o.parts())
        .containsExactly(
            line("a1 LOGIN {0+}\r\n", true, false, plus(0)),
            line(" \"pw\"\r\n", false, true, null),
            line("a2 NOOP\r\n"));
  }

  @Test
  void literalInsideAParenthesisedList() {
    Outcome<ImapSession> o =
        run(
            d -> {
              d.write("a1 ID (\"name\" {5}\r\n");
              server(d, "+ go");
              d.write("Mutt3 \"version\" \"2.2\")\r\n");
              server(d, "* ID NIL");
              server(d, "a1 OK ID completed");
            });
    assertThat(o.parts())
        .containsExactly(
            line("a1 ID (\"name\" {5}\r\n", true, false, sync(5)),
            literal("Mutt3"),
            line(" \"version\" \"2.2\")\r\n", false, true, null));
    for (ImapSession s : o.contexts()) {
      assertThat(s.pending()).isEmpty();
    }
  }

  @Test
  void severalLiteralsInOneCommand() {
    Outcome<ImapSession> o =
        run(
            d -> {
              d.write("a1 LOGIN {4}\r\n");
              server(d, "+ go");
              d.write("user {6}\r\n");
              assertThat(d.ctx().syncLiteral()).isEqualTo(SyncLiteral.PENDING);
              server(d, "+ go");
              d.write("secret\r\n");
              assertThat(d.ctx().pending()).containsOnlyKeys("a1");
              server(d, "a1 OK [CAPABILITY IMAP4rev1] Logged in");
            });
    assertThat(o.parts())
        .containsExactly(
            line("a1 LOGIN {4}\r\n", true, false, sync(4)),
            literal("user"),
            line(" {6}\r\n", false, false, sync(6)),
            literal("secret"),
            line("\r\n", false, true, null));
    for (ImapSession s : o.contexts()) {
      assertThat(s.state()).isEqualTo(ImapState.AUTHENTICATED);
      assertThat(s.pending()).isEmpty();
    }
  }

  @Test
  void literalAndLineSplitAcrossReads() {
    Outcome<ImapSession> o =
        run(
            d -> {
              d.write("a1 APPEND INBOX {10+}\r\n012");
              d.write("3456");
              d.write("789\r");
              d.write("\na2 NO");
              d.write("OP\r\n");
            });
    assertThat(o.parts())
        .containsExactly(
            line("a1 APPEND INBOX {10+}\r\n", true, false, plus(10)),
            literal("0123456789"),
            line("\r\n", false, true, null),
            line("a2 NOOP\r\n"));
    // Written whole, every read that holds literal octets gives one chunk of exactly those.
    assertThat(o.rawWhole())
        .containsExactly(
            line("a1 APPEND INBOX {10+}\r\n", true, false, plus(10)),
            literal("012"),
            literal("3456"),
            literal("789"),
            line("\r\n", false, true, null),
            line("a2 NOOP\r\n"));
  }

  @Test
  void nonSynchronizingLiteralFollowsAtOnce() {
    Outcome<ImapSession> o = run(d -> d.write("a1 APPEND INBOX {5+}\r\nhello\r\na2 NOOP\r\n"));
    assertThat(o.parts())
        .containsExactly(
            line("a1 APPEND INBOX {5+}\r\n", true, false, plus(5)),
            literal("hello"),
            line("\r\n", false, true, null),
            line("a2 NOOP\r\n"));
    for (ImapSession s : o.contexts()) {
      assertThat(s.syncLiteral()).isEqualTo(SyncLiteral.NONE);
      assertThat(s.pending().keySet()).containsExactly("a1", "a2");
    }
  }

  @Test
  void minusIsToleratedAsNonSynchronizing() {
    Outcome<ImapSession> o = run(d -> d.write("a1 APPEND INBOX {5-}\r\nhello\r\na2 NOOP\r\n"));
    assertThat(o.parts())
        .containsExactly(
            line("a1 APPEND INBOX {5-}\r\n", true, false, plus(5)),
            literal("hello"),
            line("\r\n", false, true, null),
            line("a2 NOOP\r\n"));
  }

  @Test
  void literalLooksLikeCommandsButIsOctets() {
    // A literal's octets are never read as lines, whatever they hold.
    String body = "a9 LOGOUT\r\n{3}\r\n";
    Outcome<ImapSession> o =
        run(d -> d.write("a1 APPEND INBOX {" + body.length() + "+}\r\n" + body + "\r\n"));
    assertThat(o.parts())
        .containsExactly(
            line("a1 APPEND INBOX {" + body.length() + "+}\r\n", true, false, plus(body.length())),
            literal(body),
            line("\r\n", false, true, null));
    for (ImapSession s : o.contexts()) {
      assertThat(s.pending()).containsOnlyKeys("a1");
    }
  }

  @Test
  void literal8WithNulOctetsWaitsForTheContinuation() {
    String octets = "\0\u0001\r\n\0";
    Outcome<ImapSession> o =
        run(
            d -> {
              d.write("a1 APPEND INBOX ~{5}\r\n");
              assertThat(d.ctx().syncLiteral()).isEqualTo(SyncLiteral.PENDING);
              server(d, "+ go");
              d.write(octets + "\r\n");
            });
    assertThat(o.parts())
        .containsExactly(
            line("a1 APPEND INBOX ~{5}\r\n", true, false, new Literal(5, true, true)),
            literal(octets),
            line("\r\n", false, true, null));
  }

  @Test
  void nonSynchronizingLiteral8() {
    String octets = "\0\0\0\0\0\0";
    Outcome<ImapSession> o =
        run(d -> d.write("a1 APPEND INBOX (\\Seen) ~{6+}\r\n" + octets + "\r\na2 NOOP\r\n"));
    assertThat(o.parts())
        .containsExactly(
            line("a1 APPEND INBOX (\\Seen) ~{6+}\r\n", true, false, new Literal(6, false, true)),
            literal(octets),
            line("\r\n", false, true, null),
            line("a2 NOOP\r\n"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"NO [TOOBIG] Message too large", "BAD literal not allowed"})
  void refusedSynchronizingLiteralMeansTheNextBytesAreANewCommand(String refusal) {
    Outcome<ImapSession> o =
        run(
            d -> {
              d.write("a1 APPEND INBOX {400}\r\n");
              server(d, "a1 " + refusal);
              assertThat(d.ctx().syncLiteral()).isEqualTo(SyncLiteral.REFUSED);
              assertThat(d.ctx().pending()).isEmpty();
              d.write("a2 NOOP\r\n");
            });
    assertThat(o.parts())
        .containsExactly(
            line("a1 APPEND INBOX {400}\r\n", true, false, sync(400)), line("a2 NOOP\r\n"));
    for (ImapSession s : o.contexts()) {
      assertThat(s.pending()).containsOnlyKeys("a2");
    }
  }

  @Test
  void afterARefusedLiteralTheNextSynchronizingLiteralIsFramedAgain() {
    Outcome<ImapSession> o =
        run(
            d -> {
              d.write("a1 APPEND INBOX {400}\r\n");
              server(d, "a1 NO [TOOBIG] too big");
              d.write("a2 APPEND INBOX {3}\r\n");
              assertThat(d.ctx().syncLiteral()).isEqualTo(SyncLiteral.PENDING);
              server(d, "+ go");
              d.write("abc\r\n");
              server(d, "a2 OK done");
            });
    assertThat(o.parts())
        .containsExactly(
            line("a1 APPEND INBOX {400}\r\n", true, false, sync(400)),
            line("a2 APPEND INBOX {3}\r\n", true, false, sync(3)),
            literal("abc"),
            line("\r\n", false, true, null));
    for (ImapSession s : o.contexts()) {
      assertThat(s.pending()).isEmpty();
    }
  }

  @Test
  void refusalOfTheSecondLiteralOfACommand() {
    Outcome<ImapSession> o =
        run(
            d -> {
              d.write("a1 LOGIN {4}\r\n");
              server(d, "+ go");
              d.write("user {900}\r\n");
              server(d, "a1 NO password too long");
              d.write("a2 LOGOUT\r\n");
            });
    assertThat(o.parts())
        .containsExactly(
            line("a1 LOGIN {4}\r\n", true, false, sync(4)),
            literal("user"),
            line(" {900}\r\n", false, false, sync(900)),
            line("a2 LOGOUT\r\n"));
  }

  @Test
  void authenticatePlainExchange() {
    Outcome<ImapSession> o =
        run(
            d -> {
              d.write("a1 AUTHENTICATE PLAIN\r\n");
              server(d, "+ ");
              assertThat(d.ctx().describeClientLine("AGJvYgBzZWNyZXQ="))
                  .isEqualTo("(SASL response)");
              d.write("AGJvYgBzZWNyZXQ=\r\n");
              assertThat(d.ctx().pending().keySet()).containsExactly("a1");
              server(d, "a1 OK [CAPABILITY IMAP4rev1 IDLE] Logged in");
              d.write("a2 SELECT INBOX\r\n");
            });
    assertThat(o.parts())
        .containsExactly(
            line("a1 AUTHENTICATE PLAIN\r\n"),
            line("AGJvYgBzZWNyZXQ=\r\n"),
            line("a2 SELECT INBOX\r\n"));
    for (ImapSession s : o.contexts()) {
      assertThat(s.state()).isEqualTo(ImapState.AUTHENTICATED);
      assertThat(s.pending().keySet()).containsExactly("a2");
      assertThat(s.describeClientLine("a3 NOOP")).isEqualTo("a3 NOOP");
    }
  }

  @Test
  void authenticateLoginWithTwoChallengesAndALineThatLooksLikeACommand() {
    Outcome<ImapSession> o =
        run(
            d -> {
              d.write("a1 AUTHENTICATE LOGIN\r\n");
              server(d, "+ VXNlcm5hbWU6");
              // A SASL line is never a command, even one shaped like "tag name".
              d.write("a9 LOGOUT\r\n");
              server(d, "+ UGFzc3dvcmQ6");
              d.write("c2VjcmV0\r\n");
              server(d, "a1 NO [AUTHENTICATIONFAILED] Authentication failed");
            });
    assertThat(o.parts())
        .containsExactly(
            line("a1 AUTHENTICATE LOGIN\r\n"), line("a9 LOGOUT\r\n"), line("c2VjcmV0\r\n"));
    for (ImapSession s : o.contexts()) {
      assertThat(s.state()).isEqualTo(ImapState.NOT_AUTHENTICATED);
      assertThat(s.pending()).isEmpty();
      assertThat(s.describeClientLine("a2 NOOP")).isEqualTo("a2 NOOP");
    }
  }

  @Test
  void authenticateCancelledByTheClient() {
    Outcome<ImapSession> o =
        run(
            d -> {
              d.write("a1 AUTHENTICATE PLAIN\r\n");
              server(d, "+ ");
              d.write("*\r\n");
              server(d, "a1 BAD Authentication cancelled");
              d.write("a2 LOGIN bob pw\r\n");
            });
    assertThat(o.parts())
        .containsExactly(
            line("a1 AUTHENTICATE PLAIN\r\n"), line("*\r\n"), line("a2 LOGIN bob pw\r\n"));
    for (ImapSession s : o.contexts()) {
      assertThat(s.pending().keySet()).containsExactly("a2");
    }
  }

  @Test
  void idleUntilDone() {
    Outcome<ImapSession> o =
        run(
            d -> {
              d.write("a1 IDLE\r\n");
              assertThat(d.ctx().idling()).isFalse();
              server(d, "+ idling");
              assertThat(d.ctx().idling()).isTrue();
              server(d, "* 4 EXISTS");
              d.write("DONE\r\n");
              assertThat(d.ctx().pending().keySet()).containsExactly("a1");
              server(d, "a1 OK IDLE terminated");
              assertThat(d.ctx().idling()).isFalse();
              d.write("a2 NOOP\r\n");
            });
    assertThat(o.parts())
        .containsExactly(line("a1 IDLE\r\n"), line("DONE\r\n"), line("a2 NOOP\r\n"));
    for (ImapSession s : o.contexts()) {
      assertThat(s.pending().keySet()).containsExactly("a2");
    }
  }

  @Test
  void emptyLineIsOneHarmlessFrame() {
    Outcome<ImapSession> o = run(d -> d.write("\r\n\r\na1 NOOP\r\n"));
    assertThat(o.parts()).containsExactly(line("\r\n"), line("\r\n"), line("a1 NOOP\r\n"));
    for (ImapSession s : o.contexts()) {
      assertThat(s.pending().keySet()).containsExactly("a1");
    }
  }

  @Test
  void lfOnlyLineEndings() {
    Outcome<ImapSession> o =
        run(
            d -> {
              d.write("a1 LOGIN {4+}\nuser {6}\n");
              server(d, "+ go");
              d.write("secret\na2 NOOP\n\n");
            });
    assertThat(o.parts())
        .containsExactly(
            line("a1 LOGIN {4+}\n", true, false, plus(4)),
            literal("user"),
            line(" {6}\n", false, false, sync(6)),
            literal("secret"),
            line("\n", false, true, null),
            line("a2 NOOP\n"),
            line("\n"));
    for (ImapSession s : o.contexts()) {
      assertThat(s.pending().keySet()).containsExactly("a1", "a2");
    }
  }

  @Test
  void aLineOfExactlyTheLimitIsAccepted() {
    String cmd = "a1 SEARCH TEXT " + "x".repeat(128 - 17) + "\r\n";
    assertThat(cmd).hasSize(128);
    Outcome<ImapSession> o = run(d -> d.write(cmd));
    assertThat(o.parts()).containsExactly(line(cmd));
  }

  @Test
  void lineOverTheLimit() {
    String big = "a2 SEARCH TEXT " + "x".repeat(200) + "\r\n";
    Outcome<ImapSession> o =
        run(
            d -> {
              d.write("a1 NOOP\r\n");
              d.write(big);
            });
    assertThat(o.parts()).containsExactly(line("a1 NOOP\r\n"));
    assertThat(o.failures())
        .allSatisfy(
            e ->
                assertThat(e)
                    .isInstanceOfSatisfying(
                        LimitExceededException.class,
                        l -> {
                          assertThat(l.what()).isEqualTo("client line");
                          assertThat(l.limit()).isEqualTo(128);
                          assertThat(l.getMessage())
                              .isEqualTo(
                                  "client line of "
                                      + l.value()
                                      + " octets exceeds the limit of 128");
                        }));
    // Whole, the line's length is known; byte by byte it fails as soon as it passes the limit.
    assertThat(((LimitExceededException) o.failureWhole()).value()).isEqualTo(big.length());
    assertThat(((LimitExceededException) o.failureBytes()).value()).isEqualTo(129);
  }

  @Test
  void lineWithoutEndOverTheLimit() {
    Outcome<ImapSession> o = run(d -> d.write("a1 SEARCH TEXT " + "x".repeat(200)));
    assertThat(o.parts()).isEmpty();
    assertThat(o.failures())
        .allSatisfy(
            e ->
                assertThat(e)
                    .isInstanceOf(LimitExceededException.class)
                    .hasMessageEndingWith("octets exceeds the limit of 128"));
  }

  @Test
  void nonSynchronizingLiteralOverThePreLoginLimit() {
    Outcome<ImapSession> o =
        run(
            d -> {
              d.write("a0 CAPABILITY\r\n");
              d.write("a1 LOGIN bob {21+}\r\n" + "x".repeat(21) + "\r\n");
            });
    // Nothing of the offending command is let through: the relay must not forward half a
    // command upstream before it closes the session.
    assertThat(o.parts()).containsExactly(line("a0 CAPABILITY\r\n"));
    assertThat(o.failures())
        .allSatisfy(
            e ->
                assertThat(e)
                    .isInstanceOf(LimitExceededException.class)
                    .hasMessage("client literal of 21 octets exceeds the limit of 20"));
  }

  @Test
  void literalLimitsSwitchAfterLogin() {
    String big = "y".repeat(500);
    Outcome<ImapSession> o =
        run(
            d -> {
              assertThat(d.ctx().clientFraming().maxLiteralSize()).isEqualTo(20);
              d.write("a1 LOGIN bob {3+}\r\npw!\r\n");
              server(d, "a1 OK Logged in");
              assertThat(d.ctx().state()).isEqualTo(ImapState.AUTHENTICATED);
              assertThat(d.ctx().clientFraming().maxLiteralSize()).isEqualTo(1000);
              d.write("a2 APPEND INBOX {500+}\r\n" + big + "\r\n");
              d.write("a3 APPEND INBOX {1001+}\r\n");
            });
    assertThat(o.parts())
        .containsExactly(
            line("a1 LOGIN bob {3+}\r\n", true, false, plus(3)),
            literal("pw!"),
            line("\r\n", false, true, null),
            line("a2 APPEND INBOX {500+}\r\n", true, false, plus(500)),
            literal(big),
            line("\r\n", false, true, null));
    assertThat(o.failures())
        .allSatisfy(
            e ->
                assertThat(e)
                    .isInstanceOf(LimitExceededException.class)
                    .hasMessage("client literal of 1001 octets exceeds the limit of 1000"));
  }

  @Test
  void preauthGreetingMeansTheAuthenticatedLimitFromTheStart() {
    Outcome<ImapSession> o =
        run(
            d -> {
              server(d, "* PREAUTH IMAP4rev1 server logged in as bob");
              d.write("a1 APPEND INBOX {25+}\r\n" + "z".repeat(25) + "\r\n");
            });
    assertThat(o.parts())
        .containsExactly(
            line("a1 APPEND INBOX {25+}\r\n", true, false, plus(25)),
            literal("z".repeat(25)),
            line("\r\n", false, true, null));
  }

  @Test
  void synchronizingLiteralOverTheLimitIsLeftToTheLiteralGuard() {
    // The framer does not refuse a synchronizing literal: nothing has been sent yet, so the
    // LiteralGuard answers NO instead (see LiteralGuardTest). Here the server refuses it.
    Outcome<ImapSession> o =
        run(
            d -> {
              d.write("a1 LOGIN bob {5000}\r\n");
              server(d, "a1 NO too long");
              d.write("a2 NOOP\r\n");
            });
    assertThat(o.parts())
        .containsExactly(
            line("a1 LOGIN bob {5000}\r\n", true, false, sync(5000)), line("a2 NOOP\r\n"));
    assertThat(o.failures()).containsOnlyNulls();
  }

  @Test
  void everyPartIsSeenByTheSessionBeforeTheNextIsFramed() {
    // All in one read: the session has to learn of a1's literal before the framer reads on.
    Outcome<ImapSession> o =
        run(
            d -> {
              d.write("a1 NOOP\r\na2 APPEND INBOX {3}\r\n");
              server(d, "+ go");
              d.write("abc\r\na3 NOOP\r\n");
            });
    assertThat(o.parts())
        .extracting(Part::bytes)
        .containsExactly("a1 NOOP\r\n", "a2 APPEND INBOX {3}\r\n", "abc", "\r\n", "a3 NOOP\r\n");
  }

  @Test
  void afterAFailureTheRestIsDiscardedAndTheFailureReportedOnce() {
    ImapSession s = new ImapSession(CLIENT, LIMITS);
    List<String> emitted = new ArrayList<>();
    List<Throwable> reported =
        FramerHarness.exceptionsReported(
            new ImapFrameDecoder(ImapFrameDecoder.Side.CLIENT, s.clientFraming()),
            emitted,
            "a1 NOOP\r\na2 LOGIN {21+}\r\n",
            "x".repeat(21) + "\r\n",
            "a3 NOOP\r\n");
    assertThat(emitted).containsExactly("a1 NOOP\r\n");
    assertThat(reported).singleElement().isInstanceOf(LimitExceededException.class);

    emitted.clear();
    reported =
        FramerHarness.exceptionsReported(
            new ImapFrameDecoder(ImapFrameDecoder.Side.CLIENT, s.clientFraming()),
            emitted,
            "a1 " + "x".repeat(200),
            "\r\na2 NOOP\r\n");
    assertThat(emitted).isEmpty();
    assertThat(reported).singleElement().isInstanceOf(LimitExceededException.class);
  }
}
