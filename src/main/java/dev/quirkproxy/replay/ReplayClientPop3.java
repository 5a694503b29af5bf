package dev.quirkproxy.replay;

import dev.quirkproxy.capture.CaptureReader.Capture;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Replays the client side of a POP3 capture against a live server, one command at a time (RFC 1939
 * has no pipelining without the PIPELINING capability, and the replay does not use it), and
 * compares each answer with the recorded one ({@link SemanticDiffPop3}). USER and PASS use the
 * given credentials (captures redact PASS), AUTH PLAIN is rebuilt from them; APOP and other SASL
 * mechanisms stop the replay. A recorded STLS is not replayed: with {@code ?tls=starttls} the
 * replay sends its own STLS after the greeting (not compared) and goes on over TLS. After a
 * successful login the replay sends its own {@code LIST} and {@code TOP n 0} per message (or {@code
 * UIDL} when TOP is refused), not compared, and maps message numbers ({@link
 * ReplayClientPop3Remap}): LIST n, UIDL n, TOP n m, RETR n and DELE n are sent with the live
 * number, LIST and UIDL answers read back in recorded numbers; a command for a recorded message
 * with no live counterpart is not sent and reported as a difference.
 */
final class ReplayClientPop3 {

  private static final int MAX_LINE = 64 * 1024;
  private static final long MAX_ANSWER = 1L << 30;

  private final ReplayClientConfig config;
  private final SemanticDiffPop3 diff;
  private final ReplayClientPop3Remap remap = new ReplayClientPop3Remap();
  private boolean probed;
  private boolean numbered;
  private InputStream in;
  private OutputStream out;

  ReplayClientPop3(ReplayClientConfig config) {
    this.config = config;
    this.diff = new SemanticDiffPop3(config.ignore());
  }

  ReplayClientResult replay(Capture capture) throws ReplayClientException {
    Recording recording;
    List<byte[]> greeting;
    try {
      recording = Recording.of(capture);
      greeting = List.of(concat(recording, recording.greeting()));
      for (Recording.Exchange x : recording.exchanges()) {
        if (!x.command.lines().isEmpty()) {
          String line = x.command.lines().get(0);
          remap.observe(line, concat(recording, x.last()), false);
          numbered |=
              ReplayClientPop3Remap.recordedArgument(line) > 0
                  || line.strip().toUpperCase(Locale.ROOT).matches("(LIST|UIDL)");
        }
      }
    } catch (IOException e) {
      throw new ReplayClientException(capture.file() + ": " + e.getMessage(), e);
    }
    Socket socket = null;
    try {
      socket = ReplayClient.connect(config);
      in = new BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
      List<ReplayClientResult.Step> steps = new ArrayList<>();
      List<String> skipped = new ArrayList<>();
      byte[] liveGreeting = readAnswer(false, true);
      steps.add(
          new ReplayClientResult.Step(
              "*", "greeting", diff.diff("", greeting.get(0), liveGreeting)));
      if (config.startTls()) {
        stls();
        socket = ReplayClient.upgrade(socket, config);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
      }
      int n = 0;
      for (Recording.Exchange x : recording.exchanges()) {
        String line = x.command.lines().isEmpty() ? "" : x.command.lines().get(0);
        String name = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
        byte[] recorded = concat(recording, x.last());
        if (recorded.length == 0) {
          skipped.add(line + ": the upstream did not answer it in the capture");
          continue;
        }
        if (name.equals("STLS")) {
          skipped.add(
              line + ": STLS is not replayed (TLS is the replay's own: pop3s:// or ?tls=starttls)");
          continue;
        }
        n++;
        String shown = line;
        byte[] live;
        switch (name) {
          case "APOP" ->
              throw new ReplayClientException(
                  "APOP: only USER/PASS and AUTH PLAIN can be replayed with new credentials");
          case "USER" -> {
            String user = config.user() != null ? config.user() : argument(line);
            shown = "USER " + user;
            live = command("USER " + user, false);
          }
          case "PASS" -> {
            shown = "PASS [REDACTED]";
            live = command(config.password() != null ? "PASS " + config.password() : line, false);
          }
          case "AUTH" -> {
            String[] w = line.split(" ");
            if (w.length == 1) {
              live = command(line, true);
            } else {
              shown = auth(w[1].toUpperCase(Locale.ROOT));
              live = authPlain();
            }
          }
          default -> {
            String sent = remap.rewrite(line);
            if (sent == null) {
              steps.add(new ReplayClientResult.Step(String.valueOf(n), shown, missing(line)));
              continue;
            }
            live = remap.toRecorded(line, command(sent, SemanticDiffPop3.multiLine(sent)));
          }
        }
        steps.add(
            new ReplayClientResult.Step(String.valueOf(n), shown, diff.diff(line, recorded, live)));
        if ((name.equals("PASS") || name.equals("AUTH") && line.strip().contains(" "))
            && ok(live)
            && numbered
            && !probed) {
          probed = true;
          probe();
        }
        if (name.equals("QUIT")) {
          break;
        }
      }
      return new ReplayClientResult(steps, skipped);
    } catch (SocketTimeoutException e) {
      throw new ReplayClientException(
          "no answer from " + config.where() + " within " + config.timeout().toSeconds() + " s", e);
    } catch (SSLException e) {
      throw ReplayClient.tlsFailure(config, e);
    } catch (IOException e) {
      throw new ReplayClientException(config.where() + ": " + e.getMessage(), e);
    } finally {
      ReplayClient.closeQuietly(socket);
    }
  }

