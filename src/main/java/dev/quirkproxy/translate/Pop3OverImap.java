package dev.quirkproxy.translate;

import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.MailboxView;
import dev.quirkproxy.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A POP3 server (RFC 1939, RFC 2449 CAPA, RFC 5034 AUTH, RFC 3206 response codes) whose maildrop is
 * an IMAP mailbox: every POP3 command becomes IMAP commands upstream, one at a time. The message
 * list is the mailbox at login and keeps its numbers for the session; deletions are only marks
 * until QUIT, when {@link Pop3Update} removes exactly the marked messages. A connection that ends
 * without QUIT changes nothing. No channels here: the relay feeds lines and parts in and carries
 * out what comes back through the {@link Port}. Confined to the session's event loop.
 */
public final class Pop3OverImap {

  private static final Logger log = LoggerFactory.getLogger(Pop3OverImap.class);

  /** Where the translator's output goes; the relay records and tracks each piece. */
  public interface Port {
    /** A POP3 status line ({@code +OK}, {@code -ERR}, or a {@code +} SASL challenge), no CRLF. */
    void status(String line);

    /** Octets of a multi-line body, dot-stuffed, the terminator included in the last piece. */
    void body(ByteBuf bytes);

    /** An IMAP line for the upstream, CRLF included. */
    void command(ByteBuf line);

    /** Says {@code lastWords} (a status line, or null) to the client and ends the session. */
    void end(String lastWords, String reason);

    /** The command in progress is answered: the next client command may come. */
    void idle();
  }

  private enum Phase {
    GREETING,
    AUTHORIZATION,
    TRANSACTION,
    ENDED
  }

  private final Pop3Translation options;
  private final ImapSession upstream;
  private final Session client;
  private final ByteBufAllocator alloc;
  private final Port port;
  private final ImapCaller imap;
  private Phase phase = Phase.GREETING;
  private String user;
  private String saslMechanism;
  private String saslUser;
  private Pop3Snapshot snapshot;
  private MessageFetch fetch;
  private boolean waiting;

  /**
   * @param upstream the tracker of the proxy's IMAP connection (capabilities, UIDVALIDITY)
   * @param client the POP3 client's session (its TLS state decides what CAPA offers)
   */
  public Pop3OverImap(
      Pop3Translation options,
      ImapSession upstream,
      Session client,
      ByteBufAllocator alloc,
      Port port) {
    this.options = options;
    this.upstream = upstream;
    this.client = client;
    this.alloc = alloc;
    this.port = port;
    this.imap = new ImapCaller(port::command);
  }

  /** True while a command (or the greeting) is in progress: hold the client's next line. */
  public boolean busy() {
    return phase == Phase.GREETING || waiting;
  }

  /** True while a multi-line body is open: no other words may reach the client now. */
  public boolean midBody() {
    return fetch != null && fetch.midBody();
  }

  /** True once the session is ending (QUIT answered, or an error that ends it). */
  public boolean ended() {
    return phase == Phase.ENDED;
  }

  /** A part from the upstream (after the rules); the caller keeps ownership. */
  public void serverPart(WirePart part) {
    if (phase == Phase.GREETING) {
      if (part.isLine() && part.frameStart()) {
        greeting(part.text());
      }
      return;
    }
    imap.serverPart(part);
  }

  private void greeting(String text) {
    String upper = text.toUpperCase(Locale.ROOT);
    if (upper.startsWith("* OK")) {
      phase = Phase.AUTHORIZATION;
      port.status("+OK quirkproxy: POP3 over IMAP ready");
      port.idle();
    } else if (upper.startsWith("* PREAUTH")) {
      end(
          "-ERR [SYS/PERM] quirkproxy: the upstream logged in by itself (PREAUTH); cannot log in"
              + " as the POP3 user",
          "upstream greeted with PREAUTH");
    } else {
      end(
          "-ERR [SYS/TEMP] quirkproxy: the upstream is not available: " + clean(text),
          "upstream greeting: " + clean(text));
    }
  }

