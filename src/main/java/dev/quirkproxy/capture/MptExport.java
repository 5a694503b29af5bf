package dev.quirkproxy.capture;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quirkproxy.capture.CaptureReader.Capture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes an IMAP capture as an Apache James MPT protocol script (the {@code .test} files of
 * james-project {@code mpt}, read by {@code FileProtocolSessionBuilder}): {@code C: } lines are
 * sent with CRLF, {@code S: } lines are Java regular expressions each server line must match whole,
 * {@code SUB {} ... {@code }} holds untagged SELECT / EXAMINE / LIST / LSUB replies whose order may
 * differ, {@code #} starts a comment. Server text is regex-escaped; status texts become {@code .*}
 * after the response code and varying values ({@link ScriptVariance}) a pattern. The greeting is
 * left to the harness (MPT reads it before the script, {@code BasicImapCommands.welcome}); LOGIN
 * and AUTHENTICATE PLAIN use the MPT test user {@code imapuser} / {@code password}.
 */
public final class MptExport {

  static final String USER = "imapuser";
  static final String PASSWORD = "password";

  private static final Pattern LOGIN = Pattern.compile("^(\\S+) (?i:LOGIN) .*");
  private static final Pattern AUTHENTICATE =
      Pattern.compile("^(\\S+) (?i:AUTHENTICATE) (\\S+)(?: (\\S+))?$");
  private static final Pattern VERB = Pattern.compile("^\\S+ (?i:UID )?([A-Za-z]+)");
  private static final Set<String> UNORDERED = Set.of("SELECT", "EXAMINE", "LIST", "LSUB");
  private static final String META = "\\.[]{}()*+?^$|";

  private final StringBuilder out = new StringBuilder();
  private final List<String> unordered = new ArrayList<>();
  private final StringBuilder client = new StringBuilder();
  private final StringBuilder server = new StringBuilder();
  private boolean clientProtocol;
  private boolean clientRedacted;
  private boolean serverProtocol;
  private boolean seenClient;
  private String verb = "";
  private String mechanism = "";

  private MptExport() {}

  /** The script for an IMAP capture; IllegalArgumentException for any other protocol. */
  public static String of(Capture c) throws IOException {
    CapturedFrames.requireImap(c, "MPT");
    MptExport export = new MptExport();
    export
        .out
        .append("# Apache James MPT script exported by quirkproxy from session ")
        .append(c.header().path("session").asText())
        .append(", started ")
        .append(c.header().path("start").asText())
        .append('\n')
        .append("# S: lines are regular expressions; credentials are the MPT test user ")
        .append(USER)
        .append(" / ")
        .append(PASSWORD)
        .append(".\n");
    Map<Long, String> rewritten = CapturedFrames.rewrittenForUpstream(c);
    for (ObjectNode e : c.events()) {
      if (!e.path("type").asText().equals("frame")) {
        continue;
      }
      String text =
          rewritten.getOrDefault(
              e.path("seq").asLong(), new String(c.data(e), StandardCharsets.UTF_8));
      if (text.isEmpty()) {
        // Never reached the server: the proxy answered it or dropped it.
        continue;
      }
      boolean literal = e.path("kind").asText().equals("literal");
      switch (e.path("dir").asText()) {
        case "client>proxy" -> export.fromClient(text, literal, e.path("redacted").asBoolean());
        case "upstream>proxy" -> export.fromServer(text, literal);
        default -> {
          // Rewrites towards the server are taken above; the proxy's answers to the client are
          // not the server's.
        }
      }
    }
    export.flushUnordered();
    if (!export.client.isEmpty()) {
      export.clientLine(export.client.toString());
    }
    if (!export.server.isEmpty()) {
      export.serverLine(export.server.toString());
    }
    export.flushUnordered();
    return export.out.toString();
  }

  private void fromClient(String text, boolean literal, boolean redacted) {
    seenClient = true;
    flushUnordered();
    if (client.isEmpty()) {
      clientProtocol = !literal;
      clientRedacted = redacted;
    }
    client.append(text);
    for (int nl; (nl = client.indexOf("\r\n")) >= 0; ) {
      clientLine(client.substring(0, nl));
      client.delete(0, nl + 2);
      clientProtocol = !literal;
      clientRedacted = redacted;
    }
  }

  private void fromServer(String text, boolean literal) {
    if (server.isEmpty()) {
      serverProtocol = !literal;
    }
    server.append(text);
    for (int nl; (nl = server.indexOf("\r\n")) >= 0; ) {
      serverLine(server.substring(0, nl));
      server.delete(0, nl + 2);
      serverProtocol = !literal;
    }
  }

  private void clientLine(String line) {
    if (clientProtocol) {
      Matcher v = VERB.matcher(line);
      if (v.find()) {
        verb = v.group(1).toUpperCase(Locale.ROOT);
      }
      if (clientRedacted) {
        line = credentials(line);
      }
    }
    if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
      out.append("# not representable (bare CR or LF in a client line)\n");
      return;
    }
    out.append(line.isEmpty() ? "C:" : "C: " + line).append('\n');
  }

  /** A redacted client line with the MPT test user's credentials in place of the mask. */
  private String credentials(String line) {
    Matcher login = LOGIN.matcher(line);
    if (login.matches() && !line.endsWith("}")) {
      return login.group(1) + " LOGIN " + USER + " " + PASSWORD;
    }
    Matcher auth = AUTHENTICATE.matcher(line);
    if (auth.matches()) {
      mechanism = auth.group(2).toUpperCase(Locale.ROOT);
      return auth.group(3) != null && mechanism.equals("PLAIN")
          ? auth.group(1) + " AUTHENTICATE PLAIN " + plain()
          : line;
    }
    if (line.equals(Redactor.MASK) && mechanism.equals("PLAIN")) {
      return plain();
    }
    out.append("# redacted in the capture: replace the mask below by real credentials\n");
    return line;
  }

  private static String plain() {
    String response = "\0" + USER + "\0" + PASSWORD;
    return Base64.getEncoder().encodeToString(response.getBytes(StandardCharsets.UTF_8));
  }

  private void serverLine(String line) {
    if (!seenClient && serverProtocol && line.startsWith("* ")) {
      out.append("# greeting (read by the harness): ").append(line).append('\n');
      return;
    }
    if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
      flushUnordered();
      out.append("S: .*\n");
      return;
    }
    String pattern = serverProtocol ? protocolPattern(line) : escape(line);
    boolean untagged = serverProtocol && line.startsWith("* ");
    if (untagged && UNORDERED.contains(verb) && !line.endsWith("}")) {
      unordered.add(pattern);
      return;
    }
    flushUnordered();
    out.append(pattern.isEmpty() ? "S:" : "S: " + pattern).append('\n');
  }

  /** Consecutive untagged replies whose order servers may change, as one SUB block. */
  private void flushUnordered() {
    if (unordered.size() == 1) {
      out.append("S: ").append(unordered.get(0)).append('\n');
    } else if (!unordered.isEmpty()) {
      out.append("SUB {\n");
      unordered.forEach(p -> out.append("S: ").append(p).append('\n'));
      out.append("}\n");
    }
    unordered.clear();
  }

  private static String protocolPattern(String line) {
    if (line.startsWith("+")) {
      return "\\+.*";
    }
    int textAt = ScriptVariance.statusTextStart(line);
    return textAt >= 0 ? variance(line.substring(0, textAt)) + ".*" : variance(line);
  }

  private static String variance(String line) {
    StringBuilder sb = new StringBuilder();
    for (ScriptVariance.Segment s : ScriptVariance.split(line)) {
      sb.append(
          s.varies() ? (s.text().startsWith("\"") ? "\"[^\"]*\"" : "\\d+") : escape(s.text()));
    }
    return sb.toString();
  }

  /** Backslash before every regular-expression metacharacter, as the James scripts write it. */
  static String escape(String text) {
    StringBuilder sb = new StringBuilder(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (META.indexOf(ch) >= 0) {
        sb.append('\\');
      }
      sb.append(ch);
    }
    return sb.toString();
  }
}
