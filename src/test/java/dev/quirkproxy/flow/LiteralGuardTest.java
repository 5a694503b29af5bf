package dev.quirkproxy.flow;

import static dev.quirkproxy.codec.FramerHarness.Part.line;
import static dev.quirkproxy.flow.FlowParts.drain;
import static dev.quirkproxy.flow.FlowParts.first;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.codec.FramerHarness;
import dev.quirkproxy.codec.FramerHarness.Outcome;
import dev.quirkproxy.codec.Literal;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.codec.imap.ImapFrameDecoder;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.ImapSession.SyncLiteral;
import dev.quirkproxy.session.Limits;
import dev.quirkproxy.session.Pop3Session;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link LiteralGuard}: a too-big synchronizing literal is refused the way a server would. */
class LiteralGuardTest {

  private final InetSocketAddress addr = new InetSocketAddress("127.0.0.1", 1);
  private final ImapSession imap = new ImapSession(addr, Limits.defaults());
  private final InterceptorChain chain = new InterceptorChain(List.of(new LiteralGuard()));

  private void server(ImapSession s, String text) {
    WirePart p = FramerHarness.line(text + "\r\n");
    try {
      s.serverSent(p);
    } finally {
      p.release();
    }
  }

  @Test
  void refusesATooBigLiteralBeforeLogin() {
    Decision d = chain.onClient(imap, first("a1 APPEND INBOX {65537}\r\n"));
    assertThat(d.forward()).isNull();
    assertThat(d.closeReason()).isNull();
    assertThat(drain(d.answer()))
        .isEqualTo(
            "a1 NO [TOOBIG] quirkproxy: literal of 65537 octets exceeds the limit of 65536"
                + " before login\r\n");
    assertThat(imap.syncLiteral()).isEqualTo(SyncLiteral.REFUSED);
    assertThat(imap.clientFraming().literalRefused()).isTrue();
  }

  @Test
  void letsALiteralOfExactlyTheLimitThrough() {
    WirePart p = first("a1 LOGIN bob {65536}\r\n");
    Decision d = chain.onClient(imap, p);
    assertThat(d.forward()).isSameAs(p);
    assertThat(imap.syncLiteral()).isEqualTo(SyncLiteral.NONE);
    p.release();
  }

  @Test
  void leavesNonSynchronizingLiteralsToTheFramer() {
    WirePart p = first("a1 APPEND INBOX {99999999+}\r\n");
    try {
      assertThat(new LiteralGuard().onClient(imap, p)).isSameAs(Verdict.FORWARD);
    } finally {
      p.release();
    }
  }

  @Test
  void allowsMoreAfterLoginAndSaysSoWhenRefusing() {
    server(imap, "* OK ready");
    WirePart login = first("a1 LOGIN bob pw\r\n");
    imap.clientSent(login);
    login.release();
    server(imap, "a1 OK logged in");
    WirePart ok = first("a2 APPEND INBOX {65537}\r\n");
    Decision d = chain.onClient(imap, ok);
    assertThat(d.forward()).isSameAs(ok);
    ok.release();

    long tooBig = Limits.DEFAULT_MAX_LITERAL + 1;
    Decision refused =
        chain.onClient(imap, first("a3 APPEND INBOX (\\Seen) ~{" + tooBig + "}\r\n"));
    assertThat(drain(refused.answer()))
        .isEqualTo(
            "a3 NO [TOOBIG] quirkproxy: literal of "
                + tooBig
                + " octets exceeds the limit of 268435456\r\n");
  }

  @Test
  void aTooBigLiteralLaterInACommandClosesTheSession() {
    Decision d = chain.onClient(imap, FlowParts.middle(" {70000}\r\n"));
    assertThat(d.forward()).isNull();
    assertThat(d.answer()).isNull();
    assertThat(d.closeReason())
        .isEqualTo("literal of 70000 octets exceeds the limit of 65536 before login");
    assertThat(drain(d.lastWords()))
        .isEqualTo(
            "* BYE [TOOBIG] quirkproxy: literal of 70000 octets exceeds the limit of 65536"
                + " before login\r\n");
    assertThat(imap.syncLiteral()).isEqualTo(SyncLiteral.REFUSED);
  }

  @Test
  void anUnparsableFirstLineClosesTheSession() {
    Decision d = chain.onClient(imap, first("{70000}\r\n"));
    assertThat(d.closeReason()).contains("70000");
    assertThat(drain(d.lastWords())).startsWith("* BYE [TOOBIG] quirkproxy: ");
  }

  @Test
  void leavesPop3Alone() {
    Pop3Session pop3 = new Pop3Session(addr, Limits.defaults());
    WirePart p =
        WirePart.line(
            io.netty.buffer.Unpooled.copiedBuffer(
                "X {99999999}\r\n", java.nio.charset.StandardCharsets.US_ASCII),
            true,
            false,
            new Literal(99_999_999, true, false));
    try {
      assertThat(new LiteralGuard().onClient(pop3, p)).isSameAs(Verdict.FORWARD);
    } finally {
      p.release();
    }
  }

  /**
   * The framer, the guard and the tracker together, as the relay runs them: the refused command
   * never reaches the server or the tracker, its answer goes back to the client, and the client's
   * next bytes are a new command.
   */
  @Test
  void withTheFramerTheNextBytesAreANewCommand() {
    Limits limits =
        new Limits(128, 1024, 1000, 20, 100_000, Duration.ofMinutes(30), Duration.ofMinutes(3));
    List<String> answers = new ArrayList<>();
    List<String> forwarded = new ArrayList<>();
    Outcome<ImapSession> o =
        FramerHarness.run(
            () -> new ImapSession(addr, limits),
            s -> new ImapFrameDecoder(ImapFrameDecoder.Side.CLIENT, s.clientFraming()),
            (s, part) -> {
              // SessionRelay.clientPart
              Decision d = chain.onClient(s, part.retain());
              if (d.forward() != null) {
                s.clientSent(d.forward());
                forwarded.add(drain(d.forward().content()));
              }
              if (d.answer() != null) {
                answers.add(drain(d.answer()));
              }
            },
            d -> {
              d.write("a1 LOGIN bob {21}\r\n");
              d.write("a2 LOGIN bob {20}\r\n");
              server(d.ctx(), "+ go");
              d.write("x".repeat(20) + "\r\n");
            });
    assertThat(o.parts())
        .containsExactly(
            line("a1 LOGIN bob {21}\r\n", true, false, new Literal(21, true, false)),
            line("a2 LOGIN bob {20}\r\n", true, false, new Literal(20, true, false)),
            FramerHarness.Part.literal("x".repeat(20)),
            line("\r\n", false, true, null));
    String refusal =
        "a1 NO [TOOBIG] quirkproxy: literal of 21 octets exceeds the limit of 20 before login\r\n";
    assertThat(answers).containsExactly(refusal, refusal);
    // Both runs (whole, byte by byte) forwarded a2 and nothing of a1.
    String a2 = "a2 LOGIN bob {20}\r\n" + "x".repeat(20) + "\r\n";
    assertThat(String.join("", forwarded)).isEqualTo(a2 + a2);
    for (ImapSession s : o.contexts()) {
      assertThat(s.pending()).containsOnlyKeys("a2");
      assertThat(s.syncLiteral()).isEqualTo(SyncLiteral.ACCEPTED);
    }
  }
}