  /** The upstream closed its connection: say why unless a body is half sent. */
  public void upstreamGone() {
    if (phase == Phase.ENDED) {
      return;
    }
    String bye = imap.byeText();
    end(
        midBody()
            ? null
            : "-ERR [SYS/TEMP] quirkproxy: the upstream closed the connection"
                + (bye == null ? "" : ": " + clean(bye)),
        "upstream closed the connection");
  }

  /** One command line from the client, without its line ending (after the rules). */
  public void clientLine(String line) {
    if (phase == Phase.ENDED) {
      return;
    }
    if (saslMechanism != null) {
      saslLine(line);
      return;
    }
    Pop3Command c = Pop3Command.parse(line);
    if (phase == Phase.AUTHORIZATION) {
      authorization(c);
    } else {
      transaction(c);
    }
  }

  private void authorization(Pop3Command c) {
    switch (c.name()) {
      case "CAPA" -> capa();
      case "USER" -> {
        if (c.rest().isEmpty()) {
          error("USER needs a name");
        } else {
          user = c.rest();
          ok("send PASS");
        }
      }
      case "PASS" -> {
        if (user == null) {
          error("send USER first");
        } else {
          String name = user;
          user = null;
          login(new Sasl.Credentials("", name, c.rest()));
        }
      }
      case "AUTH" -> auth(c);
      case "APOP" ->
          error(
              "APOP is not available: the proxy logs in to the IMAP upstream with the password,"
                  + " which APOP never reveals; use USER/PASS or AUTH PLAIN");
      case "STLS" -> error("STLS is not available on this listener");
      case "QUIT" -> {
        imap.callAndForget("LOGOUT");
        end("+OK quirkproxy: bye", "client quit before login");
      }
      default -> error(c.name().isEmpty() ? "empty command" : "not allowed before login");
    }
  }

  private void capa() {
    boolean tlsFirst = client.clientTls() == Session.TlsSide.STARTTLS_OFFERED;
    StringBuilder b = new StringBuilder();
    b.append("TOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n");
    if (phase == Phase.AUTHORIZATION && tlsFirst) {
      b.append("STLS\r\n");
    } else if (phase == Phase.AUTHORIZATION) {
      b.append("USER\r\nSASL PLAIN LOGIN\r\n");
    }
    b.append("IMPLEMENTATION quirkproxy-pop3-over-imap\r\n.\r\n");
    port.status("+OK quirkproxy: capability list follows");
    port.body(ascii(b.toString()));
  }

  // ---- AUTH (RFC 5034)

  private void auth(Pop3Command c) {
    if (c.args().length == 0) {
      port.status("+OK quirkproxy: SASL mechanisms follow");
      port.body(ascii("PLAIN\r\nLOGIN\r\n.\r\n"));
      return;
    }
    String mechanism = c.args()[0].toUpperCase(Locale.ROOT);
    String initial = c.args().length > 1 ? c.args()[1] : null;
    if (!mechanism.equals("PLAIN") && !mechanism.equals("LOGIN")) {
      error("SASL mechanism " + clean(mechanism) + " is not supported; use PLAIN or LOGIN");
      return;
    }
    saslMechanism = mechanism;
    saslUser = null;
    if (initial == null) {
      port.status(mechanism.equals("PLAIN") ? "+ " : "+ " + Sasl.USERNAME_PROMPT);
    } else {
      saslLine(initial);
    }
  }

  private void saslLine(String line) {
    String mechanism = saslMechanism;
    if (line.strip().equals("*")) {
      saslMechanism = null;
      error("AUTH cancelled");
      return;
    }
    try {
      byte[] response = Sasl.decode(line);
      if (mechanism.equals("PLAIN")) {
        saslMechanism = null;
        login(Sasl.plain(response));
      } else if (saslUser == null) {
        saslUser = Sasl.utf8(response);
        port.status("+ " + Sasl.PASSWORD_PROMPT);
      } else {
        saslMechanism = null;
        login(new Sasl.Credentials("", saslUser, Sasl.utf8(response)));
      }
    } catch (Sasl.BadSasl e) {
      saslMechanism = null;
      port.status("-ERR [AUTH] quirkproxy: " + e.getMessage());
    }
  }

