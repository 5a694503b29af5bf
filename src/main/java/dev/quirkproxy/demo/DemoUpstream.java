package dev.quirkproxy.demo;

import com.icegreen.greenmail.imap.AuthorizationException;
import com.icegreen.greenmail.store.FolderException;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Properties;

/**
 * An embedded IMAP and POP3 server (GreenMail) on loopback with one seeded mailbox, so {@code
 * quirkproxy proxy} without {@code --upstream} has something real to relay to.
 */
public final class DemoUpstream implements AutoCloseable {

  public static final String USER = "demo";
  public static final String PASSWORD = "demo";
  public static final String ADDRESS = "demo@quirkproxy.test";

  private final GreenMail greenMail;

  private DemoUpstream(GreenMail greenMail) {
    this.greenMail = greenMail;
  }

  /** Starts GreenMail on free loopback ports and fills the demo mailbox. */
  public static DemoUpstream start() {
    GreenMail gm =
        new GreenMail(
            new ServerSetup[] {
              new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP).dynamicPort(),
              new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_POP3).dynamicPort()
            });
    gm.start();
    try {
      seed(gm);
    } catch (MessagingException | AuthorizationException | FolderException | RuntimeException e) {
      gm.stop();
      throw new IllegalStateException("could not seed the demo mailbox: " + e.getMessage(), e);
    }
    return new DemoUpstream(gm);
  }

  public int imapPort() {
    return greenMail.getImap().getPort();
  }

  public int pop3Port() {
    return greenMail.getPop3().getPort();
  }

  private static void seed(GreenMail gm)
      throws MessagingException, AuthorizationException, FolderException {
    GreenMailUser user = gm.setUser(ADDRESS, USER, PASSWORD);
    for (String folder : new String[] {"Sent", "Drafts", "Trash", "Archive"}) {
      gm.getManagers().getImapHostManager().createMailbox(user, folder);
    }
    Session mail = Session.getInstance(new Properties());
    user.deliver(
        text(
            mail,
            "alice@example.com",
            "Welcome to quirkproxy",
            "This mailbox lives in an embedded GreenMail server.\r\nEvery byte you see went through the proxy.\r\n"));
    user.deliver(
        text(
            mail,
            "bob@example.com",
            "Grüße aus Köln — non-ASCII subject",
            "A message whose subject needs RFC 2047 encoding.\r\n"));
    user.deliver(withAttachment(mail));
    user.deliver(
        text(
            mail,
            "carol@example.com",
            "A longer message",
            "Line of text for a longer body.\r\n".repeat(2000)));
    user.deliver(
        text(
            mail,
            "dave@example.com",
            ".Dots at line starts",
            ".this line starts with a dot\r\n..and this one with two\r\n.\r\nabove was a lone dot\r\n"));
  }

  private static MimeMessage text(Session mail, String from, String subject, String body)
      throws MessagingException {
    MimeMessage m = base(mail, from, subject);
    m.setText(body, StandardCharsets.UTF_8.name());
    return m;
  }

  private static MimeMessage withAttachment(Session mail) throws MessagingException {
    MimeMessage m = base(mail, "erin@example.com", "Report with an attachment");
    MimeBodyPart text = new MimeBodyPart();
    text.setText("The numbers are attached.\r\n", StandardCharsets.UTF_8.name());
    MimeBodyPart file = new MimeBodyPart();
    file.setContent("month,value\r\njan,1\r\nfeb,2\r\n", "text/csv; charset=us-ascii");
    file.setFileName("report.csv");
    m.setContent(new MimeMultipart(text, file));
    return m;
  }

  private static MimeMessage base(Session mail, String from, String subject)
      throws MessagingException {
    MimeMessage m = new MimeMessage(mail);
    m.setFrom(new InternetAddress(from));
    m.setRecipient(Message.RecipientType.TO, new InternetAddress(ADDRESS));
    m.setSubject(subject, StandardCharsets.UTF_8.name());
    m.setSentDate(new Date());
    return m;
  }

  @Override
  public void close() {
    greenMail.stop();
  }
}
