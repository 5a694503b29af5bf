package dev.quirkproxy.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quirkproxy.capture.CaptureReader;
import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.capture.CaptureStore;
import dev.quirkproxy.session.Limits;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.testing.LineClient;
import dev.quirkproxy.testing.RelayFixture;
import dev.quirkproxy.testing.ScriptedServer;
import dev.quirkproxy.tls.CertificateAuthority;
import dev.quirkproxy.tls.TlsContexts;
import dev.quirkproxy.tls.TlsMode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defects found in review, each pinned by a test: the proxy's own words never land inside a server
 * literal or body, an upstream STARTTLS never falls back to plain text, a client that never reads
 * cannot make the proxy buffer without bound or hang, and captures stay private.
 */
class ReviewRegressionIT {

  @TempDir Path dir;
  private final RelayFixture fx = new RelayFixture();
  private final List<String> upstreamSaw = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    fx.close();
  }

  private Endpoint proxy(
      Protocol protocol, TlsMode upstreamTls, int port, Limits limits, ProxyTls tls)
      throws InterruptedException {
    return fx.proxy(protocol, TlsMode.NONE, upstreamTls, port, limits, tls);
  }

  private ScriptedServer server(ScriptedServer.Script script) throws IOException {
    return fx.server(script);
  }

  private LineClient client(Endpoint e) throws IOException {
    return fx.client(e);
  }

  @Test
  void imapAnswerOfTheProxyWaitsForTheEndOfALiteral() throws Exception {
    CountDownLatch commandSent = new CountDownLatch(1);
    ScriptedServer up =
        server(
            s -> {
              OutputStream out = s.getOutputStream();
              BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
              out.write("* OK hi\r\n".getBytes(StandardCharsets.US_ASCII));
              out.flush();
              upstreamSaw.add(in.readLine());
              out.write("* 1 FETCH (BODY[] {10}\r\n12345".getBytes(StandardCharsets.US_ASCII));
              out.flush();
              commandSent.await(5, TimeUnit.SECONDS);
              Thread.sleep(300);
              out.write("67890)\r\na1 OK done\r\n".getBytes(StandardCharsets.US_ASCII));
              out.flush();
              s.getInputStream().read();
            });
    LineClient c =
        client(proxy(Protocol.IMAP, TlsMode.NONE, up.port(), Limits.defaults(), ProxyTls.NONE));
    c.readLine();
    c.send("a1 FETCH 1 BODY[]\r\n");
    assertThat(c.readLine()).isEqualTo("* 1 FETCH (BODY[] {10}");
    c.send("a2 COMPRESS DEFLATE\r\n");
    commandSent.countDown();
    assertThat(new String(c.readBytes(10), StandardCharsets.US_ASCII)).isEqualTo("1234567890");
    assertThat(c.readLine()).isEqualTo(")");
    assertThat(c.readLine())
        .isIn(
            "a1 OK done",
            "a2 NO [CANNOT] quirkproxy: COMPRESS is turned off so the proxy can see the protocol");
  }

  @Test
  void pop3AnswerOfTheProxyWaitsForTheEndOfABody() throws Exception {
    CountDownLatch stlsSent = new CountDownLatch(1);
    ScriptedServer up =
        server(
            s -> {
              OutputStream out = s.getOutputStream();
              BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
              out.write("+OK ready\r\n".getBytes(StandardCharsets.US_ASCII));
              out.flush();
              upstreamSaw.add(in.readLine());
              out.write("+OK message\r\nline one\r\n".getBytes(StandardCharsets.US_ASCII));
              out.flush();
              stlsSent.await(5, TimeUnit.SECONDS);
              Thread.sleep(300);
              out.write("line two\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
              out.flush();
              String line;
              while ((line = in.readLine()) != null) {
                upstreamSaw.add(line);
                out.write("+OK noop\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
              }
            });
    LineClient c =
        client(proxy(Protocol.POP3, TlsMode.NONE, up.port(), Limits.defaults(), ProxyTls.NONE));
    c.readLine();
    c.send("RETR 1\r\n");
    assertThat(c.readLine()).isEqualTo("+OK message");
    c.send("STLS\r\n");
    stlsSent.countDown();
    assertThat(List.of(c.readLine(), c.readLine(), c.readLine()))
        .containsExactly("line one", "line two", ".");
    assertThat(c.readLine()).startsWith("-ERR quirkproxy: STLS is not available");
    // Reading resumes after a held answer: the session goes on.
    c.send("NOOP\r\n");
    assertThat(c.readLine()).isEqualTo("+OK noop");
    assertThat(upstreamSaw).containsExactly("RETR 1", "NOOP");
  }

  @Test
  void upstreamStartTlsNeverFallsBackToPlainText() throws Exception {
    for (String greeting : List.of("* PREAUTH welcome", "* BYE go away", "hello?")) {
      upstreamSaw.clear();
      ScriptedServer up =
          server(
              s -> {
                s.getOutputStream().write((greeting + "\r\n").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                BufferedReader in =
                    new BufferedReader(
                        new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                String line;
                while ((line = in.readLine()) != null) {
                  upstreamSaw.add(line);
                }
              });
      CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir.resolve("ca"));
      ProxyTls tls =
          new ProxyTls(null, TlsContexts.client(List.of(ca.certificateFile()), false, null));
      LineClient c =
          client(proxy(Protocol.IMAP, TlsMode.STARTTLS, up.port(), Limits.defaults(), tls));
      assertThat(c.readLine())
          .startsWith("* BYE [UNAVAILABLE] quirkproxy: upstream ")
          .endsWith("greeted without offering STARTTLS: " + greeting);
      assertThat(c.closedByPeer()).isTrue();
      assertThat(upstreamSaw).isEmpty();
    }
  }

  @Test
  void aClientThatNeverReadsCannotMakeTheProxyBufferItsAnswers() throws Exception {
    ScriptedServer up =
        server(
            s -> {
              s.getOutputStream().write("* OK hi\r\n".getBytes(StandardCharsets.US_ASCII));
              s.getOutputStream().flush();
              s.getInputStream().read();
            });
    Endpoint p = proxy(Protocol.IMAP, TlsMode.NONE, up.port(), Limits.defaults(), ProxyTls.NONE);
    Socket hog = new Socket("127.0.0.1", p.port());
    fx.track(hog);
    hog.setReceiveBufferSize(4096);
    byte[] commands = "a COMPRESS DEFLATE\r\n".repeat(10_000).getBytes(StandardCharsets.US_ASCII);
    long[] sent = new long[1];
    Thread writer =
        new Thread(
            () -> {
              try {
                OutputStream out = hog.getOutputStream();
                for (int i = 0; i < 1000; i++) {
                  out.write(commands);
                  sent[0] += commands.length;
                }
              } catch (IOException e) {
                // closed at the end of the test
              }
            });
    writer.setDaemon(true);
    writer.start();
    // Once the client's side is full, the proxy must stop reading it: the amount sent levels off
    // (each 20-octet command earns an 80-octet answer the client never reads).
    Thread.sleep(2000);
    long early = sent[0];
    Thread.sleep(2000);
    long later = sent[0];
    assertThat(writer.isAlive()).as("the proxy stopped reading the client").isTrue();
    assertThat(later - early)
        .as("octets the proxy still took in 2 s after the client stopped reading")
        .isLessThan(1024L * 1024);
    // Other sessions still work.
    LineClient other = client(p);
    assertThat(other.readLine()).isEqualTo("* OK hi");
    hog.close();
  }

  @Test
  void idleGoodbyeToAClientThatNeverReadsEndsInAHardClose() throws Exception {
    ScriptedServer up =
        server(
            s -> {
              OutputStream out = s.getOutputStream();
              out.write("* OK hi\r\n".getBytes(StandardCharsets.US_ASCII));
              new BufferedReader(
                      new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                  .readLine();
              int size = 256 * 1024 * 1024;
              out.write(
                  ("* 1 FETCH (BODY[] {" + size + "}\r\n").getBytes(StandardCharsets.US_ASCII));
              byte[] chunk = new byte[64 * 1024];
              for (int sent = 0; sent < size; sent += chunk.length) {
                out.write(chunk);
              }
            });
    Limits quick =
        new Limits(
            65536,
            1 << 20,
            1 << 20,
            1 << 16,
            1L << 32,
            Duration.ofSeconds(1),
            Duration.ofSeconds(1));
    ProxyServer server =
        fx.startProxy(Protocol.IMAP, TlsMode.NONE, TlsMode.NONE, up.port(), quick, ProxyTls.NONE);
    Endpoint p = server.endpoint();
    Socket lazy = new Socket("127.0.0.1", p.port());
    fx.track(lazy);
    lazy.setReceiveBufferSize(4096);
    lazy.getOutputStream().write("a1 FETCH 1 BODY[]\r\n".getBytes(StandardCharsets.US_ASCII));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    Thread.sleep(500);
    while (server.openSessions() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(server.openSessions())
        .as("the session was closed although the client never read")
        .isZero();
  }

  @Test
  void capturesAreOwnerOnlyAndReadOnlyTheirOwnBlob() throws Exception {
    ScriptedServer up =
        server(
            s -> {
              OutputStream out = s.getOutputStream();
              out.write("* OK hi\r\n".getBytes(StandardCharsets.US_ASCII));
              out.flush();
              new BufferedReader(
                      new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                  .readLine();
              out.write(
                  ("* 1 FETCH (BODY[] {8000}\r\n" + "x".repeat(8000) + ")\r\na1 OK done\r\n")
                      .getBytes(StandardCharsets.US_ASCII));
              out.flush();
              s.getInputStream().read();
            });
    Path captures = dir.resolve("captures");
    CaptureStore store = new CaptureStore(CaptureSettings.in(captures));
    ProxyServer p =
        new ProxyServer(
                new ProxyConfig(
                    new Endpoint(Protocol.IMAP, false, "127.0.0.1", 0),
                    new Endpoint(Protocol.IMAP, false, "127.0.0.1", up.port()),
                    Limits.defaults(),
                    Duration.ofSeconds(5),
                    true),
                List.of(),
                null)
            .recordTo(store, "test");
    try (LineClient c = new LineClient(p.start().port())) {
      c.readLine();
      c.send("a1 FETCH 1 BODY[]\r\n");
      c.readUntil("a1 OK");
    } finally {
      p.shutdown(Duration.ofSeconds(2));
      Thread.sleep(200);
      store.close();
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(captures)) {
      files = walk.toList();
    }
    for (Path f : files) {
      var perms = Files.getPosixFilePermissions(f);
      assertThat(perms)
          .as(f.toString())
          .doesNotContain(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
    }
    Path jsonl =
        files.stream().filter(f -> f.toString().endsWith(".jsonl")).findFirst().orElseThrow();
    assertThat(CaptureReader.read(jsonl).problems()).isEmpty();
    // A capture that points elsewhere is refused, not followed.
    Path forged = jsonl.resolveSibling("forged.jsonl");
    Files.writeString(
        forged,
        Files.readString(jsonl, StandardCharsets.UTF_8)
            .replaceAll("\"file\":\"[^\"]+\"", "\"file\":\"/etc/hostname\""),
        StandardCharsets.UTF_8);
    CaptureReader.Capture c = CaptureReader.read(forged);
    assertThatThrownBy(() -> c.bytes(dev.quirkproxy.capture.Direction.UPSTREAM_TO_PROXY))
        .hasMessageContaining("names blob file '/etc/hostname'");
  }
}
