package dev.quirkproxy.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quirkproxy.codec.FramerHarness;
import dev.quirkproxy.codec.FramerHarness.Driver;
import dev.quirkproxy.codec.FramerHarness.Outcome;
import dev.quirkproxy.codec.FramerHarness.Script;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.codec.pop3.Pop3FramingContext;
import dev.quirkproxy.codec.pop3.Pop3ResponseDecoder;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The POP3 tracker (RFC 1939 §3–§7, RFC 2449, RFC 5034). The maildrop tests play whole exchanges
 * through the real {@link Pop3ResponseDecoder}, whole and one byte at a time, as the relay does.
 */
class Pop3SessionTest {

  private final Pop3Session s =
      new Pop3Session(new InetSocketAddress("192.0.2.1", 40000), Limits.defaults());
  private final Pop3FramingContext framing = s.serverFraming();

  private void client(String text) {
    WirePart p =
        WirePart.line(
            Unpooled.copiedBuffer(text + "\r\n", StandardCharsets.ISO_8859_1), true, true, null);
    try {
      s.clientSent(p);
    } finally {
      p.release();
    }
  }

  /** The server's status line; returns whether a body follows. */
  private boolean server(String line) {
    return framing.statusLine(line);
  }

  private void login() {
    assertThat(server("+OK ready")).isFalse();
    client("USER bob");
    assertThat(server("+OK")).isFalse();
    client("PASS secret");
    assertThat(server("+OK maildrop has 2 messages")).isFalse();
  }

  @Test
  void startsInAuthorization() {
    assertThat(s.state()).isEqualTo(Pop3State.AUTHORIZATION);
    assertThat(s.authenticated()).isFalse();
    assertThat(s.ending()).isFalse();
    assertThat(s.protocol()).isEqualTo(Protocol.POP3);
    assertThat(s.pendingCount()).isZero();
    assertThat(s.maxClientLine()).isEqualTo(Limits.DEFAULT_MAX_LINE);
    assertThat(framing.maxLineLength()).isEqualTo(Limits.DEFAULT_MAX_SERVER_LINE);
  }

  @Test
  void passOkEntersTransaction() {
    login();
    assertThat(s.state()).isEqualTo(Pop3State.TRANSACTION);
    assertThat(s.authenticated()).isTrue();
    assertThat(s.pendingCount()).isZero();
  }

  @Test
  void passErrStaysInAuthorization() {
    server("+OK ready");
    client("USER bob");
    server("+OK");
    client("PASS wrong");
    server("-ERR [AUTH] invalid");
    assertThat(s.state()).isEqualTo(Pop3State.AUTHORIZATION);
  }

  @Test
  void apopOkEntersTransaction() {
    server("+OK ready <1896.697170952@dbc.mmm.com>");
    client("APOP mrose c4c9334bac560ecc979e58001b3e22fb");
    server("+OK");
    assertThat(s.state()).isEqualTo(Pop3State.TRANSACTION);
  }

  @Test
  void quitAfterLoginEntersUpdate() {
    login();
    client("QUIT");
    assertThat(s.ending()).isTrue();
    assertThat(s.state()).isEqualTo(Pop3State.TRANSACTION);
    server("+OK bye");
    assertThat(s.state()).isEqualTo(Pop3State.UPDATE);
    assertThat(s.authenticated()).isTrue();
  }

  @Test
  void quitBeforeLoginEnds() {
    server("+OK ready");
    client("QUIT");
    server("+OK bye");
    assertThat(s.state()).isEqualTo(Pop3State.AUTHORIZATION);
    assertThat(s.ending()).isTrue();
  }

  @Test
  void authWithSaslExchange() {
    server("+OK ready");
    client("AUTH PLAIN");
    assertThat(server("+ ")).isFalse();
    assertThat(s.pendingCount()).isEqualTo(1);
    client("AGJvYgBzZWNyZXQ=");
    assertThat(s.pendingCount()).isEqualTo(1);
    assertThat(server("+OK Logged in")).isFalse();
    assertThat(s.state()).isEqualTo(Pop3State.TRANSACTION);
    assertThat(s.pendingCount()).isZero();
    client("STAT");
    assertThat(s.pendingCount()).isEqualTo(1);
  }

