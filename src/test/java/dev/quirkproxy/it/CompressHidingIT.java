package dev.quirkproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.session.Protocol;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The one change the proxy makes to a conversation by default, against a real Dovecot that offers
 * COMPRESS=DEFLATE (imap_zlib loaded): the capability disappears from the client's view, and
 * nothing else changes; a COMPRESS command is answered by the proxy and never reaches Dovecot.
 */
class CompressHidingIT {

  private static final String COMPRESS = " COMPRESS=DEFLATE";

  private static Dovecot dovecot;

  @BeforeAll
  static void startDovecot() throws Exception {
    dovecot = Dovecot.start(Dovecot.Option.IMAP_COMPRESS);
  }

  @AfterAll
  static void stopDovecot() {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  @Test
  void compressIsHiddenAndEverythingElseIsDovecotsBytes() throws Exception {
    byte[] direct;
    try (RawClient c = RawClient.connect(dovecot.imapPort(), "direct")) {
      capabilitiesConversation(c, dovecot.newUser("compress-d"));
      c.sendLine("z LOGOUT");
      c.untilTagged("z");
      c.drain();
      direct = c.received();
    }
    String directText = Transcripts.normalise(direct);
    assertThat(directText)
        .as("Dovecot offers COMPRESS after login (imap_zlib loaded)")
        .contains("* CAPABILITY IMAP4rev1 ")
        .contains(COMPRESS);

    try (ProxyRig rig = ProxyRig.start(Protocol.IMAP, dovecot.imapPort())) {
      byte[] proxied;
      byte[] sent;
      try (RawClient c = RawClient.connect(rig.port(), "proxied")) {
        capabilitiesConversation(c, dovecot.newUser("compress-p"));
        // The proxy answers COMPRESS itself, and the session goes on uncompressed.
        c.sendLine("x COMPRESS DEFLATE");
        assertThat(c.untilTagged("x")).startsWith("x NO [CANNOT] quirkproxy: ");
        c.sendLine("y NOOP");
        assertThat(c.untilTagged("y")).startsWith("y OK ");
        c.sendLine("z LOGOUT");
        c.untilTagged("z");
        c.drain();
        proxied = c.received();
        sent = c.sent();
      }
      String proxiedText = Transcripts.normalise(proxied);
      assertThat(proxiedText).doesNotContain("COMPRESS=");
      // Up to the COMPRESS command, the client got Dovecot's bytes minus the capability.
      String before = proxiedText.substring(0, proxiedText.indexOf("x NO [CANNOT]"));
      Transcripts.assertIdentical(
          "the proxied conversation up to COMPRESS vs the direct one without COMPRESS=DEFLATE",
          directText
              .substring(0, directText.indexOf("* BYE "))
              .replace(COMPRESS, "")
              .getBytes(StandardCharsets.ISO_8859_1),
          before.getBytes(StandardCharsets.ISO_8859_1));

      List<TcpTap.Conversation> upstream = rig.upstreamTap().awaitAllClosed(ProxyRig.CLOSE_TIMEOUT);
      assertThat(upstream).hasSize(1);
      String toDovecot = new String(upstream.get(0).fromClient(), StandardCharsets.ISO_8859_1);
      assertThat(toDovecot).doesNotContain("COMPRESS");
      Transcripts.assertIdentical(
          "what Dovecot received vs what the client sent without its COMPRESS command",
          new String(sent, StandardCharsets.ISO_8859_1)
              .replace("x COMPRESS DEFLATE\r\n", "")
              .getBytes(StandardCharsets.ISO_8859_1),
          upstream.get(0).fromClient());
      String fromDovecot = new String(upstream.get(0).fromServer(), StandardCharsets.ISO_8859_1);
      String expected = fromDovecot.replace(COMPRESS, "");
      int at = expected.indexOf("y OK ");
      // The client got exactly Dovecot's bytes without the capability, plus the proxy's NO.
      Transcripts.assertIdentical(
          "what the client received vs what Dovecot sent, COMPRESS=DEFLATE removed",
          (expected.substring(0, at)
                  + proxiedText.substring(
                      proxiedText.indexOf("x NO [CANNOT]"), proxiedText.indexOf("y OK "))
                  + expected.substring(at))
              .getBytes(StandardCharsets.ISO_8859_1),
          proxied);
      rig.awaitNoSessions();
    }
  }

  /** Greeting, CAPABILITY before and after LOGIN (which announces the new capabilities). */
  private static void capabilitiesConversation(RawClient c, String user) throws Exception {
    assertThat(c.line()).startsWith("* OK [CAPABILITY ");
    c.sendLine("a CAPABILITY");
    c.untilTagged("a");
    c.sendLine("b LOGIN " + user + " " + Dovecot.PASSWORD);
    assertThat(c.untilTagged("b")).contains("b OK ");
    c.sendLine("c CAPABILITY");
    c.untilTagged("c");
    c.sendLine("d ID NIL");
    c.untilTagged("d");
  }
}
