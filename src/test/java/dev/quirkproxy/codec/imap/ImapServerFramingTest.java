package dev.quirkproxy.codec.imap;

import static dev.quirkproxy.codec.FramerHarness.Part.line;
import static dev.quirkproxy.codec.FramerHarness.Part.literal;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.codec.FramerHarness;
import dev.quirkproxy.codec.FramerHarness.Driver;
import dev.quirkproxy.codec.FramerHarness.Feed;
import dev.quirkproxy.codec.FramerHarness.Outcome;
import dev.quirkproxy.codec.FramerHarness.Part;
import dev.quirkproxy.codec.FramerHarness.Script;
import dev.quirkproxy.codec.LimitExceededException;
import dev.quirkproxy.codec.Literal;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.ImapState;
import dev.quirkproxy.session.Limits;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The server side of the IMAP framer (RFC 9051 §2.2.2, §7), with a real session tracker. */
class ImapServerFramingTest {

  /** Server lines up to 256 octets, server literals up to 8 MiB. */
  private static final Limits LIMITS =
      new Limits(
          128, 256, 1000, 20, 8L * 1024 * 1024, Duration.ofMinutes(30), Duration.ofMinutes(3));

  private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 50000);

  private final Map<ImapSession, ImapFrameDecoder> decoders = new IdentityHashMap<>();

  private ImapFrameDecoder newDecoder(ImapSession s) {
    ImapFrameDecoder d = new ImapFrameDecoder(ImapFrameDecoder.Side.SERVER, s.serverFraming());
    decoders.put(s, d);
    return d;
  }

  private Outcome<ImapSession> run(Script<ImapSession> script) {
    return FramerHarness.run(
        () -> new ImapSession(CLIENT, LIMITS), this::newDecoder, ImapSession::serverSent, script);
  }

  private boolean atBoundary(Driver<ImapSession> d) {
    return decoders.get(d.ctx()).atFrameBoundary();
  }

  /** The client sends a one-line command (text without CRLF). */
  private static void client(Driver<ImapSession> d, String text) {
    Literal announced = Literal.atEndOf(text);
    WirePart p =
        WirePart.line(
            io.netty.buffer.Unpooled.copiedBuffer(text + "\r\n", StandardCharsets.US_ASCII),
            true,
            announced == null,
            announced);
    try {
      d.ctx().clientSent(p);
    } finally {
      p.release();
    }
  }

  private static Literal lit(long n) {
    return new Literal(n, true, false);
  }

  @Test
  void greetingWithCapabilityCode() {
    String greeting =
        "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+"
            + " AUTH=PLAIN COMPRESS=DEFLATE] Dovecot ready.\r\n";
    Outcome<ImapSession> o = run(d -> d.write(greeting));
    assertThat(o.parts()).containsExactly(line(greeting));
    for (ImapSession s : o.contexts()) {
      assertThat(s.state()).isEqualTo(ImapState.NOT_AUTHENTICATED);
    }
  }

  @Test
  void taggedUntaggedAndContinuation() {
    Outcome<ImapSession> o =
        run(
            d -> {
              client(d, "a1 SELECT INBOX");
              d.write(
                  "* 3 EXISTS\r\n* FLAGS (\\Seen \\Deleted)\r\n"
                      + "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"
                      + "a1 OK [READ-WRITE] SELECT completed\r\n+ go ahead\r\n");
            });
    assertThat(o.parts())
        .containsExactly(
            line("* 3 EXISTS\r\n"),
            line("* FLAGS (\\Seen \\Deleted)\r\n"),
            line("* OK [UIDVALIDITY 3857529045] UIDs valid\r\n"),
            line("a1 OK [READ-WRITE] SELECT completed\r\n"),
            line("+ go ahead\r\n"));
    for (ImapSession s : o.contexts()) {
      assertThat(s.state()).isEqualTo(ImapState.SELECTED);
      assertThat(s.selectedMailbox()).isEqualTo("INBOX");
    }
  }

  @Test
  void fetchWithABodyLiteral() {
    // The literal's octets hold what would be a tagged response and a POP3 terminator.
    String msg = "Subject: hi\r\n\r\na1 OK fake\r\n.\r\n";
    Outcome<ImapSession> o =
        run(
            d -> {
              assertThat(atBoundary(d)).isTrue();
              d.write("* 1 FETCH (UID 7 BODY[] {" + msg.length() + "}\r\n");
              assertThat(atBoundary(d)).isFalse();
              d.write(msg + ")\r\na1 OK FETCH completed\r\n");
              assertThat(atBoundary(d)).isTrue();
            });
    assertThat(o.parts())
        .containsExactly(
            line(
                "* 1 FETCH (UID 7 BODY[] {" + msg.length() + "}\r\n",
                true,
                false,
                lit(msg.length())),
            literal(msg),
            line(")\r\n", false, true, null),
            line("a1 OK FETCH completed\r\n"));
  }

  @Test
  void severalLiteralsInOneResponse() {
    String header = "From: a@b\r\nSubject: x\r\n\r\n";
    String text = "hello\r\n";
    String first = "* 12 FETCH (UID 99 BODY[HEADER] {" + header.length() + "}\r\n";
    String second = " BODY[TEXT] {" + text.length() + "}\r\n";
    Outcome<ImapSession> o =
        run(d -> d.write(first + header + second + text + " FLAGS (\\Seen))\r\n* 13 EXPUNGE\r\n"));
    assertThat(o.parts())
        .containsExactly(
            line(first, true, false, lit(header.length())),
            literal(header),
            line(second, false, false, lit(text.length())),
            literal(text),
            line(" FLAGS (\\Seen))\r\n", false, true, null),
            line("* 13 EXPUNGE\r\n"));
  }

  @Test
  void literalSplitIntoChunksAcrossReads() {
    Outcome<ImapSession> o =
        run(
            d -> {
              d.write("* 1 FETCH (BODY[] {10}\r\n01");
              d.write("2345");
              assertThat(atBoundary(d)).isFalse();
              d.write("6789)");
              assertThat(atBoundary(d)).isFalse();
              d.write("\r\n");
              assertThat(atBoundary(d)).isTrue();
            });
    assertThat(o.parts())
        .containsExactly(
            line("* 1 FETCH (BODY[] {10}\r\n", true, false, lit(10)),
            literal("0123456789"),
            line(")\r\n", false, true, null));
    assertThat(o.rawWhole())
        .containsExactly(
            line("* 1 FETCH (BODY[] {10}\r\n", true, false, lit(10)),
            literal("01"),
            literal("2345"),
            literal("6789"),
            line(")\r\n", false, true, null));
  }

  @Test
  void mailboxNameAsALiteralAndLiteral8AndAnEmptyLiteral() {
    String input =
        "* LIST (\\HasNoChildren) \"/\" {5}\r\nINBOX\r\n"
            + "* 2 FETCH (BINARY[] ~{4}\r\n\0\u0001\0\u0002)\r\n"
            + "* 3 FETCH (BODY[] {0}\r\n)\r\n";
    Outcome<ImapSession> o = run(d -> d.write(input));
    assertThat(o.parts())
        .containsExactly(
            line("* LIST (\\HasNoChildren) \"/\" {5}\r\n", true, false, lit(5)),
            literal("INBOX"),
            line("\r\n", false, true, null),
            line("* 2 FETCH (BINARY[] ~{4}\r\n", true, false, new Literal(4, true, true)),
            literal("\0\u0001\0\u0002"),
            line(")\r\n", false, true, null),
            line("* 3 FETCH (BODY[] {0}\r\n", true, false, lit(0)),
            line(")\r\n", false, true, null));
  }

  @Test
  void statusResponsesAndContinuationsNeverAnnounceLiterals() {
    List<String> lines =
        List.of(
            "* OK [ALERT] look {5}\r\n",
            "a1 NO foo {5}\r\n",
            "a2 OK done {0}\r\n",
            "a3 BAD {3}\r\n",
            "+ Ready {5}\r\n",
            "+ {5}\r\n",
            "* NO quota {5}\r\n",
            "* BAD what {5}\r\n",
            "* ok lower case {5}\r\n",
            "* PREAUTH hi {2}\r\n",
            "* BYE later {3}\r\n");
    Outcome<ImapSession> o = run(d -> d.write(String.join("", lines)));
    assertThat(o.parts()).containsExactlyElementsOf(lines.stream().map(Part::line).toList());
  }

  @Test
  void bigLiteralIsStreamedInChunksNeverAsOneBuffer() {
    int size = 5 * 1024 * 1024;
    int read = 64 * 1024;
    byte[] body = new byte[size];
    for (int i = 0; i < size; i++) {
      body[i] = (byte) (i % 251);
    }
    byte[] head =
        ("* 1 FETCH (UID 1 BODY[] {" + size + "}\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] tail = ")\r\na1 OK done\r\n".getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[head.length + size + tail.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(body, 0, all, head.length, size);
    System.arraycopy(tail, 0, all, head.length + size, tail.length);

    Driver<ImapSession> d =
        FramerHarness.runOnce(
            () -> new ImapSession(CLIENT, LIMITS),
            this::newDecoder,
            ImapSession::serverSent,
            drv -> {
              drv.writeInChunks(java.util.Arrays.copyOf(all, read), read);
              // The first read is forwarded before the rest has arrived.
              List<Part> soFar = drv.rawParts();
              assertThat(soFar).hasSize(2);
              assertThat(soFar.get(1).kind()).isEqualTo(WirePart.Kind.LITERAL);
              assertThat(soFar.get(1).bytes()).hasSize(read - head.length);
              drv.writeInChunks(java.util.Arrays.copyOfRange(all, read, all.length), read);
            },
            Feed.WHOLE);
    List<Part> raw = d.rawParts();
    assertThat(raw.get(0))
        .isEqualTo(line(new String(head, StandardCharsets.US_ASCII), true, false, lit(size)));
    List<Part> chunks = raw.subList(1, raw.size() - 2);
    assertThat(chunks).allSatisfy(p -> assertThat(p.kind()).isEqualTo(WirePart.Kind.LITERAL));
    assertThat(chunks).allSatisfy(p -> assertThat(p.bytes().length()).isLessThanOrEqualTo(read));
    assertThat(chunks.size()).isGreaterThanOrEqualTo(size / read);
    assertThat(chunks.stream().mapToLong(p -> p.bytes().length()).sum()).isEqualTo(size);
    assertThat(FramerHarness.merge(chunks).get(0).bytes())
        .isEqualTo(new String(body, StandardCharsets.ISO_8859_1));
    assertThat(raw.subList(raw.size() - 2, raw.size()))
        .containsExactly(line(")\r\n", false, true, null), line("a1 OK done\r\n"));
  }

  @Test
  void serverLiteralOverTheLimitIsRefusedBeforeAnythingOfItsResponseIsForwarded() {
    long tooBig = 8L * 1024 * 1024 + 1;
    Outcome<ImapSession> o =
        run(
            d -> {
              d.write("* 1 EXISTS\r\n");
              d.write("* 1 FETCH (BODY[] {" + tooBig + "}\r\n");
              // Between frames: the relay may still tell the client goodbye.
              assertThat(atBoundary(d)).isTrue();
            });
    assertThat(o.parts()).containsExactly(line("* 1 EXISTS\r\n"));
    assertThat(o.failures())
        .allSatisfy(
            e ->
                assertThat(e)
                    .isInstanceOf(LimitExceededException.class)
                    .hasMessage(
                        "server literal of " + tooBig + " octets exceeds the limit of 8388608"));
  }

  @Test
  void serverLineOverTheLimit() {
    Outcome<ImapSession> o = run(d -> d.write("* SEARCH " + "1 ".repeat(200) + "\r\n"));
    assertThat(o.parts()).isEmpty();
    assertThat(o.failures())
        .allSatisfy(
            e ->
                assertThat(e)
                    .isInstanceOfSatisfying(
                        LimitExceededException.class,
                        l -> {
                          assertThat(l.what()).isEqualTo("server line");
                          assertThat(l.limit()).isEqualTo(256);
                        }));
  }

  @Test
  void lfOnlyServerLines() {
    Outcome<ImapSession> o = run(d -> d.write("* 1 FETCH (BODY[] {3}\nabc)\na1 OK\n"));
    assertThat(o.parts())
        .containsExactly(
            line("* 1 FETCH (BODY[] {3}\n", true, false, lit(3)),
            literal("abc"),
            line(")\n", false, true, null),
            line("a1 OK\n"));
  }

  @Test
  void continuationAcceptsTheClientsLiteralInTheTracker() {
    Outcome<ImapSession> o =
        run(
            d -> {
              client(d, "a1 APPEND INBOX {3}");
              d.write("+ Ready {5}\r\n");
            });
    assertThat(o.parts()).containsExactly(line("+ Ready {5}\r\n"));
    for (ImapSession s : o.contexts()) {
      assertThat(s.syncLiteral()).isEqualTo(ImapSession.SyncLiteral.ACCEPTED);
    }
  }
}