  @Test
  void authFailureStaysInAuthorization() {
    server("+OK ready");
    client("AUTH PLAIN");
    server("+ ");
    client("*");
    server("-ERR cancelled");
    assertThat(s.state()).isEqualTo(Pop3State.AUTHORIZATION);
    assertThat(s.pendingCount()).isZero();
  }

  @Test
  void continuationOutsideAuthIsIgnored() {
    server("+OK ready");
    client("NOOP");
    assertThat(server("+ what")).isFalse();
    assertThat(s.pendingCount()).isEqualTo(1);
    client("STAT");
    assertThat(s.pendingCount()).isEqualTo(2);
  }

  @ParameterizedTest
  @CsvSource({
    "RETR 1, true",
    "TOP 1 10, true",
    "CAPA, true",
    "LIST, true",
    "UIDL, true",
    "AUTH, true",
    "list, true",
    "LIST 1, false",
    "UIDL 1, false",
    "STAT, false",
    "DELE 1, false",
    "NOOP, false",
    "RSET, false",
    "USER bob, false",
    "AUTH PLAIN, false",
  })
  void multiLineDecidedByTheCommand(String command, boolean multiLine) {
    login();
    client(command);
    assertThat(server("+OK")).isEqualTo(multiLine);
  }

  @Test
  void errNeverOpensABody() {
    login();
    client("RETR 9");
    assertThat(server("-ERR no such message")).isFalse();
    assertThat(s.pendingCount()).isZero();
  }

  @Test
  void okWithNothingPendingIsOneLine() {
    login();
    assertThat(server("+OK unsolicited")).isFalse();
  }

  @Test
  void describeClientLineNeverRevealsArguments() {
    assertThat(s.describeClientLine("PASS secret")).isEqualTo("PASS");
    assertThat(s.describeClientLine("user bob")).isEqualTo("USER");
    assertThat(s.describeClientLine("APOP mrose c4c9334bac560ecc979e58001b3e22fb"))
        .isEqualTo("APOP");
    assertThat(s.describeClientLine("AUTH PLAIN AGJvYgBzZWNyZXQ=")).isEqualTo("AUTH");
    assertThat(s.describeClientLine("")).isEqualTo("(empty line)");
    assertThat(s.describeClientLine("   ")).isEqualTo("(empty line)");
    server("+OK ready");
    client("AUTH LOGIN");
    server("+ VXNlcm5hbWU6");
    assertThat(s.describeClientLine("Ym9i")).isEqualTo("(SASL response)");
  }

  @Test
  void quitErrFromTransactionStillEntersUpdate() {
    login();
    client("QUIT");
    server("-ERR some deleted messages not removed");
    assertThat(s.state()).isEqualTo(Pop3State.UPDATE);
  }

  @Test
  void quitErrBeforeLoginStaysInAuthorization() {
    server("+OK ready");
    client("QUIT");
    server("-ERR");
    assertThat(s.state()).isEqualTo(Pop3State.AUTHORIZATION);
  }

  @Test
  void onlyMessageNumbersAreKeptOfArguments() {
    login();
    client("DELE 3");
    server("+OK");
    assertThat(s.answering()).isEqualTo(new Pop3Session.Pop3Command("DELE", true, 3));
    client("TOP 2 10");
    server("-ERR");
    assertThat(s.answering().messageNumber()).isEqualTo(2);
    client("DELE x1");
    server("-ERR");
    assertThat(s.answering().messageNumber()).isZero();
    client("DELE 9999999999");
    server("-ERR");
    assertThat(s.answering().messageNumber()).isZero();
    client("USER 1234");
    server("-ERR");
    assertThat(s.answering().messageNumber()).isZero();
    assertThat(s.answering().toString()).doesNotContain("1234");
  }

  // ---- the maildrop, through the real decoder

  private static final String GREETING = "+OK POP3 ready <1896.697170952@dbc.mmm.com>\r\n";

  private static Outcome<Pop3Session> converse(int cap, Script<Pop3Session> script) {
    return FramerHarness.run(
        () -> new Pop3Session(new InetSocketAddress("192.0.2.1", 40000), Limits.defaults(), cap),
        session -> new Pop3ResponseDecoder(session.serverFraming()),
        Pop3Session::serverSent,
        script);
  }

