package dev.quirkproxy.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A deliberately small IMAP/POP3 test client that speaks raw bytes: it sends exactly what a test
 * writes (so a test controls pipelining and literals) and reads exactly one line, literal, response
 * or body at a time. Everything it sends and receives is recorded, for comparing a conversation
 * directly with Dovecot with the same conversation through the proxy. Every read is bounded by
 * {@link #TIMEOUT}.
 */
final class RawClient implements AutoCloseable {

  static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
  private final String name;

  private RawClient(Socket socket, String name) throws IOException {
    this.socket = socket;
    this.name = name;
    this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    this.out = socket.getOutputStream();
  }

  static RawClient connect(int port, String name) throws IOException {
    Socket s = new Socket();
    s.setTcpNoDelay(true);
    s.connect(new InetSocketAddress("127.0.0.1", port), (int) TIMEOUT.toMillis());
    s.setSoTimeout((int) TIMEOUT.toMillis());
    return new RawClient(s, name);
  }

  /** The client's own port (what the proxy sees as the session's client address). */
  int localPort() {
    return socket.getLocalPort();
  }

  /** Sends the text as it is (ISO-8859-1, one octet per char) in one write. */
  void send(String text) throws IOException {
    send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  void send(byte[] bytes) throws IOException {
    sent.write(bytes);
    out.write(bytes);
    out.flush();
  }

  /** Sends {@code line} followed by CRLF in one write. */
  void sendLine(String line) throws IOException {
    send(line + "\r\n");
  }

  /** Reads one line; returns it without its line ending. */
  String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (; ; ) {
      int b = read();
      line.write(b);
      if (b == '\n') {
        break;
      }
    }
    String text = line.toString(StandardCharsets.ISO_8859_1);
    return text.endsWith("\r\n")
        ? text.substring(0, text.length() - 2)
        : text.substring(0, text.length() - 1);
  }

  /** Reads exactly {@code n} octets. */
  byte[] bytes(long n) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream((int) Math.min(n, 16 << 20));
    byte[] buf = new byte[64 * 1024];
    long left = n;
    while (left > 0) {
      int r;
      try {
        r = in.read(buf, 0, (int) Math.min(buf.length, left));
      } catch (SocketTimeoutException e) {
        throw stuck("waiting for " + left + " more literal octets");
      }
      if (r < 0) {
        throw stuck("connection closed with " + left + " literal octets still to come");
      }
      received.write(buf, 0, r);
      b.write(buf, 0, r);
      left -= r;
    }
    return b.toByteArray();
  }

  /**
   * Reads one IMAP response: a line, and for every literal it announces ({@code {n}} or {@code
   * ~{n}}) the literal's octets and the rest of the response. Returns the whole response with its
   * line endings and literal octets (ISO-8859-1).
   */
  String imapResponse() throws IOException {
    StringBuilder b = new StringBuilder();
    String line = line();
    b.append(line).append("\r\n");
    // RFC 9051 resp-text is free-form: status responses and continuations announce no literals.
    if (!isUntaggedData(line)) {
      return b.toString();
    }
    for (long literal = literalAtEnd(line); literal >= 0; literal = literalAtEnd(line)) {
      b.append(new String(bytes(literal), StandardCharsets.ISO_8859_1));
      line = line();
      b.append(line).append("\r\n");
    }
    return b.toString();
  }

  private static boolean isUntaggedData(String line) {
    if (!line.startsWith("* ")) {
      return false;
    }
    String word = line.substring(2).split(" ", 2)[0].toUpperCase(Locale.ROOT);
    return !Set.of("OK", "NO", "BAD", "BYE", "PREAUTH").contains(word);
  }

  /** Reads IMAP responses until the tagged one for {@code tag}; returns all of them. */
  String untilTagged(String tag) throws IOException {
    return untilResponse(r -> r.startsWith(tag + " "));
  }

  /** Reads IMAP responses until one matches; returns all of them, the matching one included. */
  String untilResponse(Predicate<String> last) throws IOException {
    StringBuilder b = new StringBuilder();
    for (; ; ) {
      String r = imapResponse();
      b.append(r);
      if (last.test(r)) {
        return b.toString();
      }
    }
  }

  /**
   * Reads one POP3 response: the status line, and if it is {@code +OK} and {@code multiLine}, the
   * body up to the terminating dot line. Returns it all as received (dot-stuffed).
   */
  String pop3(boolean multiLine) throws IOException {
    String status = line();
    StringBuilder b = new StringBuilder(status).append("\r\n");
    if (!multiLine || !status.startsWith("+OK")) {
      return b.toString();
    }
    for (; ; ) {
      String line = line();
      b.append(line).append("\r\n");
      if (line.equals(".")) {
        return b.toString();
      }
    }
  }

  /** Reads until the server closes the connection; returns what came before the end. */
  byte[] drain() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    for (; ; ) {
      int r;
      try {
        r = in.read(buf);
      } catch (SocketTimeoutException e) {
        throw stuck("waiting for the server to close the connection");
      }
      if (r < 0) {
        return b.toByteArray();
      }
      received.write(buf, 0, r);
      b.write(buf, 0, r);
    }
  }

  byte[] received() {
    return received.toByteArray();
  }

  byte[] sent() {
    return sent.toByteArray();
  }

  String name() {
    return name;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** The size of the literal announced at the end of an IMAP line, or -1. */
  static long literalAtEnd(String line) {
    if (!line.endsWith("}")) {
      return -1;
    }
    int open = line.lastIndexOf('{');
    if (open < 0) {
      return -1;
    }
    String digits = line.substring(open + 1, line.length() - 1);
    if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    return Long.parseLong(digits);
  }

  private int read() throws IOException {
    int b;
    try {
      b = in.read();
    } catch (SocketTimeoutException e) {
      throw stuck("waiting for a line");
    }
    if (b < 0) {
      throw stuck("connection closed in the middle of a line or before one");
    }
    received.write(b);
    return b;
  }

  private AssertionError stuck(String what) {
    String tail = received.toString(StandardCharsets.ISO_8859_1);
    if (tail.length() > 2000) {
      tail = "..." + tail.substring(tail.length() - 2000);
    }
    return new AssertionError(
        name + ": " + what + " (timeout " + TIMEOUT.toSeconds() + " s); received so far:\n" + tail);
  }
}