  /** STLS (RFC 2595 §4), not compared; anything but +OK, or data after it, ends the replay. */
  private void stls() throws IOException, ReplayClientException {
    String status = new String(command("STLS", false), StandardCharsets.ISO_8859_1).strip();
    if (!status.startsWith("+OK")) {
      throw new ReplayClientException(config.where() + ": the server refused STLS: " + status);
    }
    if (in.available() > 0) {
      throw new ReplayClientException(
          config.where() + ": the server sent data after its STLS answer, before TLS");
    }
  }

  /** The difference for a command naming a recorded message the live maildrop does not have. */
  private List<String> missing(String line) {
    int n = ReplayClientPop3Remap.recordedArgument(line);
    return List.of(
        "- message "
            + n
            + " ("
            + remap.recordedIdentity(n)
            + "): not in the live maildrop, not sent");
  }

  /**
   * Learns the live maildrop's sizes and Message-IDs (LIST, TOP n 0; UIDL when TOP is refused); the
   * answers are not compared.
   */
  private void probe() throws IOException {
    byte[] list = command("LIST", true);
    if (!ok(list)) {
      return;
    }
    remap.observe("LIST", list, true);
    boolean top = true;
    for (int n : remap.liveNumbers()) {
      byte[] headers = command("TOP " + n + " 0", true);
      if (!ok(headers)) {
        top = false;
        break;
      }
      remap.observe("TOP " + n + " 0", headers, true);
    }
    if (!top) {
      byte[] uidl = command("UIDL", true);
      remap.observe("UIDL", uidl, true);
    }
    remap.match();
  }

  private static boolean ok(byte[] answer) {
    return new String(answer, 0, Math.min(3, answer.length), StandardCharsets.ISO_8859_1)
        .equals("+OK");
  }

  private String auth(String mech) throws ReplayClientException {
    if (!mech.equals("PLAIN") || config.password() == null) {
      throw new ReplayClientException(
          "AUTH "
              + mech
              + ": only USER/PASS and AUTH PLAIN (with --password) can be replayed with new"
              + " credentials");
    }
    return "AUTH PLAIN [REDACTED]";
  }

  /** AUTH PLAIN (RFC 5034, RFC 4616) with the given credentials; the final status is the answer. */
  private byte[] authPlain() throws IOException {
    byte[] first = command("AUTH PLAIN", false);
    String status = new String(first, StandardCharsets.ISO_8859_1);
    if (!(status.startsWith("+ ") || status.startsWith("+\r") || status.startsWith("+\n"))) {
      return first;
    }
    String user = config.user() != null ? config.user() : "";
    String sasl =
        Base64.getEncoder()
            .encodeToString(
                ("\0" + user + "\0" + config.password()).getBytes(StandardCharsets.UTF_8));
    return command(sasl, false);
  }

  private byte[] command(String line, boolean multiLine) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return readAnswer(multiLine, false);
  }

  /**
   * A status line and, after a {@code +OK} when {@code multiLine}, the body up to {@code .CRLF}.
   */
  private byte[] readAnswer(boolean multiLine, boolean greeting) throws IOException {
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    String status = line(answer);
    if (status == null) {
      throw new IOException(
          greeting
              ? "the server closed the connection without a greeting"
              : "the server closed the connection");
    }
    if (!multiLine || !status.startsWith("+OK")) {
      return answer.toByteArray();
    }
    for (; ; ) {
      String l = line(answer);
      if (l == null) {
        throw new IOException("the server closed the connection inside a multi-line answer");
      }
      if (l.equals(".")) {
        return answer.toByteArray();
      }
      if (answer.size() > MAX_ANSWER) {
        throw new IOException("an answer of more than " + MAX_ANSWER + " octets");
      }
    }
  }

  /** Reads one line into {@code into}; returns it without its ending, or null at the end. */
  private String line(ByteArrayOutputStream into) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b >= 0; b = in.read()) {
      line.write(b);
      if (b == '\n') {
        break;
      }
      if (line.size() > MAX_LINE) {
        throw new IOException("a line of more than " + MAX_LINE + " octets");
      }
    }
    if (line.size() == 0) {
      return null;
    }
    byte[] bytes = line.toByteArray();
    into.writeBytes(bytes);
    return Recording.line(bytes);
  }

  private static byte[] concat(Recording recording, List<Recording.Chunk> chunks)
      throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (Recording.Chunk c : chunks) {
      b.writeBytes(recording.bytes(c));
    }
    return b.toByteArray();
  }

  private static String argument(String line) {
    int sp = line.indexOf(' ');
    return sp < 0 ? "" : line.substring(sp + 1);
  }
}