  /** Greeting and login, then the script; the assertion holds for both feeds. */
  private static void afterLogin(Script<Pop3Session> script, Consumer<Pop3Session> expect) {
    afterLogin(Pop3Maildrop.MAX_TRACKED_MESSAGES, script, expect);
  }

  private static void afterLogin(
      int cap, Script<Pop3Session> script, Consumer<Pop3Session> expect) {
    Outcome<Pop3Session> o =
        converse(
            cap,
            d -> {
              d.write(GREETING);
              send(d, "USER mrose", "PASS tanstaaf");
              // The count in the PASS answer is free text (RFC 1939 §7): never read.
              d.write("+OK\r\n+OK mrose's maildrop has 2 messages (320 octets)\r\n");
              script.run(d);
            });
    assertThat(o.contexts())
        .allSatisfy(
            session -> {
              assertThat(session.state()).isIn(Pop3State.TRANSACTION, Pop3State.UPDATE);
              assertThat(session.pendingCount()).isZero();
              expect.accept(session);
            });
  }

  /** The relay forwarded these client lines (text without CRLF). */
  private static void send(Driver<Pop3Session> d, String... lines) {
    for (String text : lines) {
      WirePart p = FramerHarness.line(text + "\r\n");
      try {
        d.ctx().clientSent(p);
      } finally {
        p.release();
      }
    }
  }

  @Test
  void nothingKnownBeforeTheAnswers() {
    afterLogin(
        d -> {},
        session -> {
          assertThat(session.maildrop().statMessageCount()).isEqualTo(-1);
          assertThat(session.maildrop().statMaildropSize()).isEqualTo(-1);
          assertThat(session.maildrop().messageSizes()).isEmpty();
          assertThat(session.maildrop().uniqueIds()).isEmpty();
          assertThat(session.maildrop().deletedMessages()).isEmpty();
          assertThat(session.maildrop().truncated()).isFalse();
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"+OK 2 320", "+OK 2 320 octets follow", "+OK 02 320"})
  void statDropListing(String answer) {
    afterLogin(
        d -> {
          send(d, "STAT");
          d.write(answer + "\r\n");
        },
        session -> {
          assertThat(session.maildrop().statMessageCount()).isEqualTo(2);
          assertThat(session.maildrop().statMaildropSize()).isEqualTo(320);
        });
  }

  @Test
  void statOfAnEmptyMaildropAndOfAHugeOne() {
    afterLogin(
        d -> {
          send(d, "STAT");
          d.write("+OK 0 0\r\n");
        },
        session -> assertThat(session.maildrop().statMessageCount()).isZero());
    afterLogin(
        d -> {
          send(d, "STAT");
          d.write("+OK 90000 123456789012345\r\n");
        },
        session ->
            assertThat(session.maildrop().statMaildropSize()).isEqualTo(123_456_789_012_345L));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "+OK",
        "+OK ",
        "+OK 2",
        "+OK 2 ",
        "+OK  2 320",
        "+OK 2  320",
        "+OK two 320",
        "+OK 2 320x",
        "+OK -2 320",
        "+OK 2 -320",
        "+OK\t2 320",
        "+OK2 320",
        "+OK 2 9999999999999999999999",
        "+OK 9999999999 320",
        "+OK maildrop has 2 messages (320 octets)",
        "+OK \u00ff\u0000 \u0080",
        "-ERR 2 320",
      })
  void malformedOrFailedStatIsIgnored(String answer) {
    afterLogin(
        d -> {
          send(d, "STAT");
          d.write(answer + "\r\n");
        },
        session -> {
          assertThat(session.maildrop().statMessageCount()).isEqualTo(-1);
          assertThat(session.maildrop().statMaildropSize()).isEqualTo(-1);
        });
  }

  @Test
  void statKeepsTheLastAnswer() {
    afterLogin(
        d -> {
          send(d, "STAT", "DELE 1", "STAT", "STAT");
          d.write("+OK 2 320\r\n+OK message 1 deleted\r\n+OK 1 200\r\n-ERR busy\r\n");
        },
        session -> {
          assertThat(session.maildrop().statMessageCount()).isEqualTo(1);
          assertThat(session.maildrop().statMaildropSize()).isEqualTo(200);
        });
  }

