package dev.quirkproxy.flow;

import static dev.quirkproxy.flow.FlowParts.drain;
import static dev.quirkproxy.flow.FlowParts.first;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quirkproxy.codec.Literal;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.Limits;
import dev.quirkproxy.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** {@link InterceptorChain}: verdict semantics and who releases what. */
class InterceptorChainTest {

  private final Session session =
      new ImapSession(new InetSocketAddress("127.0.0.1", 1), Limits.defaults());
  private final List<String> seen = new ArrayList<>();

  /** An interceptor that records what it saw on both sides and returns {@code verdict}. */
  private Interceptor recording(String name, BiFunction<Session, WirePart, Verdict> verdict) {
    return new Interceptor() {
      @Override
      public Verdict onClient(Session s, WirePart p) {
        seen.add(name + " C " + FlowParts.text(p.content()));
        return verdict.apply(s, p);
      }

      @Override
      public Verdict onServer(Session s, WirePart p) {
        seen.add(name + " S " + FlowParts.text(p.content()));
        return verdict.apply(s, p);
      }
    };
  }

  private static ByteBuf buf(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
  }

  @Test
  void emptyChainForwardsThePartItself() {
    WirePart p = first("a1 NOOP\r\n");
    Decision d = new InterceptorChain(List.of()).onClient(session, p);
    assertThat(d.forward()).isSameAs(p);
    assertThat(p.refCnt()).isEqualTo(1);
    assertThat(d.answer()).isNull();
    assertThat(d.closeReason()).isNull();
    assertThat(d.lastWords()).isNull();
    p.release();
  }

  @Test
  void forwardGoesOnToTheNext() {
    WirePart p = first("a1 NOOP\r\n");
    InterceptorChain chain =
        new InterceptorChain(
            List.of(
                recording("one", (s, x) -> Verdict.FORWARD),
                recording("two", (s, x) -> new Verdict.Forward())));
    Decision d = chain.onServer(session, p);
    assertThat(d.forward()).isSameAs(p);
    assertThat(seen).containsExactly("one S a1 NOOP\r\n", "two S a1 NOOP\r\n");
    p.release();
  }

  @Test
  void replaceGivesLaterInterceptorsTheNewBytesAndReleasesTheOld() {
    Literal lit = new Literal(3, true, false);
    WirePart p = WirePart.line(buf("* 1 FETCH (BODY[] {3}\r\n"), true, false, lit);
    InterceptorChain chain =
        new InterceptorChain(
            List.of(
                recording("one", (s, x) -> new Verdict.Replace(buf("* 1 FETCH (BODY[1] {3}\r\n"))),
                recording("two", (s, x) -> Verdict.FORWARD)));
    Decision d = chain.onServer(session, p);
    assertThat(p.refCnt()).isZero();
    WirePart out = d.forward();
    assertThat(out).isNotSameAs(p);
    assertThat(out.kind()).isEqualTo(WirePart.Kind.LINE);
    assertThat(out.frameStart()).isTrue();
    assertThat(out.frameEnd()).isFalse();
    assertThat(out.literal()).isEqualTo(lit);
    assertThat(seen)
        .containsExactly("one S * 1 FETCH (BODY[] {3}\r\n", "two S * 1 FETCH (BODY[1] {3}\r\n");
    assertThat(drain(out.content())).isEqualTo("* 1 FETCH (BODY[1] {3}\r\n");
  }

  @Test
  void replaceTwice() {
    WirePart p = first("x\r\n");
    InterceptorChain chain =
        new InterceptorChain(
            List.of(
                recording("one", (s, x) -> new Verdict.Replace(buf("y\r\n"))),
                recording("two", (s, x) -> new Verdict.Replace(buf("z\r\n")))));
    Decision d = chain.onClient(session, p);
    assertThat(p.refCnt()).isZero();
    assertThat(drain(d.forward().content())).isEqualTo("z\r\n");
    assertThat(seen).containsExactly("one C x\r\n", "two C y\r\n");
  }

