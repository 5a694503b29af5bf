package dev.quirkproxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.session.Protocol;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Raw IMAP and POP3 conversations with a real Dovecot, each run twice: directly, and through the
 * proxy. The proxied run must be transparent (Dovecot got exactly the client's bytes and the client
 * exactly Dovecot's, checked with a tap between proxy and Dovecot) and the client must have
 * received the same bytes in both runs (after {@link Transcripts#normalise}). Each run starts from
 * a freshly seeded user, so the mailboxes are identical.
 */
class DovecotRelayIT {

  private static Dovecot dovecot;

  @BeforeAll
  static void startDovecot() throws Exception {
    dovecot = Dovecot.start();
  }

  @AfterAll
  static void stopDovecot() {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  // ---------------------------------------------------------------- IMAP

  @Test
  void imapLoginWithSynchronizingLiterals() throws Exception {
    compare(
        Protocol.IMAP,
        "login",
        t -> {
          RawClient c = t.connect();
          assertThat(c.line()).startsWith("* OK [CAPABILITY ");
          c.sendLine("a LOGIN " + t.user + " {" + Dovecot.PASSWORD.length() + "}");
          assertThat(c.line()).startsWith("+ ");
          c.sendLine(Dovecot.PASSWORD);
          assertThat(c.untilTagged("a")).contains("a OK ");
          c.sendLine("b LOGOUT");
          assertThat(c.untilTagged("b")).contains("* BYE ").contains("b OK ");

          // Both arguments as literals: a command of three lines and two continuations.
          RawClient d = t.connect();
          d.line();
          d.sendLine("a LOGIN {" + t.user.length() + "}");
          assertThat(d.line()).startsWith("+ ");
          d.sendLine(t.user + " {" + Dovecot.PASSWORD.length() + "}");
          assertThat(d.line()).startsWith("+ ");
          d.sendLine(Dovecot.PASSWORD);
          assertThat(d.untilTagged("a")).contains("a OK ");
          d.sendLine("b LOGOUT");
          d.untilTagged("b");
        });
  }

  @Test
  void imapRefusedLiteralThenNextCommand() throws Exception {
    compare(
        Protocol.IMAP,
        "refused",
        t -> {
          RawClient c = t.loggedIn();
          // Dovecot refuses the synchronizing literal with a tagged NO instead of "+": the client
          // sends no literal, and the next bytes are a new command (RFC 9051 §7.5).
          c.sendLine("a APPEND nosuch {20}");
          assertThat(c.untilTagged("a")).startsWith("a NO [TRYCREATE]");
          // 20 octets of a new command: if the proxy still expected the literal it would swallow
          // this line as literal data and Dovecot would never answer it.
          c.sendLine("b NOOP");
          assertThat(c.untilTagged("b")).contains("b OK ");
          c.sendLine("c SELECT INBOX");
          assertThat(c.untilTagged("c")).contains("c OK [READ-WRITE]");
          // Refused in the middle of a command: its first literal (the mailbox name) is accepted,
          // the second (the message) refused, because only then does Dovecot know the mailbox.
          c.sendLine("d APPEND {6}");
          assertThat(c.line()).startsWith("+ ");
          c.sendLine("nosuch {20}");
          assertThat(c.untilTagged("d")).startsWith("d NO [TRYCREATE]");
          c.sendLine("e NOOP");
          assertThat(c.untilTagged("e")).contains("e OK ");
          c.sendLine("f LOGOUT");
          c.untilTagged("f");
        });
  }

  @Test
  void imapAppendWithLiteralPlusAndMultipleLiterals() throws Exception {
    byte[] one = MailSeed.appendable("literal plus one");
    byte[] two = MailSeed.appendable("sync two");
    byte[] three = MailSeed.appendable("sync three");
    byte[] four = MailSeed.appendable("plus four");
    byte[] big = MailSeed.BIG.crlf();
    compare(
        Protocol.IMAP,
        "append",
        t -> {
          RawClient c = t.loggedIn();
          // RFC 7888 LITERAL+: no continuation, the octets follow at once.
          c.send(
              concat(
                  ascii("a APPEND INBOX (\\Seen) \"07-Jan-2025 08:00:00 +0000\" {" + one.length),
                  ascii("+}\r\n"),
                  one,
                  ascii("\r\n")));
          assertThat(c.untilTagged("a")).startsWith("a OK [APPENDUID 1736157600 6]");
          // RFC 3502 MULTIAPPEND with synchronizing literals: two continuations in one command.
          c.sendLine(
              "b APPEND INBOX (\\Flagged) \"07-Jan-2025 08:01:00 +0000\" {" + two.length + "}");
          assertThat(c.line()).startsWith("+ ");
          c.send(
              concat(two, ascii(" () \"07-Jan-2025 08:02:00 +0000\" {" + three.length + "}\r\n")));
          assertThat(c.line()).startsWith("+ ");
          c.send(concat(three, ascii("\r\n")));
          assertThat(c.untilTagged("b")).startsWith("b OK [APPENDUID 1736157600 7:8]");
          // MULTIAPPEND with two LITERAL+ literals, all in one write, into another folder.
          c.send(
              concat(
                  ascii(
                      "c APPEND Archive \"07-Jan-2025 08:03:00 +0000\" {" + four.length + "+}\r\n"),
                  four,
                  ascii(" \"07-Jan-2025 08:04:00 +0000\" {" + one.length + "+}\r\n"),
                  one,
                  ascii("\r\n")));
          assertThat(c.untilTagged("c")).startsWith("c OK [APPENDUID 1736157601 1:2]");
          // 5 MiB through a synchronizing literal: many reads, and the proxy's backpressure.
          c.sendLine("d APPEND Archive \"07-Jan-2025 08:05:00 +0000\" {" + big.length + "}");
          assertThat(c.line()).startsWith("+ ");
          c.send(concat(big, ascii("\r\n")));
          assertThat(c.untilTagged("d")).startsWith("d OK [APPENDUID 1736157601 3]");

          c.sendLine("e SELECT INBOX");
          c.untilTagged("e");
          c.sendLine("f UID FETCH 6:* (FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])");
          String fetched = c.untilTagged("f");
          assertLiterals(fetched, one, two, three);
          c.sendLine("g EXAMINE Archive");
          c.untilTagged("g");
          c.sendLine("h UID FETCH 1:* (UID RFC822.SIZE BODY.PEEK[])");
          assertLiterals(c.untilTagged("h"), four, one, big);
          c.sendLine("i LOGOUT");
          c.untilTagged("i");
        });
  }

  @Test
  void imapAuthenticatePlainWithAndWithoutInitialResponse() throws Exception {
    compare(
        Protocol.IMAP,
        "auth",
        t -> {
          String plain = base64("\0" + t.user + "\0" + Dovecot.PASSWORD);
          // Without SASL-IR: an empty "+ " challenge, then the response on a line of its own.
          RawClient a = t.connect();
          a.line();
          a.sendLine("a AUTHENTICATE PLAIN");
          assertThat(a.line()).startsWith("+");
          a.sendLine(plain);
          assertThat(a.untilTagged("a")).contains("a OK ");
          a.sendLine("b LOGOUT");
          a.untilTagged("b");

          // RFC 4959 SASL-IR: the response in the command.
          RawClient b = t.connect();
          b.line();
          b.sendLine("a AUTHENTICATE PLAIN " + plain);
          assertThat(b.untilTagged("a")).contains("a OK ");
          b.sendLine("b LOGOUT");
          b.untilTagged("b");

          // A cancelled exchange, then LOGIN's two challenges.
          RawClient c = t.connect();
          c.line();
          c.sendLine("a AUTHENTICATE PLAIN");
          assertThat(c.line()).startsWith("+");
          c.sendLine("*");
          assertThat(c.untilTagged("a")).startsWith("a BAD ");
          c.sendLine("b AUTHENTICATE LOGIN");
          assertThat(c.line()).startsWith("+ ");
          c.sendLine(base64(t.user));
          assertThat(c.line()).startsWith("+ ");
          c.sendLine(base64(Dovecot.PASSWORD));
          assertThat(c.untilTagged("b")).contains("b OK ");
          // A SASL line that looks like a command must not confuse anyone after login either.
          c.sendLine("c NOOP");
          assertThat(c.untilTagged("c")).contains("c OK ");
          c.sendLine("d LOGOUT");
          c.untilTagged("d");
        });
  }

  @Test
  void imapIdleSeesAppendFromAnotherConnection() throws Exception {
    byte[] message = MailSeed.appendable("arrives during idle");
    compare(
        Protocol.IMAP,
        "idle",
        t -> {
          RawClient c = t.loggedIn();
          c.sendLine("a SELECT INBOX");
          assertThat(c.untilTagged("a")).contains("* 5 EXISTS");
          c.sendLine("b IDLE");
          assertThat(c.line()).startsWith("+ ");

          RawClient other = t.loggedIn();
          other.send(
              concat(
                  ascii(
                      "x APPEND INBOX \"07-Jan-2025 09:00:00 +0000\" {"
                          + message.length
                          + "+}\r\n"),
                  message,
                  ascii("\r\n")));
          assertThat(other.untilTagged("x")).startsWith("x OK [APPENDUID 1736157600 6]");
          other.sendLine("y LOGOUT");
          other.untilTagged("y");

          // Dovecot notices the new message (inotify) and tells the idling client.
          assertThat(c.untilResponse(r -> r.equals("* 6 EXISTS\r\n"))).endsWith("* 6 EXISTS\r\n");
          c.sendLine("DONE");
          assertThat(c.untilTagged("b")).contains("b OK ");
          c.sendLine("c FETCH 6 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
          assertThat(c.untilTagged("c")).contains("Subject: arrives during idle");
          c.sendLine("d LOGOUT");
          c.untilTagged("d");
        });
  }

  @Test
  void imapPipelinedCommandsAndAnEmptyLine() throws Exception {
    compare(
        Protocol.IMAP,
        "pipeline",
        t -> {
          RawClient c = t.connect();
          c.line();
          // Everything in one write, an empty line (some iOS versions send one) in the middle.
          c.send(
              "a LOGIN "
                  + t.user
                  + " "
                  + Dovecot.PASSWORD
                  + "\r\n"
                  + "b SELECT INBOX\r\n"
                  + "\r\n"
                  + "c UID FETCH 1:* (FLAGS RFC822.SIZE)\r\n"
                  + "d UID SEARCH UNSEEN\r\n"
                  + "e NOOP\r\n"
                  + "f LOGOUT\r\n");
          String all = new String(c.drain(), StandardCharsets.ISO_8859_1);
          assertThat(all)
              .contains("a OK ")
              .contains("b OK [READ-WRITE]")
              .contains("* BAD ")
              .contains("* SEARCH 2 3 4 5")
              .contains("f OK ");
        });
  }

  @Test
  void imapStatusTextThatEndsLikeALiteral() throws Exception {
    compare(
        Protocol.IMAP,
        "status-text",
        t -> {
          RawClient c = t.loggedIn();
          // Dovecot echoes the mailbox name at the end of the NO: "... doesn't exist: nosuch{5}",
          // followed by its timing only when the command took a measurable time. Status
          // responses carry free text, never literals; a framer that took "{5}" for one would
          // swallow the next response as literal octets and the client would hang.
          c.sendLine("a SELECT \"nosuch{5}\"");
          assertThat(c.untilTagged("a")).startsWith("a NO ").contains("nosuch{5}");
          c.sendLine("b STATUS \"gone{12}\" (MESSAGES)");
          assertThat(c.untilTagged("b")).startsWith("b NO ").contains("gone{12}");
          c.sendLine("c NOOP");
          assertThat(c.untilTagged("c")).startsWith("c OK ");
          c.sendLine("d LOGOUT");
          c.untilTagged("d");
        });
  }

  @Test
  void imapFetchOfTheFiveMegabyteMessageAndStructures() throws Exception {
    compare(
        Protocol.IMAP,
        "fetch",
        t -> {
          RawClient c = t.loggedIn();
          c.sendLine("a EXAMINE INBOX");
          c.untilTagged("a");
          c.sendLine("b UID FETCH 5 (UID RFC822.SIZE BODY.PEEK[])");
          String big = c.untilTagged("b");
          assertLiterals(big, MailSeed.BIG.crlf());
          // ENVELOPE with raw UTF-8 comes as literals in the middle of a FETCH line.
          c.sendLine("c FETCH 1:4 (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)");
          String structures = c.untilTagged("c");
          assertThat(structures).contains("\"Plain text greeting\"").contains("\"report.bin\"");
          // RFC 3516 BINARY: binary content comes back as a literal8, ~{n}.
          c.sendLine("d FETCH 2 (BINARY.PEEK[2])");
          String binary = c.untilTagged("d");
          assertThat(binary).contains("BINARY[2] ~{3000}");
          c.sendLine(
              "e FETCH 1:5 (BODY.PEEK[TEXT]<0.100> BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)])");
          c.untilTagged("e");
          c.sendLine("f LOGOUT");
          c.untilTagged("f");
        });
  }

  @Test
  void imapProxyRefusesAnOversizedLiteralBeforeLoginAndDovecotCarriesOn() throws Exception {
    // Proxy behaviour, not a comparison: Dovecot itself would say "* BYE Literal size too large"
    // and hang up. The proxy answers NO [TOOBIG] and never forwards the command, so Dovecot sees a
    // clean stream and the session goes on.
    String user = dovecot.newUser("toobig");
    try (ProxyRig rig = ProxyRig.start(Protocol.IMAP, dovecot.imapPort());
        RawClient c = RawClient.connect(rig.port(), "toobig")) {
      c.line();
      c.sendLine("a LOGIN " + user + " {100000}");
      assertThat(c.line()).startsWith("a NO [TOOBIG] quirkproxy: ");
      c.sendLine("b LOGIN " + user + " " + Dovecot.PASSWORD);
      assertThat(c.untilTagged("b")).startsWith("b OK ");
      c.sendLine("c LOGOUT");
      c.untilTagged("c");
      c.drain();
      // The proxy relays half-closes: its upstream side ends only once the client's has.
      c.close();
      List<TcpTap.Conversation> up = rig.upstreamTap().awaitAllClosed(ProxyRig.CLOSE_TIMEOUT);
      assertThat(new String(up.get(0).fromClient(), StandardCharsets.ISO_8859_1))
          .isEqualTo("b LOGIN " + user + " " + Dovecot.PASSWORD + "\r\nc LOGOUT\r\n");
    }
  }

  // ---------------------------------------------------------------- POP3

  @Test
  void pop3CapaUserPassAndStat() throws Exception {
    compare(
        Protocol.POP3,
        "userpass",
        t -> {
          RawClient c = t.connect();
          assertThat(c.line()).startsWith("+OK ");
          c.sendLine("CAPA");
          assertThat(c.pop3(true)).contains("\r\nUIDL\r\n").contains("\r\nPIPELINING\r\n");
          c.sendLine("USER " + t.user);
          assertThat(c.pop3(false)).startsWith("+OK");
          c.sendLine("PASS " + Dovecot.PASSWORD);
          assertThat(c.pop3(false)).startsWith("+OK");
          c.sendLine("CAPA");
          c.pop3(true);
          c.sendLine("STAT");
          assertThat(c.pop3(false)).startsWith("+OK 5 ");
          c.sendLine("NOOP");
          c.pop3(false);
          c.sendLine("QUIT");
          assertThat(c.pop3(false)).startsWith("+OK");
        });
  }

  @Test
  void pop3AuthPlainWithAndWithoutInitialResponse() throws Exception {
    compare(
        Protocol.POP3,
        "auth",
        t -> {
          String plain = base64("\0" + t.user + "\0" + Dovecot.PASSWORD);
          RawClient a = t.connect();
          a.line();
          a.sendLine("AUTH PLAIN " + plain);
          assertThat(a.pop3(false)).startsWith("+OK");
          a.sendLine("STAT");
          a.pop3(false);
          a.sendLine("QUIT");
          a.pop3(false);

          RawClient b = t.connect();
          b.line();
          // A bare AUTH lists the mechanisms in a multi-line answer.
          b.sendLine("AUTH");
          assertThat(b.pop3(true)).contains("\r\nPLAIN\r\n");
          b.sendLine("AUTH PLAIN");
          assertThat(b.line()).startsWith("+");
          b.sendLine(plain);
          assertThat(b.pop3(false)).startsWith("+OK");
          b.sendLine("LIST");
          b.pop3(true);
          b.sendLine("QUIT");
          b.pop3(false);

          RawClient c = t.connect();
          c.line();
          c.sendLine("AUTH LOGIN");
          assertThat(c.line()).startsWith("+ ");
          c.sendLine(base64(t.user));
          assertThat(c.line()).startsWith("+ ");
          c.sendLine(base64(Dovecot.PASSWORD));
          assertThat(c.pop3(false)).startsWith("+OK");
          c.sendLine("QUIT");
          c.pop3(false);
        });
  }

  @Test
  void pop3PipelinedStatListUidlAndTop() throws Exception {
    compare(
        Protocol.POP3,
        "pipeline",
        t -> {
          RawClient c = t.pop3LoggedIn();
          // RFC 2449 PIPELINING: several commands in one write, answers in order.
          c.send("STAT\r\nLIST\r\nUIDL\r\nLIST 3\r\nUIDL 5\r\nTOP 3 4\r\n\r\nTOP 2 0\r\n");
          assertThat(c.pop3(false)).startsWith("+OK 5 ");
          assertThat(c.pop3(true)).contains("\r\n3 " + MailSeed.DOTS.crlfSize() + "\r\n");
          assertThat(c.pop3(true)).contains("\r\n5 00000005677ba9a0\r\n");
          assertThat(c.pop3(false)).isEqualTo("+OK 3 " + MailSeed.DOTS.crlfSize() + "\r\n");
          assertThat(c.pop3(false)).isEqualTo("+OK 5 00000005677ba9a0\r\n");
          // The first four body lines of the dot message, dot-stuffed.
          assertThat(c.pop3(true))
              .endsWith(
                  "\r\nThe next line is a lone dot, which POP3 must dot-stuff:\r\n..\r\n"
                      + "...two dots\r\n..one dot\r\n.\r\n");
          // The empty line is a (bad) command of its own.
          assertThat(c.pop3(false)).startsWith("-ERR");
          assertThat(c.pop3(true)).contains("Subject: Quarterly report").endsWith("\r\n\r\n.\r\n");
          c.sendLine("QUIT");
          c.pop3(false);
        });
  }

  @Test
  void pop3RetrOfDotStuffedAndBigMessages() throws Exception {
    compare(
        Protocol.POP3,
        "retr",
        t -> {
          RawClient c = t.pop3LoggedIn();
          c.sendLine("RETR 3");
          assertUnstuffed(c.pop3(true), MailSeed.DOTS);
          // Pipelined: the 5 MiB body, then another, then QUIT, in one write.
          c.send("RETR 5\r\nRETR 1\r\nQUIT\r\n");
          assertUnstuffed(c.pop3(true), MailSeed.BIG);
          assertUnstuffed(c.pop3(true), MailSeed.PLAIN);
          assertThat(c.pop3(false)).startsWith("+OK");
        });
  }

  @Test
  void pop3DeleRsetQuit() throws Exception {
    compare(
        Protocol.POP3,
        "dele",
        t -> {
          RawClient c = t.pop3LoggedIn();
          c.sendLine("DELE 1");
          assertThat(c.pop3(false)).startsWith("+OK");
          c.sendLine("STAT");
          assertThat(c.pop3(false)).startsWith("+OK 4 ");
          c.sendLine("RETR 1");
          assertThat(c.pop3(true)).startsWith("-ERR");
          c.sendLine("RSET");
          assertThat(c.pop3(false)).startsWith("+OK");
          c.sendLine("STAT");
          assertThat(c.pop3(false)).startsWith("+OK 5 ");
          c.sendLine("DELE 2");
          c.pop3(false);
          c.sendLine("DELE 4");
          c.pop3(false);
          c.sendLine("QUIT");
          assertThat(c.pop3(false)).startsWith("+OK");

          RawClient d = t.pop3LoggedIn();
          d.sendLine("STAT");
          assertThat(d.pop3(false)).startsWith("+OK 3 ");
          d.sendLine("UIDL");
          assertThat(d.pop3(true))
              .contains("1 00000001677ba9a0")
              .contains("2 00000003677ba9a0")
              .contains("3 00000005677ba9a0");
          d.sendLine("QUIT");
          d.pop3(false);
        });
  }

  // ---------------------------------------------------------------- harness

  /** A conversation: what a test does with the connections it opens to {@link Target#port}. */
  @FunctionalInterface
  interface Script {
    void run(Target target) throws Exception;
  }

  /** Where a script connects (Dovecot or the proxy) and as whom; records every connection. */
  static final class Target {
    final int port;
    final String user;
    final String label;
    final List<RawClient> clients = new ArrayList<>();

    Target(int port, String user, String label) {
      this.port = port;
      this.user = user;
      this.label = label;
    }

    RawClient connect() throws IOException {
      RawClient c = RawClient.connect(port, label + " connection " + clients.size());
      clients.add(c);
      return c;
    }

    /** An IMAP connection past the greeting and LOGIN. */
    RawClient loggedIn() throws IOException {
      RawClient c = connect();
      assertThat(c.line()).startsWith("* OK ");
      c.sendLine("L LOGIN " + user + " " + Dovecot.PASSWORD);
      assertThat(c.untilTagged("L")).contains("L OK ");
      return c;
    }

    /** A POP3 connection past the greeting, USER and PASS. */
    RawClient pop3LoggedIn() throws IOException {
      RawClient c = connect();
      assertThat(c.line()).startsWith("+OK ");
      c.sendLine("USER " + user);
      assertThat(c.pop3(false)).startsWith("+OK");
      c.sendLine("PASS " + Dovecot.PASSWORD);
      assertThat(c.pop3(false)).startsWith("+OK");
      return c;
    }

    /** Reads every connection to its end (the script ended each with LOGOUT or QUIT). */
    void finish() throws IOException {
      for (RawClient c : clients) {
        c.drain();
      }
    }

    void closeAll() {
      for (RawClient c : clients) {
        try {
          c.close();
        } catch (IOException e) {
          // Closing anyway.
        }
      }
    }

    List<byte[]> received() {
      return clients.stream().map(RawClient::received).toList();
    }

    List<byte[]> sent() {
      return clients.stream().map(RawClient::sent).toList();
    }
  }

  /**
   * Runs the script directly against Dovecot and then through the proxy, each time as a new user
   * with the seeded mailbox; checks that the proxy was transparent and that the client received the
   * same in both runs.
   */
  private static void compare(Protocol protocol, String name, Script script) throws Exception {
    int dovecotPort = protocol == Protocol.IMAP ? dovecot.imapPort() : dovecot.pop3Port();
    List<byte[]> direct = run(script, dovecotPort, null, name + "-d", "direct " + name);
    List<byte[]> proxied;
    try (ProxyRig rig = ProxyRig.start(protocol, dovecotPort)) {
      proxied = run(script, rig.port(), rig, name + "-p", "proxied " + name);
      rig.awaitNoSessions();
    }
    Transcripts.assertSameAfterNormalising(protocol + " " + name, direct, proxied);
  }

  private static List<byte[]> run(
      Script script, int port, ProxyRig rig, String userHint, String label) throws Exception {
    Target target = new Target(port, dovecot.newUser(userHint), label);
    try {
      script.run(target);
      target.finish();
    } catch (Exception | AssertionError e) {
      throw new AssertionError(
          label
              + " failed: "
              + Transcripts.shorten(e.getMessage())
              + "\n--- Dovecot log tail ---\n"
              + logTail(),
          e);
    } finally {
      target.closeAll();
    }
    if (rig != null) {
      rig.assertTransparent(label, target.sent(), target.received());
    }
    return target.received();
  }

  private static String logTail() {
    String log = dovecot.log();
    return log.length() > 3000 ? log.substring(log.length() - 3000) : log;
  }

  // ---------------------------------------------------------------- helpers

  private static final Pattern LITERAL = Pattern.compile("~?\\{(\\d+)\\}\r\n");

  /** The contents of the literals in a sequence of responses, in order. */
  private static List<String> literals(String responses) {
    List<String> out = new ArrayList<>();
    Matcher m = LITERAL.matcher(responses);
    int from = 0;
    while (m.find(from)) {
      int n = Integer.parseInt(m.group(1));
      out.add(responses.substring(m.end(), m.end() + n));
      from = m.end() + n;
    }
    return out;
  }

  /** Fails unless the responses hold exactly these literals, in this order, byte for byte. */
  private static void assertLiterals(String responses, byte[]... expected) {
    List<String> found = literals(responses);
    assertThat(found).as("number of literals in the responses").hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      Transcripts.assertIdentical(
          "literal " + i, expected[i], found.get(i).getBytes(StandardCharsets.ISO_8859_1));
    }
  }

  /** Fails unless a RETR answer, dot-stuffing removed, is the message byte for byte. */
  private static void assertUnstuffed(String answer, MailSeed.Message message) {
    Transcripts.assertIdentical(
        "RETR of message " + message.uid() + " without its dot-stuffing",
        message.crlf(),
        unstuff(answer).getBytes(StandardCharsets.ISO_8859_1));
  }

  /** A POP3 multi-line answer's body with the status line, dot-stuffing and terminator removed. */
  private static String unstuff(String answer) {
    assertThat(answer).startsWith("+OK").endsWith("\r\n.\r\n");
    String body = answer.substring(answer.indexOf("\r\n") + 2, answer.length() - 3);
    StringBuilder b = new StringBuilder(body.length());
    for (String line : body.split("\r\n", -1)) {
      b.append(line.startsWith(".") ? line.substring(1) : line).append("\r\n");
    }
    // split() left an empty last piece after the final CRLF.
    return b.substring(0, b.length() - 2);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