  @Test
  void listMultiLine() {
    afterLogin(
        d -> {
          send(d, "LIST");
          d.write("+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n");
        },
        session -> {
          assertThat(session.maildrop().messageSizes())
              .containsExactly(Map.entry(1, 120L), Map.entry(2, 200L));
          // "+OK 2 messages" is free text, not a drop listing.
          assertThat(session.maildrop().statMessageCount()).isEqualTo(-1);
        });
  }

  @Test
  void listMultiLineWithLfOnlyAndTrailingText() {
    afterLogin(
        d -> {
          send(d, "list");
          d.write("+OK\n1 120 flagged\n2 200\n.\n");
        },
        session ->
            assertThat(session.maildrop().messageSizes())
                .containsExactly(Map.entry(1, 120L), Map.entry(2, 200L)));
  }

  @Test
  void emptyListing() {
    afterLogin(
        d -> {
          send(d, "LIST", "UIDL");
          d.write("+OK 0 messages\r\n.\r\n+OK\r\n.\r\n");
        },
        session -> {
          assertThat(session.maildrop().messageSizes()).isEmpty();
          assertThat(session.maildrop().uniqueIds()).isEmpty();
        });
  }

  @Test
  void listSingle() {
    afterLogin(
        d -> {
          send(d, "LIST 2", "LIST 3", "LIST 1", "LIST x");
          // The answer to "LIST 1" names another message: not trusted.
          d.write("+OK 2 200\r\n-ERR no such message, only 2 messages\r\n+OK 2 999\r\n");
          d.write("-ERR bad argument\r\n");
        },
        session ->
            assertThat(session.maildrop().messageSizes()).containsExactly(Map.entry(2, 200L)));
  }

  @Test
  void uidlMultiLine() {
    afterLogin(
        d -> {
          send(d, "UIDL");
          d.write("+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n");
        },
        session ->
            assertThat(session.maildrop().uniqueIds())
                .containsExactly(
                    Map.entry(1, "whqtswO00WBw418f9t5JxYwZ"), Map.entry(2, "QhdPYR:00WBw1Ph7x7")));
  }

  @Test
  void uidlSingle() {
    afterLogin(
        d -> {
          send(d, "UIDL 2", "UIDL 3", "UIDL 1");
          d.write("+OK 2 QhdPYR:00WBw1Ph7x7\r\n-ERR no such message\r\n+OK 2 other\r\n");
        },
        session ->
            assertThat(session.maildrop().uniqueIds())
                .containsExactly(Map.entry(2, "QhdPYR:00WBw1Ph7x7")));
  }

  @Test
  void deleMarksAndRsetUnmarks() {
    afterLogin(
        d -> {
          send(d, "LIST", "DELE 1", "DELE 2", "DELE 1", "DELE 7");
          d.write("+OK\r\n1 120\r\n2 200\r\n3 50\r\n.\r\n");
          d.write("+OK message 1 deleted\r\n+OK message 2 deleted\r\n");
          d.write("-ERR message 1 already deleted\r\n-ERR no such message\r\n");
          assertThat(d.ctx().maildrop().deletedMessages()).containsExactly(1, 2);
          // Deleted messages keep their numbers and are no longer listed (RFC 1939 §5).
          send(d, "LIST", "LIST 1", "RSET", "DELE 3", "RSET");
          d.write("+OK\r\n3 50\r\n.\r\n-ERR message 1 deleted\r\n");
          assertThat(d.ctx().maildrop().messageSizes()).containsKeys(1, 2, 3);
          d.write("-ERR\r\n");
          assertThat(d.ctx().maildrop().deletedMessages()).containsExactly(1, 2);
          d.write("+OK\r\n");
          assertThat(d.ctx().maildrop().deletedMessages()).containsExactly(1, 2, 3);
          d.write("+OK maildrop has 3 messages (370 octets)\r\n");
        },
        session -> {
          assertThat(session.maildrop().deletedMessages()).isEmpty();
          assertThat(session.maildrop().messageSizes())
              .containsExactly(Map.entry(1, 120L), Map.entry(2, 200L), Map.entry(3, 50L));
        });
  }

