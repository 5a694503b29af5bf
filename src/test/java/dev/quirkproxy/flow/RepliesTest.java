package dev.quirkproxy.flow;

import static dev.quirkproxy.flow.FlowParts.drain;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.session.Protocol;
import org.junit.jupiter.api.Test;

class RepliesTest {

  @Test
  void tagged() {
    assertThat(drain(Replies.tagged("a1", "NO", "TOOBIG", "too big")))
        .isEqualTo("a1 NO [TOOBIG] quirkproxy: too big\r\n");
    assertThat(drain(Replies.tagged("a1", "BAD", null, "what")))
        .isEqualTo("a1 BAD quirkproxy: what\r\n");
  }

  @Test
  void goodbye() {
    assertThat(drain(Replies.goodbye(Protocol.IMAP, "UNAVAILABLE", "SYS/TEMP", "down")))
        .isEqualTo("* BYE [UNAVAILABLE] quirkproxy: down\r\n");
    assertThat(drain(Replies.goodbye(Protocol.IMAP, null, "SYS/TEMP", "down")))
        .isEqualTo("* BYE quirkproxy: down\r\n");
    assertThat(drain(Replies.goodbye(Protocol.POP3, "UNAVAILABLE", "SYS/TEMP", "down")))
        .isEqualTo("-ERR [SYS/TEMP] quirkproxy: down\r\n");
    assertThat(drain(Replies.goodbye(Protocol.POP3, "UNAVAILABLE", null, "down")))
        .isEqualTo("-ERR quirkproxy: down\r\n");
    assertThat(drain(Replies.pop3Error("nope"))).isEqualTo("-ERR quirkproxy: nope\r\n");
  }

  @Test
  void textCannotBreakTheLine() {
    assertThat(drain(Replies.tagged("a1", "NO", null, "x\r\na2 OK fake\u00e9\0")))
        .isEqualTo("a1 NO quirkproxy: x??a2 OK fake??\r\n");
    assertThat(drain(Replies.goodbye(Protocol.POP3, null, null, "a\nb")))
        .isEqualTo("-ERR quirkproxy: a?b\r\n");
  }
}
