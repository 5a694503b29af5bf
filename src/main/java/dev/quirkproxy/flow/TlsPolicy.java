package dev.quirkproxy.flow;

import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.codec.imap.ImapSyntax;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.ImapState;
import dev.quirkproxy.session.Pop3Session;
import dev.quirkproxy.session.Pop3State;
import dev.quirkproxy.session.Session;
import dev.quirkproxy.session.Session.TlsSide;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side's TLS, which the proxy owns: it offers STARTTLS (IMAP, RFC 9051 §6.2.1) or STLS
 * (POP3, RFC 2595 §4) only when its listener is in {@code starttls} mode and TLS has not started,
 * answers the command itself (it is never forwarded: the upstream's TLS is a separate matter), and
 * until then disables plain-text login the way a careful server does: {@code LOGINDISABLED}, no
 * {@code AUTH=} mechanisms, {@code NO [PRIVACYREQUIRED]} (RFC 5530) for LOGIN and AUTHENTICATE. The
 * upstream's own STARTTLS/STLS is never shown to the client.
 */
public final class TlsPolicy implements Interceptor {

  private static final Logger log = LoggerFactory.getLogger(TlsPolicy.class);
  private static final int MAX_CAPA = 64 * 1024;

  /** The CAPA answer being collected so its list can be rewritten as a whole. */
  private static final class CapaBuffer {
    private StringBuilder text;
  }

  @Override
  public Verdict onClient(Session session, WirePart part) {
    if (!part.isLine() || !part.frameStart()) {
      return Verdict.FORWARD;
    }
    boolean offered = session.clientTls() == TlsSide.STARTTLS_OFFERED;
    if (session instanceof ImapSession imap) {
      ImapSyntax.CommandStart command = ImapSyntax.commandStart(part.text());
      if (command == null) {
        return Verdict.FORWARD;
      }
      return switch (command.name()) {
        case "STARTTLS" -> {
          if (offered && imap.state() == ImapState.NOT_AUTHENTICATED) {
            log.info("client STARTTLS: starting TLS on the client side");
            yield new Verdict.StartTls(
                Replies.tagged(command.tag(), "OK", null, "begin TLS negotiation now"));
          }
          yield new Verdict.Answer(
              Replies.tagged(
                  command.tag(),
                  "BAD",
                  null,
                  "STARTTLS is not available "
                      + (session.clientSecure()
                          ? "inside TLS"
                          : offered ? "after login" : "on this listener")));
        }
        case "LOGIN", "AUTHENTICATE" ->
            offered
                ? new Verdict.Answer(
                    Replies.tagged(
                        command.tag(),
                        "NO",
                        "PRIVACYREQUIRED",
                        "plain-text login is disabled; send STARTTLS first"))
                : Verdict.FORWARD;
        default -> Verdict.FORWARD;
      };
    }
    Pop3Session pop3 = (Pop3Session) session;
    String text = part.text().strip();
    int sp = text.indexOf(' ');
    String name = (sp < 0 ? text : text.substring(0, sp)).toUpperCase(Locale.ROOT);
    return switch (name) {
      case "STLS" -> {
        if (offered && pop3.state() == Pop3State.AUTHORIZATION) {
          log.info("client STLS: starting TLS on the client side");
          yield new Verdict.StartTls(Replies.pop3Ok("begin TLS negotiation"));
        }
        yield new Verdict.Answer(
            Replies.pop3Error(
                "STLS is not available "
                    + (session.clientSecure()
                        ? "inside TLS"
                        : offered ? "after login" : "on this listener")));
      }
      case "USER", "PASS", "APOP", "AUTH" ->
          offered && !pop3.expectsSaslLine()
              ? new Verdict.Answer(
                  Replies.pop3Error("plain-text login is disabled; send STLS first"))
              : Verdict.FORWARD;
      default -> Verdict.FORWARD;
    };
  }

  @Override
  public Verdict onServer(Session session, WirePart part) {
    if (session instanceof ImapSession) {
      if (!part.isLine() || !part.frameStart()) {
        return Verdict.FORWARD;
      }
      boolean offered = session.clientTls() == TlsSide.STARTTLS_OFFERED;
      String rewritten = Capabilities.rewrite(part.text(), caps -> imapCapabilities(caps, offered));
      return rewritten == null
          ? Verdict.FORWARD
          : new Verdict.Replace(Lines.withEndingOf(part, rewritten));
    }
    return pop3Capa((Pop3Session) session, part);
  }

  private static List<String> imapCapabilities(List<String> caps, boolean offered) {
    caps.removeIf(c -> Capabilities.is(c, "STARTTLS"));
    if (offered) {
      caps.removeIf(c -> Capabilities.startsWith(c, "AUTH="));
      caps.add("STARTTLS");
      if (caps.stream().noneMatch(c -> Capabilities.is(c, "LOGINDISABLED"))) {
        caps.add("LOGINDISABLED");
      }
    }
    return caps;
  }

  private Verdict pop3Capa(Pop3Session session, WirePart part) {
    CapaBuffer buffer = session.attachment(CapaBuffer.class, CapaBuffer::new);
    if (part.isLine() && part.frameStart()) {
      boolean capa =
          !part.frameEnd()
              && session.answering() != null
              && session.answering().name().equals("CAPA");
      if (!capa) {
        return Verdict.FORWARD;
      }
      buffer.text = new StringBuilder();
    }
    if (buffer.text == null) {
      return Verdict.FORWARD;
    }
    buffer.text.append(part.content().toString(StandardCharsets.ISO_8859_1));
    if (buffer.text.length() > MAX_CAPA) {
      buffer.text = null;
      return new Verdict.Close(
          "CAPA answer longer than " + MAX_CAPA + " octets",
          Replies.pop3Error("CAPA answer too long"));
    }
    if (!part.frameEnd()) {
      return new Verdict.Drop();
    }
    String whole = buffer.text.toString();
    buffer.text = null;
    return new Verdict.Replace(rewriteCapa(whole, session.clientTls() == TlsSide.STARTTLS_OFFERED));
  }

  /** Rewrites a whole CAPA answer (status line, capability lines, terminator). */
  static ByteBuf rewriteCapa(String answer, boolean offered) {
    String eol = answer.contains("\r\n") ? "\r\n" : "\n";
    List<String> lines = new ArrayList<>(List.of(answer.split("\r?\n", -1)));
    // lines: status, capabilities..., ".", "" (after the final line ending)
    String status = lines.remove(0);
    lines.remove(lines.size() - 1);
    lines.remove(lines.size() - 1);
    lines.removeIf(l -> l.equalsIgnoreCase("STLS"));
    if (offered) {
      lines.removeIf(
          l -> l.equalsIgnoreCase("USER") || l.toUpperCase(Locale.ROOT).startsWith("SASL"));
      lines.add("STLS");
    }
    StringBuilder out = new StringBuilder(status).append(eol);
    for (String l : lines) {
      out.append(l).append(eol);
    }
    out.append('.').append(eol);
    return Unpooled.copiedBuffer(out, StandardCharsets.ISO_8859_1);
  }
}