  @Test
  void quitAfterDeleteEntersUpdate() {
    afterLogin(
        d -> {
          send(d, "DELE 1", "QUIT");
          d.write("+OK\r\n+OK dewey POP3 server signing off (1 message left)\r\n");
        },
        session -> {
          assertThat(session.state()).isEqualTo(Pop3State.UPDATE);
          assertThat(session.maildrop().deletedMessages()).containsExactly(1);
        });
  }

  @Test
  void malformedListingLinesAreIgnored() {
    String list =
        String.join(
            "\r\n",
            "1 120",
            "",
            "x 120",
            "2",
            "3 ",
            " 4 40",
            "5  50",
            "6\t60",
            "0 10",
            "-7 70",
            "8 -80",
            "9999999999 90",
            "10 99999999999999999999",
            "11 1x",
            "..12 120",
            "...",
            "\u00ff\u0000 \u0080",
            "13 " + "7".repeat(600),
            "14 140 " + "z".repeat(400),
            "15 150");
    String uidl =
        String.join(
            "\r\n",
            "1 whqtswO00WBw418f9t5JxYwZ",
            "2 " + "u".repeat(71),
            "3 " + "u".repeat(70),
            "4 bad\u0001id",
            "5 caf\u00e9",
            "6",
            "7 seven extra text",
            "..8 eight");
    afterLogin(
        d -> {
          send(d, "LIST", "UIDL");
          d.write("+OK\r\n" + list + "\r\n.\r\n");
          d.write("+OK\r\n" + uidl + "\r\n.\r\n");
        },
        session -> {
          assertThat(session.maildrop().messageSizes())
              .containsExactly(Map.entry(1, 120L), Map.entry(14, 140L), Map.entry(15, 150L));
          assertThat(session.maildrop().uniqueIds())
              .containsExactly(
                  Map.entry(1, "whqtswO00WBw418f9t5JxYwZ"),
                  Map.entry(3, "u".repeat(70)),
                  Map.entry(7, "seven"));
        });
  }

  @Test
  void aLineOverTheRfc2449LimitIsIgnoredAndTheNextOneRead() {
    afterLogin(
        d -> {
          send(d, "LIST");
          d.write("+OK\r\n1 1" + " ".repeat(2000) + "\r\n2 20\r\n.\r\n");
        },
        session ->
            assertThat(session.maildrop().messageSizes()).containsExactly(Map.entry(2, 20L)));
  }

  @Test
  void randomListingBodiesNeverThrow() {
    Random random = new Random(1939);
    for (int round = 0; round < 20; round++) {
      byte[] noise = new byte[300];
      random.nextBytes(noise);
      StringBuilder body = new StringBuilder();
      for (byte b : noise) {
        // Keep the body open: a line starting with "." never ends up alone.
        char c = (char) (b & 0xff);
        body.append(c == '.' ? '1' : c).append(random.nextInt(8) == 0 ? " " : "");
        if (random.nextInt(10) == 0) {
          body.append(random.nextBoolean() ? "\r\n" : "\n");
        }
      }
      String text = body.toString();
      String command = round % 2 == 0 ? "LIST" : "UIDL";
      afterLogin(
          d -> {
            send(d, command, "STAT");
            d.write("+OK\r\n" + text + "\r\n.\r\n+OK 1 1\r\n");
          },
          session -> assertThat(session.maildrop().statMessageCount()).isEqualTo(1));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"RETR 1", "TOP 1 10", "CAPA"})
  void otherBodiesAreNeverReadAsListings(String command) {
    afterLogin(
        d -> {
          send(d, command, "LIST 2");
          d.write("+OK 120 octets\r\n");
          d.write("1 120\r\n2 whqtswO00WBw418f9t5JxYwZ\r\n\r\n3 30\r\n..4 40\r\n.\r\n");
          d.write("+OK 2 200\r\n");
        },
        session -> {
          assertThat(session.maildrop().messageSizes()).containsExactly(Map.entry(2, 200L));
          assertThat(session.maildrop().uniqueIds()).isEmpty();
          assertThat(session.maildrop().statMessageCount()).isEqualTo(-1);
        });
  }

