package dev.quirkproxy.flow;

import dev.quirkproxy.codec.Literal;
import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.codec.imap.ImapSyntax;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a client's synchronizing literal that is larger than the limit for the session's state
 * (lower before login), the way a server would: a tagged {@code NO [TOOBIG]} instead of the {@code
 * +} continuation, so the client sends no literal and the session goes on (RFC 9051 §7.1, RFC 4469
 * TOOBIG). If the literal is not in the command's first line, part of the command is already
 * upstream, so the only clean way out is {@code * BYE} and close.
 */
public final class LiteralGuard implements Interceptor {

  private static final Logger log = LoggerFactory.getLogger(LiteralGuard.class);

  @Override
  public Verdict onClient(Session session, WirePart part) {
    Literal literal = part.literal();
    if (literal == null || !literal.synchronizing() || !(session instanceof ImapSession imap)) {
      return Verdict.FORWARD;
    }
    long max = imap.maxClientLiteral();
    if (literal.size() <= max) {
      return Verdict.FORWARD;
    }
    String text =
        "literal of "
            + literal.size()
            + " octets exceeds the limit of "
            + max
            + (imap.authenticated() ? "" : " before login");
    log.warn("refused client {}", text);
    imap.refuseSyncLiteral();
    ImapSyntax.CommandStart command =
        part.frameStart() ? ImapSyntax.commandStart(part.text()) : null;
    if (command == null) {
      return new Verdict.Close(text, Replies.goodbye(session.protocol(), "TOOBIG", null, text));
    }
    return new Verdict.Answer(Replies.tagged(command.tag(), "NO", "TOOBIG", text));
  }
}
