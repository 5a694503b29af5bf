package dev.quirkproxy.flow;

import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.codec.imap.ImapSyntax;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the stream uncompressed so the proxy can see it: removes {@code COMPRESS=...} (RFC 4978)
 * from CAPABILITY responses and {@code [CAPABILITY ...]} response codes, and answers a COMPRESS
 * command itself with {@code NO} in case a client sends one regardless. Every other byte of those
 * lines is kept.
 */
public final class CompressHider implements Interceptor {

  private static final Logger log = LoggerFactory.getLogger(CompressHider.class);

  @Override
  public Verdict onServer(Session session, WirePart part) {
    if (!(session instanceof ImapSession) || !part.isLine() || !part.frameStart()) {
      return Verdict.FORWARD;
    }
    String hidden =
        Capabilities.rewrite(
            part.text(),
            caps -> {
              caps.removeIf(c -> Capabilities.startsWith(c, "COMPRESS="));
              return caps;
            });
    if (hidden == null) {
      return Verdict.FORWARD;
    }
    log.debug("hid COMPRESS from the client's view of CAPABILITY");
    return new Verdict.Replace(Lines.withEndingOf(part, hidden));
  }

  @Override
  public Verdict onClient(Session session, WirePart part) {
    if (!(session instanceof ImapSession) || !part.isLine() || !part.frameStart()) {
      return Verdict.FORWARD;
    }
    ImapSyntax.CommandStart command = ImapSyntax.commandStart(part.text());
    if (command == null || !command.name().equals("COMPRESS")) {
      return Verdict.FORWARD;
    }
    log.info("answered COMPRESS itself: the proxy keeps the stream uncompressed");
    return new Verdict.Answer(
        Replies.tagged(
            command.tag(),
            "NO",
            "CANNOT",
            "COMPRESS is turned off so the proxy can see the protocol"));
  }
}