  @Test
  void aFailedListOpensNoBodyAndTheNextLinesAreAnswers() {
    afterLogin(
        d -> {
          send(d, "LIST", "STAT");
          d.write("-ERR busy\r\n+OK 3 300\r\n");
        },
        session -> {
          assertThat(session.maildrop().messageSizes()).isEmpty();
          assertThat(session.maildrop().statMessageCount()).isEqualTo(3);
        });
  }

  @Test
  void pipelinedCommandsAnsweredInOneWrite() {
    afterLogin(
        d -> {
          // RFC 2449 §6.6 PIPELINING: the client sends everything, the server answers in order.
          send(
              d, "STAT", "LIST", "RETR 1", "UIDL", "DELE 1", "LIST 2", "UIDL 2", "TOP 2 0",
              "DELE 9", "NOOP", "DELE 2", "QUIT");
          d.write(
              "+OK 2 320\r\n"
                  + "+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n"
                  + "+OK 120 octets\r\n1 999\r\n7 777\r\n\r\n..\r\n.\r\n"
                  + "+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n"
                  + "+OK message 1 deleted\r\n"
                  + "+OK 2 201\r\n"
                  + "+OK 2 QhdPYR:00WBw1Ph7x7\r\n"
                  + "+OK\r\nSubject: 3 30\r\n\r\n.\r\n"
                  + "-ERR no such message\r\n"
                  + "+OK\r\n"
                  + "+OK message 2 deleted\r\n"
                  + "+OK dewey POP3 server signing off (maildrop empty)\r\n");
        },
        session -> {
          assertThat(session.maildrop().statMessageCount()).isEqualTo(2);
          assertThat(session.maildrop().statMaildropSize()).isEqualTo(320);
          assertThat(session.maildrop().messageSizes())
              .containsExactly(Map.entry(1, 120L), Map.entry(2, 201L));
          assertThat(session.maildrop().uniqueIds())
              .containsExactly(
                  Map.entry(1, "whqtswO00WBw418f9t5JxYwZ"), Map.entry(2, "QhdPYR:00WBw1Ph7x7"));
          assertThat(session.maildrop().deletedMessages()).containsExactly(1, 2);
          assertThat(session.state()).isEqualTo(Pop3State.UPDATE);
        });
  }

  @Test
  void recordingStopsAtTheCapAndSaysSo() {
    afterLogin(
        3,
        d -> {
          send(d, "LIST", "UIDL", "LIST 2", "DELE 1", "DELE 2", "DELE 3", "DELE 4");
          d.write("+OK\r\n1 10\r\n2 20\r\n3 30\r\n4 40\r\n5 50\r\n.\r\n");
          assertThat(d.ctx().maildrop().truncated()).isTrue();
          d.write("+OK\r\n1 a\r\n2 b\r\n.\r\n");
          // A message already recorded is still updated.
          d.write("+OK 2 21\r\n");
          d.write("+OK\r\n+OK\r\n+OK\r\n+OK\r\n");
        },
        session -> {
          assertThat(session.maildrop().truncated()).isTrue();
          assertThat(session.maildrop().messageSizes())
              .containsExactly(Map.entry(1, 10L), Map.entry(2, 21L), Map.entry(3, 30L));
          assertThat(session.maildrop().uniqueIds())
              .containsExactly(Map.entry(1, "a"), Map.entry(2, "b"));
          assertThat(session.maildrop().deletedMessages()).containsExactly(1, 2, 3);
        });
  }

  @Test
  void theViewsAreReadOnly() {
    afterLogin(
        d -> {
          send(d, "LIST", "UIDL", "DELE 1");
          d.write("+OK\r\n1 10\r\n.\r\n+OK\r\n1 a\r\n.\r\n+OK\r\n");
        },
        session -> {
          assertThatThrownBy(() -> session.maildrop().messageSizes().put(2, 1L))
              .isInstanceOf(UnsupportedOperationException.class);
          assertThatThrownBy(() -> session.maildrop().uniqueIds().clear())
              .isInstanceOf(UnsupportedOperationException.class);
          assertThatThrownBy(() -> session.maildrop().deletedMessages().remove(1))
              .isInstanceOf(UnsupportedOperationException.class);
        });
  }
}
