package dev.quirkproxy.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.codec.imap.ImapFrameDecoder;
import dev.quirkproxy.codec.imap.ImapFramingContext;
import dev.quirkproxy.codec.pop3.Pop3CommandDecoder;
import dev.quirkproxy.session.Protocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Conversations with one replay session: what the client says, what it gets back. */
class ReplaySessionTest {

  @TempDir Path dir;

  private EmbeddedChannel channel;
  private final List<String> misses = new ArrayList<>();
  private int answered;

  private static final String[] IMAP = {
    "S: * OK [CAPABILITY IMAP4rev1 IDLE] ready",
    "C: a1 LOGIN bob \"[REDACTED]\"",
    "S: a1 OK logged in",
    "C: a2 SELECT INBOX",
    "S: * 2 EXISTS",
    "S: a2 OK [READ-WRITE] selected",
    "C: a3 UID FETCH 7 (BODY[])",
    "S: * 1 FETCH (UID 7 BODY[] {5}",
    "SL: hello",
    "S: )",
    "S: a3 OK fetched",
    "C: a4 APPEND INBOX {3}",
    "S: + go ahead please",
    "CL: abc",
    "C: ",
    "S: a4 OK appended",
    "C: a5 IDLE",
    "S: + idling",
    "C: DONE",
    "S: a5 OK idle done",
    "C: a6 LOGOUT",
    "S: * BYE bye",
    "S: a6 OK logged out"
  };

  private void open(Protocol protocol, MissPolicy policy, String... script) {
    Recording r = Script.recording(dir, protocol.name().toLowerCase(java.util.Locale.ROOT), script);
    ReplaySession.Listener listener =
        new ReplaySession.Listener() {
          @Override
          public void answered() {
            answered++;
          }

          @Override
          public void missed(String command, MissPolicy p) {
            misses.add(command);
          }
        };
    ImapFramingContext framing =
        new ImapFramingContext() {
          @Override
          public int maxLineLength() {
            return 65536;
          }

          @Override
          public long maxLiteralSize() {
            return 1 << 20;
          }

          @Override
          public boolean literalRefused() {
            return false;
          }
        };
    channel =
        new EmbeddedChannel(
            protocol == Protocol.IMAP
                ? new ImapFrameDecoder(ImapFrameDecoder.Side.CLIENT, framing)
                : new Pop3CommandDecoder(() -> 65536),
            new ReplaySession(r, new ReplayOptions(policy, Set.of()), listener));
  }

  /** Sends {@code text} one byte at a time, returns everything written back. */
  private String say(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
    for (byte b : bytes) {
      channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
    }
    return received();
  }

  private String received() {
    StringBuilder out = new StringBuilder();
    for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
      out.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    return out.toString();
  }

  @AfterEach
  void finish() {
    channel.finishAndReleaseAll();
  }

  @Test
  void imapSessionIsPlayedWithLiveTags() {
    open(Protocol.IMAP, MissPolicy.BAD, IMAP);
    assertThat(received()).isEqualTo("* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n");
    assertThat(say("x1 LOGIN bob sekrit\r\n")).isEqualTo("x1 OK logged in\r\n");
    assertThat(say("x2 SELECT INBOX\r\n"))
        .isEqualTo("* 2 EXISTS\r\nx2 OK [READ-WRITE] selected\r\n");
    assertThat(say("x3 UID FETCH 7 (BODY[])\r\n"))
        .isEqualTo("* 1 FETCH (UID 7 BODY[] {5}\r\nhello)\r\nx3 OK fetched\r\n");
    assertThat(say("x4 APPEND INBOX {3}\r\n")).isEqualTo("+ go ahead\r\n");
    assertThat(say("abc\r\n")).isEqualTo("x4 OK appended\r\n");
    assertThat(say("x5 IDLE\r\n")).isEqualTo("+ idling\r\n");
    assertThat(say("DONE\r\n")).isEqualTo("x5 OK idle done\r\n");
    assertThat(channel.isOpen()).isTrue();
    assertThat(say("x6 LOGOUT\r\n")).isEqualTo("* BYE bye\r\nx6 OK logged out\r\n");
    assertThat(channel.isOpen()).isFalse();
    assertThat(answered).isEqualTo(6);
    assertThat(misses).isEmpty();
  }

