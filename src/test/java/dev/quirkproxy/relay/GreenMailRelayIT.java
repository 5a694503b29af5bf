package dev.quirkproxy.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.testing.LineClient;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The relay in front of GreenMail (in-process): a real client library (Angus Mail) and scripted
 * byte-level conversations see exactly what they see directly.
 */
class GreenMailRelayIT {

  private static GreenMail greenMail;
  private static ProxyServer imapProxy;
  private static ProxyServer pop3Proxy;
  private static Endpoint imap;
  private static Endpoint pop3;

  @BeforeAll
  static void start() throws Exception {
    greenMail =
        new GreenMail(
            new ServerSetup[] {
              new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP).dynamicPort(),
              new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3).dynamicPort()
            });
    greenMail.start();
    GreenMailUser user = greenMail.setUser("u@test", "u", "secret");
    greenMail.getManagers().getImapHostManager().createMailbox(user, "Archive");
    Session mail = Session.getInstance(new Properties());
    for (int i = 1; i <= 5; i++) {
      MimeMessage m = new MimeMessage(mail);
      m.setFrom(new InternetAddress("sender" + i + "@test"));
      m.setSubject("message " + i);
      m.setText(i == 3 ? "big body line\r\n".repeat(200_000) : ".dot line\r\nbody " + i + "\r\n");
      user.deliver(m);
    }
    imapProxy = proxy(Protocol.IMAP, greenMail.getImap().getPort());
    pop3Proxy = proxy(Protocol.POP3, greenMail.getPop3().getPort());
    imap = imapProxy.start();
    pop3 = pop3Proxy.start();
  }

  private static ProxyServer proxy(Protocol protocol, int port) {
    return new ProxyServer(
        ProxyConfig.of(
            new Endpoint(protocol, false, "127.0.0.1", 0),
            new Endpoint(protocol, false, "127.0.0.1", port)));
  }

  @AfterAll
  static void stop() {
    imapProxy.shutdown(Duration.ofSeconds(1));
    pop3Proxy.shutdown(Duration.ofSeconds(1));
    greenMail.stop();
  }

  /** Every message's raw bytes, as Angus Mail reads them over the given protocol and port. */
  private static List<String> readAll(String protocol, int port) throws Exception {
    Properties p = new Properties();
    p.setProperty("mail." + protocol + ".host", "127.0.0.1");
    p.setProperty("mail." + protocol + ".port", Integer.toString(port));
    // GreenMail answers each 16 KiB partial FETCH slowly; one FETCH per message keeps this quick.
    p.setProperty("mail.imap.partialfetch", "false");
    Store store = Session.getInstance(p).getStore(protocol);
    store.connect("u", "secret");
    try {
      Folder inbox = store.getFolder("INBOX");
      inbox.open(Folder.READ_ONLY);
      List<String> all = new ArrayList<>();
      for (Message m : inbox.getMessages()) {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        m.writeTo(raw);
        all.add(m.getSubject() + "|" + raw.toString(StandardCharsets.UTF_8));
      }
      inbox.close(false);
      return all;
    } finally {
      store.close();
    }
  }

  @Test
  void imapClientLibrarySeesTheSameMessages() throws Exception {
    List<String> direct = readAll("imap", greenMail.getImap().getPort());
    List<String> proxied = readAll("imap", imap.port());
    assertThat(direct).hasSize(5);
    assertThat(proxied).isEqualTo(direct);
  }

  @Test
  void pop3ClientLibrarySeesTheSameMessages() throws Exception {
    List<String> direct = readAll("pop3", greenMail.getPop3().getPort());
    List<String> proxied = readAll("pop3", pop3.port());
    assertThat(direct).hasSize(5);
    assertThat(proxied).isEqualTo(direct);
  }

  /** The same scripted IMAP conversation, byte for byte, directly and through the proxy. */
  private static byte[] imapConversation(int port) throws Exception {
    try (LineClient c = new LineClient(port)) {
      c.readLine();
      c.send("a1 LOGIN u {6}\r\n");
      c.readUntil("+");
      c.send("secret\r\n");
      c.readUntil("a1 ");
      c.send("a2 EXAMINE INBOX\r\na3 UID FETCH 1:* (FLAGS RFC822.SIZE ENVELOPE BODYSTRUCTURE)\r\n");
      c.readUntil("a3 ");
      // GreenMail orders several BODY[] items of one FETCH differently from run to run: one each.
      c.send("a4 FETCH 3 (BODY.PEEK[])\r\n");
      c.readUntil("a4 ");
      c.send("a5 FETCH 1,2 (BODY.PEEK[TEXT])\r\n");
      c.readUntil("a5 ");
      c.send("a6 APPEND Archive {11+}\r\nhello world\r\n");
      c.readUntil("a6 ");
      c.send("a7 IDLE\r\n");
      c.readUntil("+");
      c.send("DONE\r\n");
      c.readUntil("a7 ");
      c.send("a8 LOGOUT\r\n");
      c.readUntil("a8 ");
      return c.received();
    }
  }

  @Test
  void imapBytesAreIdenticalThroughTheProxy() throws Exception {
    String direct =
        new String(imapConversation(greenMail.getImap().getPort()), StandardCharsets.ISO_8859_1);
    String proxied = new String(imapConversation(imap.port()), StandardCharsets.ISO_8859_1);
    // Only the APPEND to Archive changes state; its UID differs per run.
    assertThat(proxied.length()).isGreaterThan(3_000_000);
    assertThat(normalise(proxied)).isEqualTo(normalise(direct));
  }

  private static String normalise(String transcript) {
    return transcript
        .replaceAll("APPENDUID \\d+ \\d+", "APPENDUID n n")
        .replaceAll("\\* \\d+ EXISTS", "* n EXISTS")
        .replaceAll("\\* \\d+ RECENT", "* n RECENT")
        .replaceAll("UIDNEXT \\d+", "UIDNEXT n");
  }

  @Test
  void pop3BytesAreIdenticalThroughTheProxy() throws Exception {
    assertThat(pop3Conversation(pop3.port()))
        .isEqualTo(pop3Conversation(greenMail.getPop3().getPort()));
  }

  private static String pop3Conversation(int port) throws Exception {
    try (LineClient c = new LineClient(port)) {
      c.readLine();
      c.send("CAPA\r\n");
      c.readUntil(".");
      c.send("USER u\r\nPASS secret\r\n");
      c.readUntil("+OK");
      c.readUntil("+OK");
      c.send("STAT\r\nLIST\r\nUIDL\r\nTOP 1 0\r\nRETR 3\r\nLIST 2\r\n");
      c.readLine();
      c.readUntil(".");
      c.readUntil(".");
      c.readUntil(".");
      c.readUntil(".");
      c.readUntil("+OK");
      c.send("QUIT\r\n");
      c.readUntil("+OK");
      return new String(c.received(), StandardCharsets.ISO_8859_1);
    }
  }
}
