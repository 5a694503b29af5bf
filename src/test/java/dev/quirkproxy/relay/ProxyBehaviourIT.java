package dev.quirkproxy.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.session.Limits;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.testing.LineClient;
import dev.quirkproxy.testing.MiniImap;
import dev.quirkproxy.testing.RelayFixture;
import dev.quirkproxy.testing.ScriptedServer;
import dev.quirkproxy.tls.TlsMode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The relay's behaviour at the edges, against scripted upstreams that misbehave on purpose:
 * unreachable servers, limits, refused literals, hidden COMPRESS, backpressure, timeouts and
 * graceful shutdown. Each outcome is a protocol answer or a clean close.
 */
class ProxyBehaviourIT {

  private final RelayFixture fx = new RelayFixture();
  private final List<String> upstreamSaw = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    fx.close();
  }

  private ScriptedServer imapServer(String greeting) throws IOException {
    return fx.track(MiniImap.start(greeting, upstreamSaw));
  }

  private Endpoint proxy(Protocol protocol, int upstreamPort, Limits limits)
      throws InterruptedException {
    return fx.proxy(protocol, TlsMode.NONE, TlsMode.NONE, upstreamPort, limits, ProxyTls.NONE);
  }

  private Endpoint proxy(Protocol protocol, int upstreamPort) throws InterruptedException {
    return proxy(protocol, upstreamPort, Limits.defaults());
  }

  private LineClient client(Endpoint e) throws IOException {
    return fx.client(e);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void unreachableImapUpstreamGetsByeNamingTheReason() throws Exception {
    int dead = freePort();
    LineClient c = client(proxy(Protocol.IMAP, dead));
    assertThat(c.readLine())
        .startsWith(
            "* BYE [UNAVAILABLE] quirkproxy: upstream imap://127.0.0.1:" + dead + " unreachable")
        .containsIgnoringCase("refused");
    assertThat(c.closedByPeer()).isTrue();
  }

  @Test
  void unreachablePop3UpstreamGetsErr() throws Exception {
    int dead = freePort();
    LineClient c = client(proxy(Protocol.POP3, dead));
    assertThat(c.readLine())
        .startsWith(
            "-ERR [SYS/TEMP] quirkproxy: upstream pop3://127.0.0.1:" + dead + " unreachable");
    assertThat(c.closedByPeer()).isTrue();
  }

  @Test
  void tooLongClientLineGetsByeAndOtherSessionsGoOn() throws Exception {
    Endpoint p = proxy(Protocol.IMAP, imapServer("* OK ready").port());
    LineClient other = client(p);
    other.readLine();
    LineClient bad = client(p);
    bad.readLine();
    bad.send("a1 NOOP " + "x".repeat(70_000) + "\r\n");
    assertThat(bad.readLine())
        .startsWith("* BYE [TOOBIG] quirkproxy: client line of")
        .contains("65536");
    assertThat(bad.closedByPeer()).isTrue();
    other.send("b1 NOOP\r\n");
    assertThat(other.readLine()).isEqualTo("b1 OK done");
  }

  @Test
  void tooBigSynchronizingLiteralBeforeLoginIsRefusedAndSessionGoesOn() throws Exception {
    LineClient c = client(proxy(Protocol.IMAP, imapServer("* OK ready").port()));
    c.readLine();
    c.send("a1 LOGIN {100000}\r\n");
    assertThat(c.readLine())
        .isEqualTo(
            "a1 NO [TOOBIG] quirkproxy: literal of 100000 octets exceeds the limit of 65536 before login");
    c.send("a2 NOOP\r\n");
    assertThat(c.readLine()).isEqualTo("a2 OK done");
    assertThat(upstreamSaw).containsExactly("a2 NOOP");
  }

  @Test
  void literalRefusedByServerMeansNextBytesAreACommand() throws Exception {
    LineClient c = client(proxy(Protocol.IMAP, imapServer("* OK ready").port()));
    c.readLine();
    c.send("a1 APPEND nothere {5}\r\n");
    assertThat(c.readLine()).isEqualTo("a1 NO [TRYCREATE] no such mailbox");
    c.send("a2 NOOP\r\n");
    assertThat(c.readLine()).isEqualTo("a2 OK done");
    assertThat(upstreamSaw).containsExactly("a1 APPEND nothere {5}", "a2 NOOP");
  }

  @Test
  void compressIsHiddenAndRefused() throws Exception {
    LineClient c =
        client(
            proxy(
                Protocol.IMAP,
                imapServer("* OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE IDLE] hi").port()));
    assertThat(c.readLine()).isEqualTo("* OK [CAPABILITY IMAP4rev1 IDLE] hi");
    c.send("a1 CAPABILITY\r\n");
    assertThat(c.readLine()).isEqualTo("* CAPABILITY IMAP4rev1 IDLE AUTH=PLAIN");
    assertThat(c.readLine()).isEqualTo("a1 OK done");
    c.send("a2 COMPRESS DEFLATE\r\n");
    assertThat(c.readLine()).startsWith("a2 NO [CANNOT] quirkproxy:");
    c.send("a3 NOOP\r\n");
    assertThat(c.readLine()).isEqualTo("a3 OK done");
    assertThat(upstreamSaw).containsExactly("a1 CAPABILITY", "a3 NOOP");
  }

  @Test
  void serverLineTooLongEndsSessionWithBye() throws Exception {
    ScriptedServer s =
        new ScriptedServer(
            socket -> {
              OutputStream out = socket.getOutputStream();
              out.write("* OK ready\r\n".getBytes(StandardCharsets.US_ASCII));
              out.write(
                  ("* SEARCH " + "1 ".repeat(100_000) + "\r\n")
                      .getBytes(StandardCharsets.US_ASCII));
              out.flush();
              socket.getInputStream().read();
            });
    fx.track(s);
    Limits small =
        new Limits(
            65536,
            100_000,
            1 << 20,
            1 << 16,
            1 << 30,
            Duration.ofMinutes(30),
            Duration.ofMinutes(3));
    LineClient c = client(proxy(Protocol.IMAP, s.port(), small));
    assertThat(c.readLine()).isEqualTo("* OK ready");
    assertThat(c.readLine())
        .startsWith("* BYE [UNAVAILABLE] quirkproxy: server line of")
        .contains("100000");
    assertThat(c.closedByPeer()).isTrue();
  }

  @Test
  void loginTimeoutClosesIdleSessionWithBye() throws Exception {
    Limits quick =
        new Limits(
            65536,
            1 << 20,
            1 << 20,
            1 << 16,
            1 << 30,
            Duration.ofMinutes(30),
            Duration.ofSeconds(1));
    LineClient c = client(proxy(Protocol.IMAP, imapServer("* OK ready").port(), quick));
    assertThat(c.readLine()).isEqualTo("* OK ready");
    long start = System.nanoTime();
    assertThat(c.readLine()).startsWith("* BYE quirkproxy: autologout");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(c.closedByPeer()).isTrue();
  }

  @Test
  void upstreamClosingClosesClient() throws Exception {
    ScriptedServer s =
        new ScriptedServer(
            socket ->
                socket
                    .getOutputStream()
                    .write("* OK bye soon\r\n".getBytes(StandardCharsets.US_ASCII)));
    fx.track(s);
    LineClient c = client(proxy(Protocol.IMAP, s.port()));
    assertThat(c.readLine()).isEqualTo("* OK bye soon");
    assertThat(c.closedByPeer()).isTrue();
  }

  @Test
  void shutdownSaysByeToOpenSessions() throws Exception {
    ProxyServer p =
        new ProxyServer(
            ProxyConfig.of(
                new Endpoint(Protocol.IMAP, false, "127.0.0.1", 0),
                new Endpoint(Protocol.IMAP, false, "127.0.0.1", imapServer("* OK ready").port())));
    Endpoint e = p.start();
    LineClient c = client(e);
    c.readLine();
    c.send("a1 NOOP\r\n");
    assertThat(c.readLine()).isEqualTo("a1 OK done");
    p.shutdown(Duration.ofSeconds(2));
    assertThat(c.readLine()).isEqualTo("* BYE quirkproxy: shutting down");
    assertThat(c.closedByPeer()).isTrue();
    assertThat(p.openSessions()).isZero();
  }

  @Test
  void shutdownWaitsForTheEndOfALiteralBeforeBye() throws Exception {
    CountDownLatch firstHalfSent = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    ScriptedServer s =
        new ScriptedServer(
            socket -> {
              OutputStream out = socket.getOutputStream();
              out.write(
                  "* OK ready\r\n* 1 FETCH (BODY[] {10}\r\n12345"
                      .getBytes(StandardCharsets.US_ASCII));
              out.flush();
              firstHalfSent.countDown();
              finish.await(10, TimeUnit.SECONDS);
              out.write("67890)\r\n".getBytes(StandardCharsets.US_ASCII));
              out.flush();
              socket.getInputStream().read();
            });
    fx.track(s);
    ProxyServer p =
        new ProxyServer(
            ProxyConfig.of(
                new Endpoint(Protocol.IMAP, false, "127.0.0.1", 0),
                new Endpoint(Protocol.IMAP, false, "127.0.0.1", s.port())));
    LineClient c = client(p.start());
    assertThat(c.readLine()).isEqualTo("* OK ready");
    assertThat(firstHalfSent.await(5, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Void> down =
        CompletableFuture.runAsync(() -> p.shutdown(Duration.ofSeconds(5)));
    Thread.sleep(300);
    finish.countDown();
    assertThat(c.readLine()).isEqualTo("* 1 FETCH (BODY[] {10}");
    assertThat(new String(c.readBytes(10), StandardCharsets.US_ASCII)).isEqualTo("1234567890");
    assertThat(c.readLine()).isEqualTo(")");
    assertThat(c.readLine()).isEqualTo("* BYE quirkproxy: shutting down");
    down.get(10, TimeUnit.SECONDS);
  }

  @Test
  void slowClientDoesNotMakeTheProxyBufferTheMailbox() throws Exception {
    int size = 64 * 1024 * 1024;
    AtomicLong written = new AtomicLong();
    ScriptedServer s =
        new ScriptedServer(
            socket -> {
              socket.setSendBufferSize(64 * 1024);
              OutputStream out = socket.getOutputStream();
              out.write(
                  ("* OK ready\r\n* 1 FETCH (BODY[] {" + size + "}\r\n")
                      .getBytes(StandardCharsets.US_ASCII));
              byte[] chunk = new byte[64 * 1024];
              for (int i = 0; i < chunk.length; i++) {
                chunk[i] = (byte) ('a' + i % 26);
              }
              for (int sent = 0; sent < size; sent += chunk.length) {
                out.write(chunk);
                written.addAndGet(chunk.length);
              }
              out.write(")\r\n".getBytes(StandardCharsets.US_ASCII));
              out.flush();
              socket.getInputStream().read();
            });
    fx.track(s);
    LineClient c = client(proxy(Protocol.IMAP, s.port()));
    c.socket().setReceiveBufferSize(64 * 1024);
    assertThat(c.readLine()).isEqualTo("* OK ready");
    Thread.sleep(2000);
    // Socket buffers on both legs plus the proxy's write watermarks: a few MiB at most.
    assertThat(written.get()).isLessThan(24L * 1024 * 1024);
    assertThat(c.readLine()).isEqualTo("* 1 FETCH (BODY[] {" + size + "}");
    long got = 0;
    while (got < size) {
      byte[] b = c.readBytes((int) Math.min(1 << 20, size - got));
      for (int i = 0; i < b.length; i++) {
        if (b[i] != (byte) ('a' + ((got + i) % (64 * 1024)) % 26)) {
          throw new AssertionError("byte " + (got + i) + " corrupted");
        }
      }
      got += b.length;
    }
    assertThat(c.readLine()).isEqualTo(")");
    assertThat(written.get()).isEqualTo(size);
  }

  @Test
  void pop3PipelinedCommandsAreAnsweredInOrder() throws Exception {
    ScriptedServer s =
        new ScriptedServer(
            socket -> {
              OutputStream out = socket.getOutputStream();
              out.write("+OK POP3 ready\r\n".getBytes(StandardCharsets.US_ASCII));
              out.flush();
              BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
              // Answer only once all three arrived, in one write: the framer must split them by the
              // queue.
              List<String> got = List.of(in.readLine(), in.readLine(), in.readLine());
              upstreamSaw.addAll(got);
              out.write(
                  "+OK 2 20\r\n+OK\r\n1 10\r\n2 10\r\n.\r\n+OK\r\n..dot\r\nbody\r\n.\r\n"
                      .getBytes(StandardCharsets.US_ASCII));
              out.flush();
              in.readLine();
            });
    fx.track(s);
    LineClient c = client(proxy(Protocol.POP3, s.port()));
    assertThat(c.readLine()).isEqualTo("+OK POP3 ready");
    c.send("STAT\r\nLIST\r\nRETR 1\r\n");
    assertThat(
            List.of(
                c.readLine(),
                c.readLine(),
                c.readLine(),
                c.readLine(),
                c.readLine(),
                c.readLine(),
                c.readLine(),
                c.readLine(),
                c.readLine()))
        .containsExactly("+OK 2 20", "+OK", "1 10", "2 10", ".", "+OK", "..dot", "body", ".");
    assertThat(upstreamSaw).containsExactly("STAT", "LIST", "RETR 1");
  }
}
