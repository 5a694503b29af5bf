package dev.quirkproxy.replay;

import dev.quirkproxy.capture.CaptureReader.Capture;
import dev.quirkproxy.codec.imap.parse.FrameBytes;
import dev.quirkproxy.codec.imap.parse.ImapParser;
import dev.quirkproxy.codec.imap.parse.ParsedFrame;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.tls.TlsContexts;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Replays the client side of an IMAP capture (a POP3 capture: {@link ReplayClientPop3}) against a
 * live server, one command at a time (each waits for its tagged completion), logging in with the
 * given credentials instead of the recorded (redacted) ones, remapping message numbers ({@link
 * ReplayClientRemap}) and comparing every answer with the recorded one ({@link SemanticDiff}).
 * After every successful SELECT/EXAMINE it asks the live server {@code UID FETCH 1:* (UID
 * RFC822.SIZE ENVELOPE)} under a tag of its own, to learn the live messages' identities; that
 * answer is not compared. With {@code ?tls=starttls} it sends STARTTLS (tag {@value #TLS_TAG}, not
 * compared) after the greeting and goes on over TLS; a recorded STARTTLS is not replayed.
 *
 * <p>A blocking socket rather than a Netty pipeline: one connection, strictly request/response, run
 * from the command line; nothing here benefits from an event loop.
 */
public final class ReplayClient {

  private static final long MAX_FRAME = 1L << 30;

  /** The tag of the replay's own STARTTLS. */
  static final String TLS_TAG = "QPRTLS";

  private final ReplayClientConfig config;
  private final ImapParser parser = new ImapParser();
  private final ReplayClientRemap remap = new ReplayClientRemap();
  private final SemanticDiff diff;
  private ReplayClientFramer in;
  private OutputStream out;
  private int probes;

  public ReplayClient(ReplayClientConfig config) {
    this.config = config;
    this.diff = new SemanticDiff(config.ignore());
  }

  /** Replays the capture; a live server that fails or stops answering is an exception. */
  public ReplayClientResult replay(Capture capture) throws ReplayClientException {
    if ("pop3".equals(capture.header().path("protocol").asText())) {
      if (config.protocol() != Protocol.POP3) {
        throw new ReplayClientException(
            capture.file() + " is a POP3 capture: replay it against pop3:// or pop3s://");
      }
      return new ReplayClientPop3(config).replay(capture);
    }
    if (config.protocol() != Protocol.IMAP) {
      throw new ReplayClientException(
          capture.file()
              + " is not a POP3 capture ("
              + capture.header().path("protocol").asText()
              + "): replay it against imap:// or imaps://");
    }
    ReplayClientScript script;
    try {
      script = ReplayClientScript.of(capture);
    } catch (IOException e) {
      throw new ReplayClientException(capture.file() + ": " + e.getMessage(), e);
    }
    Socket socket = null;
    try {
      socket = connect(config);
      BufferedInputStream buffered = new BufferedInputStream(socket.getInputStream());
      in = new ReplayClientFramer(buffered, true, MAX_FRAME);
      out = socket.getOutputStream();
      List<ReplayClientResult.Step> steps = new ArrayList<>();
      byte[] greeting = in.next();
      if (greeting == null) {
        throw new ReplayClientException("the server closed the connection without a greeting");
      }
      steps.add(
          new ReplayClientResult.Step(
              "*", "greeting", compare(script.greeting(), List.of(greeting), false)));
      if (config.startTls()) {
        startTls(buffered);
        socket = upgrade(socket, config);
        in =
            new ReplayClientFramer(
                new BufferedInputStream(socket.getInputStream()), true, MAX_FRAME);
        out = socket.getOutputStream();
      }
      for (ReplayClientScript.Step step : script.steps()) {
        steps.add(run(step));
        if (step.name().equals("LOGOUT")) {
          break;
        }
      }
      return new ReplayClientResult(steps, script.skipped());
    } catch (SocketTimeoutException e) {
      throw new ReplayClientException(
          "no answer from " + config.where() + " within " + config.timeout().toSeconds() + " s", e);
    } catch (SSLException e) {
      throw tlsFailure(config, e);
    } catch (IOException e) {
      throw new ReplayClientException(config.where() + ": " + e.getMessage(), e);
    } finally {
      closeQuietly(socket);
    }
  }

  /**
   * STARTTLS under a tag of the replay's own (RFC 9051 §6.2.1), not compared; anything but OK, or
   * anything the server sends after it before the handshake, ends the replay.
   */
  private void startTls(BufferedInputStream buffered) throws IOException, ReplayClientException {
    List<byte[]> answer = new ArrayList<>();
    send((TLS_TAG + " STARTTLS\r\n").getBytes(StandardCharsets.US_ASCII), TLS_TAG, answer);
    readUntilTagged(TLS_TAG, answer);
    String status = ReplayClientScript.firstLine(answer.get(answer.size() - 1));
    if (!status.toUpperCase(Locale.ROOT).startsWith(TLS_TAG + " OK")) {
      throw new ReplayClientException(config.where() + ": the server refused STARTTLS: " + status);
    }
    if (buffered.available() > 0) {
      throw new ReplayClientException(
          config.where() + ": the server sent data after its STARTTLS answer, before TLS");
    }
  }

  static Socket connect(ReplayClientConfig config) throws IOException {
    Socket s = new Socket();
    try {
      s.connect(
          new InetSocketAddress(config.host(), config.port()), (int) config.timeout().toMillis());
      s.setSoTimeout((int) config.timeout().toMillis());
      return config.implicitTls() ? upgrade(s, config) : s;
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  /**
   * TLS over {@code plain} (implicit TLS, or after STARTTLS/STLS): the configured trust, TLS 1.2 or
   * 1.3, the host name verified (RFC 6125) unless insecure. Closing the result closes {@code
   * plain}.
   */
  static SSLSocket upgrade(Socket plain, ReplayClientConfig config) throws IOException {
    SSLSocketFactory factory;
    try {
      factory =
          config.tlsContext() != null
              ? config.tlsContext().getSocketFactory()
              : SSLContext.getDefault().getSocketFactory();
    } catch (GeneralSecurityException e) {
      throw new SSLException("no TLS context: " + e.getMessage(), e);
    }
    SSLSocket tls = (SSLSocket) factory.createSocket(plain, config.host(), config.port(), true);
    tls.setSoTimeout((int) config.timeout().toMillis());
    SSLParameters p = tls.getSSLParameters();
    p.setProtocols(TlsContexts.clientProtocols());
    p.setEndpointIdentificationAlgorithm(config.insecure() ? null : "HTTPS");
    tls.setSSLParameters(p);
    tls.startHandshake();
    return tls;
  }

  /** A failed TLS handshake as a message that says what to do about it. */
  static ReplayClientException tlsFailure(ReplayClientConfig config, SSLException e) {
    String why =
        e.getMessage() != null
            // The JDK nests class names in its messages: "PKIX path building failed:
            // sun.security...SunCertPathBuilderException: unable to find ..."
            ? e.getMessage().replaceAll("(?:[\\w$]+\\.)+[\\w$]*Exception: ", "")
            : e.getClass().getSimpleName();
    boolean trust =
        why.contains("PKIX")
            || why.contains("certification path")
            || why.contains("No subject alternative")
            || why.contains("No name matching");
    return new ReplayClientException(
        config.where()
            + ": TLS handshake failed: "
            + (trust
                ? "the server's certificate is not trusted ("
                    + why
                    + "); trust its CA with --upstream-ca FILE, or skip verification with"
                    + " --upstream-insecure"
                : why),
        e);
  }

  static void closeQuietly(Socket socket) {
    if (socket == null) {
      return;
    }
    try {
      socket.close();
    } catch (IOException e) {
      // Nothing more to do with this connection.
    }
  }

  private ReplayClientResult.Step run(ReplayClientScript.Step step)
      throws IOException, ReplayClientException {
    String name = step.name();
    List<byte[]> live = new ArrayList<>();
    String shown = step.firstLine();
    if (name.equals("LOGIN") && config.password() != null) {
      String user = config.user() != null ? config.user() : recordedUser(step);
      shown = step.tag() + " LOGIN " + quote(user) + " [REDACTED]";
      send(
          (step.tag() + " LOGIN " + quote(user) + " " + quote(config.password()) + "\r\n")
              .getBytes(StandardCharsets.UTF_8),
          step.tag(),
          live);
    } else if (name.equals("AUTHENTICATE") && config.password() != null) {
      shown = authenticate(step, live);
    } else {
      send(remap.rewrite(step.command()), step.tag(), live);
      for (byte[] followUp : step.followUps()) {
        if (awaitContinuation(step.tag(), live)) {
          send(followUp, step.tag(), live);
        }
      }
    }
    readUntilTagged(step.tag(), live);
    List<ParsedFrame> liveParsed = parse(live);
    boolean selected = name.equals("SELECT") || name.equals("EXAMINE");
    if (selected) {
      remap.reset();
      if (isOk(liveParsed)) {
        probe();
      }
    }
    List<ParsedFrame> recParsed = parse(step.recorded());
    recParsed.forEach(f -> remap.observe(f, false));
    boolean uid =
        step.firstLine().toUpperCase(Locale.ROOT).split(" ").length > 1
            && step.firstLine().toUpperCase(Locale.ROOT).split(" ")[1].equals("UID");
    List<String> d =
        diff.diff(recParsed, liveParsed, SemanticDiffCanon.Numbers.AS_IS, liveNumbers(), uid);
    liveParsed.forEach(f -> remap.observe(f, true));
    return new ReplayClientResult.Step(step.tag(), shown, d);
  }

  private List<String> compare(List<byte[]> recorded, List<byte[]> live, boolean uid) {
    return diff.diff(
        parse(recorded), parse(live), SemanticDiffCanon.Numbers.AS_IS, liveNumbers(), uid);
  }

  private SemanticDiffCanon.Numbers liveNumbers() {
    return new SemanticDiffCanon.Numbers() {
      @Override
      public String seq(long seq, long uid) {
        return remap.recordedSeq(seq, uid);
      }

      @Override
      public String uid(long uid) {
        return remap.recordedUid(uid);
      }
    };
  }

  /** AUTHENTICATE PLAIN with the given credentials (RFC 4616); other mechanisms cannot be. */
  private String authenticate(ReplayClientScript.Step step, List<byte[]> live)
      throws IOException, ReplayClientException {
    String[] w = step.firstLine().split(" ");
    String mech = w.length > 2 ? w[2].toUpperCase(Locale.ROOT) : "";
    if (!mech.equals("PLAIN")) {
      throw new ReplayClientException(
          step.tag()
              + " AUTHENTICATE "
              + mech
              + ": only LOGIN and AUTHENTICATE PLAIN can be replayed with new credentials");
    }
    String user = config.user() != null ? config.user() : "";
    send(
        (step.tag() + " AUTHENTICATE PLAIN\r\n").getBytes(StandardCharsets.US_ASCII),
        step.tag(),
        live);
    if (awaitContinuation(step.tag(), live)) {
      String sasl =
          Base64.getEncoder()
              .encodeToString(
                  ("\0" + user + "\0" + config.password()).getBytes(StandardCharsets.UTF_8));
      send((sasl + "\r\n").getBytes(StandardCharsets.US_ASCII), step.tag(), live);
    }
    return step.tag() + " AUTHENTICATE PLAIN [REDACTED]";
  }

  /**
   * Sends a command, stopping after each synchronising literal's announcement until the server's
   * continuation request (RFC 9051 §7.5); a tagged refusal ends the command there.
   */
  private void send(byte[] frame, String tag, List<byte[]> live) throws IOException {
    int from = 0;
    for (int i = 0; i < frame.length; i++) {
      if (frame[i] != '\n') {
        continue;
      }
      String line = new String(frame, from, i + 1 - from, StandardCharsets.ISO_8859_1).strip();
      if (ReplayClientFramer.endsInSyncLiteral(line) && i + 1 < frame.length) {
        long n = Long.parseLong(line.substring(line.lastIndexOf('{') + 1, line.length() - 1));
        out.write(frame, from, i + 1 - from);
        out.flush();
        if (!awaitContinuation(tag, live)) {
          return;
        }
        from = i + 1;
        i = (int) Math.min(frame.length - 1, i + n);
      }
    }
    out.write(frame, from, frame.length - from);
    out.flush();
  }

  /** Reads until a continuation request (true) or the tagged completion (false, kept in live). */
  private boolean awaitContinuation(String tag, List<byte[]> live) throws IOException {
    for (; ; ) {
      byte[] f = next();
      String line = ReplayClientScript.firstLine(f);
      if (line.startsWith("+")) {
        return true;
      }
      live.add(f);
      if (line.startsWith(tag + " ")) {
        return false;
      }
    }
  }

  private void readUntilTagged(String tag, List<byte[]> live) throws IOException {
    if (!live.isEmpty()
        && ReplayClientScript.firstLine(live.get(live.size() - 1)).startsWith(tag + " ")) {
      return;
    }
    for (; ; ) {
      byte[] f = next();
      String line = ReplayClientScript.firstLine(f);
      if (line.startsWith("+")) {
        continue;
      }
      live.add(f);
      if (line.startsWith(tag + " ")) {
        return;
      }
    }
  }

  private byte[] next() throws IOException {
    byte[] f = in.next();
    if (f == null) {
      throw new IOException("the server closed the connection");
    }
    return f;
  }

  /** Learns the live mailbox's UIDs, sizes and Message-IDs; the answer is not compared. */
  private void probe() throws IOException {
    String tag = "QPRPROBE" + (++probes);
    List<byte[]> answer = new ArrayList<>();
    send(
        (tag + " UID FETCH 1:* (UID RFC822.SIZE ENVELOPE)\r\n").getBytes(StandardCharsets.US_ASCII),
        tag,
        answer);
    readUntilTagged(tag, answer);
    parse(answer).forEach(f -> remap.observe(f, true));
  }

  private List<ParsedFrame> parse(List<byte[]> frames) {
    List<ParsedFrame> out = new ArrayList<>();
    for (byte[] f : frames) {
      out.add(parser.response(FrameBytes.of(f)));
    }
    return out;
  }

  private static boolean isOk(List<ParsedFrame> answer) {
    return !answer.isEmpty()
        && answer.get(answer.size() - 1) instanceof ParsedFrame.Status s
        && s.status().equals("OK");
  }

  private static String recordedUser(ReplayClientScript.Step step) {
    ParsedFrame p = new ImapParser().command(FrameBytes.of(step.command()));
    if (p instanceof ParsedFrame.Command c && !c.arguments().isEmpty()) {
      return SemanticDiffCanon.canon(c.arguments().get(0)).replaceAll("^\"|\"$", "");
    }
    return "";
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