  @Test
  void missAnswersBadByDefaultAndGoesOn() {
    open(Protocol.IMAP, MissPolicy.BAD, IMAP);
    received();
    assertThat(say("x1 SELECT Archive\r\n"))
        .isEqualTo("x1 BAD quirkproxy replay: no recorded answer for \"SELECT ...\"\r\n");
    assertThat(say("x2 NOOP\r\n"))
        .isEqualTo("x2 BAD quirkproxy replay: no recorded answer for \"NOOP\"\r\n");
    assertThat(misses).containsExactly("SELECT", "NOOP");
    assertThat(say("x3 SELECT INBOX\r\n")).endsWith("x3 OK [READ-WRITE] selected\r\n");
  }

  @Test
  void missPolicyNo() {
    open(Protocol.IMAP, MissPolicy.NO, IMAP);
    received();
    assertThat(say("x1 CHECK\r\n"))
        .isEqualTo("x1 NO quirkproxy replay: no recorded answer for \"CHECK\"\r\n");
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void missPoliciesCloseAndFailSayByeAndClose() {
    for (MissPolicy policy : List.of(MissPolicy.CLOSE, MissPolicy.FAIL)) {
      misses.clear();
      open(Protocol.IMAP, policy, IMAP);
      received();
      assertThat(say("x1 CHECK\r\n"))
          .isEqualTo("* BYE quirkproxy replay: no recorded answer for \"CHECK\"\r\n");
      assertThat(channel.isOpen()).as("%s", policy).isFalse();
      assertThat(misses).containsExactly("CHECK");
      channel.finishAndReleaseAll();
    }
  }

  @Test
  void logoutMissingFromTheCaptureIsStillAnsweredAndCloses() {
    open(Protocol.IMAP, MissPolicy.FAIL, "S: * OK hi", "C: a1 NOOP", "S: a1 OK");
    received();
    assertThat(say("z LOGOUT\r\n"))
        .isEqualTo("* BYE quirkproxy replay: logging out\r\nz OK LOGOUT completed\r\n");
    assertThat(channel.isOpen()).isFalse();
    assertThat(misses).isEmpty();
  }

  @Test
  void pop3SessionWithBodyAndMiss() {
    open(
        Protocol.POP3,
        MissPolicy.BAD,
        "S: +OK POP3 ready",
        "C: USER bob",
        "S: +OK",
        "C: PASS [REDACTED]",
        "S: +OK logged in",
        "C: RETR 1",
        "SB: +OK 7 octets",
        "B: hi\r\n..\r\n.\r\n",
        "C: QUIT",
        "S: +OK bye");
    assertThat(received()).isEqualTo("+OK POP3 ready\r\n");
    assertThat(say("USER bob\r\n")).isEqualTo("+OK\r\n");
    assertThat(say("PASS hunter2\r\n")).isEqualTo("+OK logged in\r\n");
    assertThat(say("RETR 2\r\n"))
        .isEqualTo("-ERR quirkproxy replay: no recorded answer for \"RETR ...\"\r\n");
    assertThat(say("RETR 1\r\n")).isEqualTo("+OK 7 octets\r\nhi\r\n..\r\n.\r\n");
    assertThat(say("QUIT\r\n")).isEqualTo("+OK bye\r\n");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void pop3SaslContinuationsAcceptAnyLine() {
    open(
        Protocol.POP3,
        MissPolicy.BAD,
        "S: +OK ready",
        "C: AUTH PLAIN",
        "S: + ",
        "C: [REDACTED]",
        "S: +OK authenticated",
        "C: STAT",
        "S: +OK 1 10");
    received();
    assertThat(say("AUTH PLAIN\r\n")).isEqualTo("+ \r\n");
    assertThat(say("AGJvYgBzZWNyZXQ=\r\n")).isEqualTo("+OK authenticated\r\n");
    assertThat(say("STAT\r\n")).isEqualTo("+OK 1 10\r\n");
  }
}
