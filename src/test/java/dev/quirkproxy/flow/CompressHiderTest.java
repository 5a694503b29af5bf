package dev.quirkproxy.flow;

import static dev.quirkproxy.flow.FlowParts.drain;
import static dev.quirkproxy.flow.FlowParts.first;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.Limits;
import dev.quirkproxy.session.Pop3Session;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link CompressHider}: RFC 4978 COMPRESS stays out of the client's view, every other byte kept.
 */
class CompressHiderTest {

  private final InetSocketAddress addr = new InetSocketAddress("127.0.0.1", 1);
  private final ImapSession imap = new ImapSession(addr, Limits.defaults());
  private final CompressHider hider = new CompressHider();

  /** Runs a server line through the hider (as the only interceptor); returns what goes on. */
  private String server(String line) {
    return server(first(line));
  }

  private String server(WirePart part) {
    Decision d = new InterceptorChain(List.of(hider)).onServer(imap, part);
    assertThat(d.answer()).isNull();
    assertThat(d.closeReason()).isNull();
    assertThat(d.forward()).isNotNull();
    WirePart out = d.forward();
    assertThat(out.frameStart()).isEqualTo(part.frameStart());
    assertThat(out.frameEnd()).isEqualTo(part.frameEnd());
    assertThat(out.literal()).isEqualTo(part.literal());
    return drain(out.content());
  }

  static Stream<Arguments> capabilityLines() {
    return Stream.of(
        // * CAPABILITY, COMPRESS anywhere in the list
        arguments(
            "* CAPABILITY IMAP4rev1 COMPRESS=DEFLATE IDLE\r\n", "* CAPABILITY IMAP4rev1 IDLE\r\n"),
        arguments(
            "* CAPABILITY IMAP4rev1 IDLE COMPRESS=DEFLATE\r\n", "* CAPABILITY IMAP4rev1 IDLE\r\n"),
        arguments("* CAPABILITY COMPRESS=DEFLATE IMAP4rev1\r\n", "* CAPABILITY IMAP4rev1\r\n"),
        arguments("* capability IMAP4rev1 compress=deflate\r\n", "* capability IMAP4rev1\r\n"),
        arguments(
            "* CAPABILITY IMAP4rev1 COMPRESS=DEFLATE COMPRESS=ZSTD X\r\n",
            "* CAPABILITY IMAP4rev1 X\r\n"),
        arguments("* CAPABILITY IMAP4rev1 COMPRESS=DEFLATE\n", "* CAPABILITY IMAP4rev1\n"),
        // greeting, PREAUTH and tagged OK with a [CAPABILITY ...] code
        arguments(
            "* OK [CAPABILITY IMAP4rev1 SASL-IR COMPRESS=DEFLATE] Dovecot ready.\r\n",
            "* OK [CAPABILITY IMAP4rev1 SASL-IR] Dovecot ready.\r\n"),
        arguments(
            "* OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE LITERAL+]  two  spaces \u00e9 kept \r\n",
            "* OK [CAPABILITY IMAP4rev1 LITERAL+]  two  spaces \u00e9 kept \r\n"),
        arguments(
            "* PREAUTH [CAPABILITY IMAP4rev2 COMPRESS=DEFLATE] hi\r\n",
            "* PREAUTH [CAPABILITY IMAP4rev2] hi\r\n"),
        arguments(
            "a0001 OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE ENABLE] Logged in\r\n",
            "a0001 OK [CAPABILITY IMAP4rev1 ENABLE] Logged in\r\n"),
        // the text after the code is the server's, not a capability list
        arguments(
            "a1 OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] COMPRESS=DEFLATE stays in the text\r\n",
            "a1 OK [CAPABILITY IMAP4rev1] COMPRESS=DEFLATE stays in the text\r\n"),
        // a long tag does not hide the code
        arguments(
            "x".repeat(70) + " OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] ok\r\n",
            "x".repeat(70) + " OK [CAPABILITY IMAP4rev1] ok\r\n"));
  }

  @ParameterizedTest
  @MethodSource("capabilityLines")
  void removesCompressAndKeepsEveryOtherByte(String in, String out) {
    assertThat(server(in)).isEqualTo(out);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "* CAPABILITY IMAP4rev1 IDLE\r\n",
        "* CAPABILITY IMAP4rev1 XCOMPRESS=DEFLATE COMPRESSED\r\n",
        "* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n",
        "* OK COMPRESS=DEFLATE is mentioned in free text\r\n",
        "a1 OK COMPRESS=DEFLATE done\r\n",
        "* 1 FETCH (FLAGS (COMPRESS=DEFLATE))\r\n",
        "+ COMPRESS=DEFLATE\r\n",
      })
  void leavesOtherLinesAlone(String line) {
    WirePart p = first(line);
    try {
      assertThat(hider.onServer(imap, p)).isSameAs(Verdict.FORWARD);
    } finally {
      p.release();
    }
  }

  @Test
  void leavesMessageDataAlone() {
    // An envelope whose subject talks about capabilities is message data, not a capability list.
    String line =
        "* 1 FETCH (ENVELOPE (NIL \"[CAPABILITY COMPRESS=DEFLATE] is broken\" NIL NIL NIL NIL NIL"
            + " NIL NIL NIL))\r\n";
    WirePart p = first(line);
    try {
      assertThat(hider.onServer(imap, p)).isSameAs(Verdict.FORWARD);
    } finally {
      p.release();
    }
  }

  @Test
  void leavesLinesInsideAFrameAlone() {
    WirePart p = FlowParts.middle(" * CAPABILITY IMAP4rev1 COMPRESS=DEFLATE)\r\n");
    try {
      assertThat(hider.onServer(imap, p)).isSameAs(Verdict.FORWARD);
    } finally {
      p.release();
    }
  }

  @Test
  void leavesPop3Alone() {
    Pop3Session pop3 = new Pop3Session(addr, Limits.defaults());
    WirePart s = first("* CAPABILITY IMAP4rev1 COMPRESS=DEFLATE\r\n");
    WirePart c = first("a1 COMPRESS DEFLATE\r\n");
    try {
      assertThat(hider.onServer(pop3, s)).isSameAs(Verdict.FORWARD);
      assertThat(hider.onClient(pop3, c)).isSameAs(Verdict.FORWARD);
    } finally {
      s.release();
      c.release();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"a1 COMPRESS DEFLATE\r\n", "a1 compress deflate\r\n", "a1 COMPRESS DEFLATE\n"})
  void answersACompressCommandWithTaggedNo(String command) {
    Decision d = new InterceptorChain(List.of(hider)).onClient(imap, first(command));
    assertThat(d.forward()).isNull();
    assertThat(d.closeReason()).isNull();
    assertThat(drain(d.answer()))
        .isEqualTo(
            "a1 NO [CANNOT] quirkproxy: COMPRESS is turned off so the proxy can see the protocol\r\n");
    assertThat(imap.pending()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a1 CAPABILITY\r\n", "a1 COMPRESSX DEFLATE\r\n", "\r\n", "DONE\r\n"})
  void forwardsOtherCommands(String command) {
    WirePart p = first(command);
    try {
      assertThat(hider.onClient(imap, p)).isSameAs(Verdict.FORWARD);
    } finally {
      p.release();
    }
  }
}