  @Test
  void dropStopsTheChainAndReleases() {
    WirePart p = first("a1 NOOP\r\n");
    InterceptorChain chain =
        new InterceptorChain(
            List.of(
                recording("one", (s, x) -> new Verdict.Drop()),
                recording("two", (s, x) -> Verdict.FORWARD)));
    Decision d = chain.onClient(session, p);
    assertThat(d).isEqualTo(new Decision(null, null, null, null, false));
    assertThat(p.refCnt()).isZero();
    assertThat(seen).containsExactly("one C a1 NOOP\r\n");
  }

  @Test
  void replacedThenDroppedReleasesBoth() {
    WirePart p = first("a1 NOOP\r\n");
    ByteBuf replacement = buf("a1 CHECK\r\n");
    InterceptorChain chain =
        new InterceptorChain(
            List.of(
                recording("one", (s, x) -> new Verdict.Replace(replacement)),
                recording("two", (s, x) -> new Verdict.Drop())));
    Decision d = chain.onClient(session, p);
    assertThat(d.forward()).isNull();
    assertThat(p.refCnt()).isZero();
    assertThat(replacement.refCnt()).isZero();
  }

  @Test
  void answerStopsTheChainReleasesThePartAndHandsOverTheReply() {
    WirePart p = first("a1 COMPRESS DEFLATE\r\n");
    InterceptorChain chain =
        new InterceptorChain(
            List.of(
                recording("one", (s, x) -> new Verdict.Answer(buf("a1 NO no\r\n"))),
                recording("two", (s, x) -> Verdict.FORWARD)));
    Decision d = chain.onClient(session, p);
    assertThat(p.refCnt()).isZero();
    assertThat(d.forward()).isNull();
    assertThat(d.closeReason()).isNull();
    assertThat(drain(d.answer())).isEqualTo("a1 NO no\r\n");
    assertThat(seen).hasSize(1);
  }

  @Test
  void closeStopsTheChainReleasesThePartAndHandsOverTheLastWords() {
    WirePart p = first("* 1 FETCH (BODY[] {3}\r\n");
    InterceptorChain chain =
        new InterceptorChain(
            List.of(
                recording("one", (s, x) -> new Verdict.Close("because", buf("* BYE bye\r\n"))),
                recording("two", (s, x) -> Verdict.FORWARD)));
    Decision d = chain.onServer(session, p);
    assertThat(p.refCnt()).isZero();
    assertThat(d.forward()).isNull();
    assertThat(d.answer()).isNull();
    assertThat(d.closeReason()).isEqualTo("because");
    assertThat(drain(d.lastWords())).isEqualTo("* BYE bye\r\n");
    assertThat(seen).hasSize(1);
  }

  @Test
  void closeWithoutLastWords() {
    WirePart p = first("a1 NOOP\r\n");
    Decision d =
        new InterceptorChain(List.of(recording("one", (s, x) -> new Verdict.Close("r", null))))
            .onClient(session, p);
    assertThat(d).isEqualTo(new Decision(null, null, "r", null, false));
    assertThat(p.refCnt()).isZero();
  }

  @Test
  void anInterceptorThatThrowsLeavesNothingBehind() {
    WirePart p = first("a1 NOOP\r\n");
    ByteBuf replacement = buf("a1 CHECK\r\n");
    InterceptorChain chain =
        new InterceptorChain(
            List.of(
                recording("one", (s, x) -> new Verdict.Replace(replacement)),
                recording(
                    "two",
                    (s, x) -> {
                      throw new IllegalStateException("boom");
                    })));
    assertThatThrownBy(() -> chain.onClient(session, p)).hasMessage("boom");
    assertThat(p.refCnt()).isZero();
    assertThat(replacement.refCnt()).isZero();
  }

  @Test
  void theChainCopiesItsList() {
    List<Interceptor> list = new ArrayList<>();
    InterceptorChain chain = new InterceptorChain(list);
    list.add(recording("late", (s, x) -> new Verdict.Drop()));
    WirePart p = first("a1 NOOP\r\n");
    assertThat(chain.onClient(session, p).forward()).isSameAs(p);
    p.release();
  }
}
