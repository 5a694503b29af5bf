package dev.quirkproxy.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.quirkproxy.capture.CaptureReader;
import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.capture.CaptureStore;
import dev.quirkproxy.cli.Main;
import dev.quirkproxy.fingerprint.Catalog;
import dev.quirkproxy.session.ClientIdentity;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.testing.LineClient;
import jakarta.mail.Folder;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fingerprint and the tracker on live sessions through the proxy, in front of GreenMail: the
 * session's identity while it runs, the capture's fingerprint events and footer, {@code captures
 * list}, a forced identity, and the selected mailbox's UID map.
 */
class ClientIdentificationIT {

  private static GreenMail greenMail;

  @TempDir Path captures;
  private CaptureStore store;
  private ProxyServer proxy;

  @BeforeAll
  static void startGreenMail() throws Exception {
    greenMail =
        new GreenMail(
            new ServerSetup[] {
              new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP).dynamicPort()
            });
    greenMail.start();
    GreenMailUser user = greenMail.setUser("u@test", "u", "secret");
    Session mail = Session.getInstance(new Properties());
    for (int i = 1; i <= 3; i++) {
      MimeMessage m = new MimeMessage(mail);
      m.setFrom(new InternetAddress("sender" + i + "@test"));
      m.setSubject("message " + i);
      m.setText("body " + i + "\r\n");
      user.deliver(m);
    }
  }

  @AfterAll
  static void stopGreenMail() {
    greenMail.stop();
  }

  @AfterEach
  void stopProxy() {
    if (proxy != null) {
      proxy.shutdown(Duration.ofSeconds(2));
    }
    if (store != null) {
      store.close();
    }
  }

  private Endpoint startProxy(String forcedClient) throws InterruptedException {
    store = new CaptureStore(CaptureSettings.in(captures));
    proxy =
        new ProxyServer(
                ProxyConfig.of(
                    new Endpoint(Protocol.IMAP, false, "127.0.0.1", 0),
                    new Endpoint(Protocol.IMAP, false, "127.0.0.1", greenMail.getImap().getPort())))
            .recordTo(store, "test")
            .identifyWith(Catalog.builtin(), forcedClient);
    return proxy.start();
  }

  /** Stops the proxy and the writer, so every capture is complete; returns the only capture. */
  private CaptureReader.Capture onlyCapture() throws IOException {
    proxy.shutdown(Duration.ofSeconds(2));
    store.close();
    try (Stream<Path> files = Files.walk(captures)) {
      List<Path> all = files.filter(p -> p.toString().endsWith(".jsonl")).toList();
      assertThat(all).hasSize(1);
      return CaptureReader.read(all.get(0));
    }
  }

  private static String run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    assertThat(code).as("exit code of %s; stderr %s", List.of(args), err).isZero();
    return out.toString();
  }

  /** Thunderbird's opening (mox#66): random first tag, lower-case verbs, ID after login. */
  private static void thunderbirdOpening(LineClient c) throws IOException {
    c.readLine();
    c.send("57 capability\r\n");
    c.readUntil("57 ");
    c.send("58 login u secret\r\n");
    c.readUntil("58 ");
    c.send("59 ID (\"name\" \"Thunderbird\" \"version\" \"128.3.1\")\r\n");
    c.readUntil("59 ");
    c.send("60 list (subscribed) \"\" \"*\" return (special-use)\r\n");
    c.readUntil("60 ");
    c.send("61 select \"INBOX\"\r\n");
    c.readUntil("61 ");
    c.send("62 UID fetch 1:* (FLAGS)\r\n");
    c.readUntil("62 ");
  }

  @Test
  void aLiveSessionIsIdentifiedAndTheCaptureSaysSo() throws Exception {
    Endpoint e = startProxy(null);
    try (LineClient c = new LineClient(e.port())) {
      thunderbirdOpening(c);
      List<ClientIdentity> live = proxy.inspectSessions(s -> s.identity());
      assertThat(live)
          .singleElement()
          .satisfies(
              id -> {
                assertThat(id.family()).isEqualTo("thunderbird");
                assertThat(id.version()).isEqualTo("128.3.1");
                assertThat(id.forced()).isFalse();
              });
      c.send("63 logout\r\n");
      c.readUntil("63 ");
    }
    CaptureReader.Capture capture = onlyCapture();
    List<String> events =
        capture.events().stream()
            .filter(ev -> ev.path("type").asText().equals("fingerprint"))
            .map(ev -> ev.path("family").asText())
            .toList();
    assertThat(events).isNotEmpty().last().isEqualTo("thunderbird");
    assertThat(capture.footer().path("fingerprint").path("family").asText())
        .isEqualTo("thunderbird");
    assertThat(capture.footer().path("fingerprint").path("evidence").size()).isPositive();
    // Offline identification of the capture agrees with the live one.
    assertThat(run("fingerprint", capture.file().toString())).contains("thunderbird");
    assertThat(run("captures", "list", "--dir", captures.toString()))
        .contains("thunderbird 128.3.1");
    assertThat(run("captures", "list", "--dir", captures.toString(), "--family", "outlook"))
        .doesNotContain("imap");
    assertThat(run("captures", "show", capture.file().toString()))
        .contains("# client: thunderbird 128.3.1")
        .contains("# identified as thunderbird 128.3.1");
  }

  @Test
  void aForcedIdentityWinsAndIsRecorded() throws Exception {
    Endpoint e = startProxy("outlook");
    try (LineClient c = new LineClient(e.port())) {
      thunderbirdOpening(c);
      assertThat(proxy.inspectSessions(s -> s.identity()))
          .containsExactly(new ClientIdentity("outlook", null, 1.0, true));
      c.send("63 logout\r\n");
      c.readUntil("63 ");
    }
    CaptureReader.Capture capture = onlyCapture();
    assertThat(capture.footer().path("forcedClient").asText()).isEqualTo("outlook");
    // What the traffic showed is still in the footer.
    assertThat(capture.footer().path("fingerprint").path("family").asText())
        .isEqualTo("thunderbird");
    assertThat(run("captures", "list", "--dir", captures.toString())).contains("outlook (forced)");
  }

  @Test
  void anUnknownForcedFamilyIsRefused() {
    ProxyServer p =
        new ProxyServer(
            ProxyConfig.of(
                new Endpoint(Protocol.IMAP, false, "127.0.0.1", 0),
                new Endpoint(Protocol.IMAP, false, "127.0.0.1", 1)));
    try {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> p.identifyWith(Catalog.builtin(), "no-such-client"))
          .hasMessageContaining("unknown client family 'no-such-client'")
          .hasMessageContaining("thunderbird");
    } finally {
      p.shutdown(Duration.ZERO);
    }
  }

  @Test
  void jakartaMailIsIdentified() throws Exception {
    Endpoint e = startProxy(null);
    Properties p = new Properties();
    p.setProperty("mail.imap.host", "127.0.0.1");
    p.setProperty("mail.imap.port", Integer.toString(e.port()));
    Store mailStore = Session.getInstance(p).getStore("imap");
    mailStore.connect("u", "secret");
    try {
      Folder inbox = mailStore.getFolder("INBOX");
      inbox.open(Folder.READ_ONLY);
      assertThat(inbox.getMessages()).hasSize(3);
      for (jakarta.mail.Message m : inbox.getMessages()) {
        m.getSubject();
      }
      inbox.close(false);
    } finally {
      mailStore.close();
    }
    assertThat(onlyCapture().footer().path("fingerprint").path("family").asText())
        .isEqualTo("jakarta-mail");
  }

  @Test
  void theTrackerFollowsTheSelectedMailboxLive() throws Exception {
    Endpoint e = startProxy(null);
    try (LineClient c = new LineClient(e.port())) {
      thunderbirdOpening(c);
      List<long[]> maps =
          proxy.inspectSessions(
              s -> {
                ImapSession imap = (ImapSession) s;
                assertThat(imap.selectedMailbox()).isEqualTo("INBOX");
                assertThat(imap.mailbox().exists()).isEqualTo(3);
                assertThat(imap.mailbox().uidValidity()).isPositive();
                assertThat(imap.capabilitiesBeforeAuth()).isNotNull();
                return imap.mailbox().uidMap();
              });
      assertThat(maps).singleElement().satisfies(m -> assertThat(m).hasSize(3).doesNotContain(0));
      c.send("63 logout\r\n");
      c.readUntil("63 ");
    }
  }
}