  // ---- login, SELECT and the snapshot

  private void login(Sasl.Credentials who) {
    waiting = true;
    ImapCaller.Handler then =
        new ImapCaller.Handler() {
          @Override
          public void continuation(String text) {
            imap.sendLine(Sasl.plainResponse(who));
          }

          @Override
          public void done(ImapCaller.Done done) {
            loggedIn(done);
          }
        };
    if (who.authzid().isEmpty()
        && ImapCaller.quotable(who.user())
        && ImapCaller.quotable(who.password())) {
      imap.call(
          "LOGIN " + ImapCaller.quote(who.user()) + " " + ImapCaller.quote(who.password()), then);
    } else {
      imap.call("AUTHENTICATE PLAIN", then);
    }
  }

  private void loggedIn(ImapCaller.Done done) {
    if (!done.ok()) {
      String code =
          done.code() != null && done.code().toUpperCase(Locale.ROOT).startsWith("UNAVAILABLE")
              ? "SYS/TEMP"
              : "AUTH";
      log.info("upstream refused the login: {}", done.said());
      if (upstream.authenticated()) {
        // The upstream logged in after all (a rule changed its answer): another login on this
        // connection would be refused, so the client starts again on a new one.
        imap.callAndForget("LOGOUT");
        end(
            "-ERR [" + code + "] quirkproxy: the upstream refused the login: " + done.said(),
            "login answer refused while the upstream logged in");
        return;
      }
      answered("-ERR [" + code + "] quirkproxy: the upstream refused the login: " + done.said());
      return;
    }
    if (upstream.capabilitiesAfterAuth() == null) {
      imap.call("CAPABILITY", after(d -> select()));
    } else {
      select();
    }
  }

  private void select() {
    imap.call(
        "SELECT " + ImapCaller.quote(options.mailbox()),
        after(
            done -> {
              if (done.ok()) {
                list();
              } else {
                imap.callAndForget("LOGOUT");
                end(
                    "-ERR [SYS/PERM] quirkproxy: cannot open mailbox "
                        + clean(options.mailbox())
                        + ": "
                        + done.said(),
                    "SELECT failed");
              }
            }));
  }

  private void list() {
    SnapshotReader reader = new SnapshotReader();
    imap.call(
        "UID FETCH 1:* (UID RFC822.SIZE)",
        new ImapCaller.Handler() {
          @Override
          public void part(WirePart part) {
            reader.part(part);
          }

          @Override
          public void done(ImapCaller.Done done) {
            if (!done.ok()) {
              imap.callAndForget("LOGOUT");
              end(
                  "-ERR [SYS/TEMP] quirkproxy: cannot list the mailbox: " + done.said(),
                  "listing failed");
              return;
            }
            MailboxView box = upstream.mailbox();
            long validity = box == null ? 0 : box.uidValidity();
            snapshot = reader.snapshot(validity, options.order());
            phase = Phase.TRANSACTION;
            log.info(
                "POP3 maildrop {}: {} messages, UIDVALIDITY {}",
                options.mailbox(),
                snapshot.size(),
                validity);
            answered(
                "+OK quirkproxy: maildrop has "
                    + snapshot.liveCount()
                    + " messages ("
                    + snapshot.liveOctets()
                    + " octets)");
          }
        });
  }

  // ---- TRANSACTION (RFC 1939 §5)

