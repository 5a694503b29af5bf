package dev.quirkproxy.flow;

import dev.quirkproxy.codec.WirePart;
import dev.quirkproxy.codec.imap.ImapSyntax;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.Session;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
  private static final Pattern COMPRESS = Pattern.compile("(?i) COMPRESS=[^ \\]\\r\\n]*");

  @Override
  public Verdict onServer(Session session, WirePart part) {
    if (!(session instanceof ImapSession) || !part.isLine() || !part.frameStart()) {
      return Verdict.FORWARD;
    }
    String text = part.text();
    if (!mentionsCapabilities(text)) {
      return Verdict.FORWARD;
    }
    Matcher m = COMPRESS.matcher(text);
    if (!m.find()) {
      return Verdict.FORWARD;
    }
    String hidden = m.replaceAll("");
    log.debug("hid COMPRESS from the client's view of CAPABILITY");
    return new Verdict.Replace(
        Unpooled.copiedBuffer(hidden + lineEnding(part), StandardCharsets.ISO_8859_1));
  }

  private static boolean mentionsCapabilities(String text) {
    int max = Math.min(text.length(), 64);
    String head = text.substring(0, max).toUpperCase(java.util.Locale.ROOT);
    return head.startsWith("* CAPABILITY ") || head.contains("[CAPABILITY ");
  }

  private static String lineEnding(WirePart part) {
    int n = part.content().readableBytes();
    return n >= 2 && part.content().getByte(part.content().readerIndex() + n - 2) == '\r'
        ? "\r\n"
        : "\n";
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