  private void transaction(Pop3Command c) {
    switch (c.name()) {
      case "STAT" -> port.status("+OK " + snapshot.liveCount() + " " + snapshot.liveOctets());
      case "LIST" -> listing(c, false);
      case "UIDL" -> listing(c, true);
      case "RETR" -> retrieve(c, -1);
      case "TOP" -> {
        long lines = c.args().length == 2 ? Pop3Command.number(c.args()[1]) : -1;
        if (lines < 0) {
          error("TOP needs a message number and a line count");
        } else {
          retrieve(c, lines);
        }
      }
      case "DELE" -> {
        int n = message(c);
        if (n > 0) {
          snapshot.delete(n);
          ok("message " + n + " deleted");
        }
      }
      case "RSET" -> {
        snapshot.undeleteAll();
        ok("maildrop has " + snapshot.liveCount() + " messages (" + snapshot.liveOctets() + ")");
      }
      case "NOOP" -> {
        waiting = true;
        imap.call("NOOP", after(d -> answered("+OK")));
      }
      case "CAPA" -> capa();
      case "QUIT" -> {
        waiting = true;
        new Pop3Update(imap, upstream, snapshot, this::quitAnswered).run();
      }
      case "USER", "PASS", "APOP", "AUTH", "STLS" -> error("already logged in");
      default -> error(c.name().isEmpty() ? "empty command" : "unknown command");
    }
  }

  private void listing(Pop3Command c, boolean uidl) {
    if (c.args().length > 0) {
      int n = message(c);
      if (n > 0) {
        port.status("+OK " + n + " " + (uidl ? snapshot.uniqueId(n) : snapshot.octets(n)));
      }
      return;
    }
    port.status(
        uidl
            ? "+OK quirkproxy: unique-id listing follows"
            : "+OK quirkproxy: scan listing follows");
    StringBuilder b = new StringBuilder();
    for (int n = 1; n <= snapshot.size(); n++) {
      if (snapshot.live(n)) {
        b.append(n).append(' ').append(uidl ? snapshot.uniqueId(n) : snapshot.octets(n));
        b.append("\r\n");
      }
    }
    port.body(ascii(b.append(".\r\n").toString()));
  }

  /** RETR ({@code lines} -1) or TOP ({@code lines} ≥ 0). */
  private void retrieve(Pop3Command c, long lines) {
    int n = message(c);
    if (n == 0) {
      return;
    }
    waiting = true;
    String okLine =
        lines < 0
            ? "+OK " + snapshot.octets(n) + " octets"
            : "+OK quirkproxy: top of message follows";
    fetch = new MessageFetch(imap, port, alloc, n, snapshot.uid(n), okLine, () -> answered(null));
    if (lines < 0) {
      fetch.retr(options.markSeen());
    } else {
      fetch.top(lines);
    }
  }

  /** The message number in the first argument if it names a live message; else -ERR and 0. */
  private int message(Pop3Command c) {
    long n = c.args().length == 0 ? -1 : Pop3Command.number(c.args()[0]);
    if (n < 1) {
      error(c.name() + " needs a message number");
      return 0;
    }
    if (n > snapshot.size()) {
      error("no such message, only " + snapshot.size() + " in maildrop");
      return 0;
    }
    if (!snapshot.live(n)) {
      error("message " + n + " already deleted");
      return 0;
    }
    return (int) n;
  }

  private void quitAnswered(String lastWords) {
    imap.callAndForget("LOGOUT");
    end(lastWords, "client quit");
  }

  // ---- helpers

  private ImapCaller.Handler after(java.util.function.Consumer<ImapCaller.Done> then) {
    waiting = true;
    return then::accept;
  }

  /** Ends an asynchronous command: its answer (if not already sent), then the next command. */
  private void answered(String line) {
    if (line != null) {
      port.status(line);
    }
    waiting = false;
    fetch = null;
    port.idle();
  }

  private void ok(String text) {
    port.status("+OK quirkproxy: " + text);
  }

  private void error(String text) {
    port.status("-ERR quirkproxy: " + clean(text));
  }

  private void end(String lastWords, String reason) {
    phase = Phase.ENDED;
    waiting = false;
    port.end(lastWords, reason);
  }

  private static ByteBuf ascii(String s) {
    return io.netty.buffer.Unpooled.copiedBuffer(s, java.nio.charset.StandardCharsets.US_ASCII);
  }

  static String clean(String text) {
    StringBuilder b = new StringBuilder(Math.min(text.length(), 200));
    for (int i = 0; i < text.length() && b.length() < 200; i++) {
      char c = text.charAt(i);
      b.append(c >= ' ' && c < 0x7f ? c : '?');
    }
    return b.toString();
  }
}
