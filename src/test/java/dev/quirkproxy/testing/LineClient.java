package dev.quirkproxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A blocking test client that speaks in lines and raw bytes, with a read timeout. */
public final class LineClient implements AutoCloseable {

  private Socket socket;
  private InputStream in;
  private OutputStream out;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();

  public LineClient(int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** Implicit TLS from the first byte, trusting what {@code tls} trusts. */
  public static LineClient tls(int port, javax.net.ssl.SSLContext tls) throws IOException {
    LineClient c = new LineClient(port);
    c.startTls(tls);
    return c;
  }

  /** Upgrades this connection to TLS (after a STARTTLS/STLS answer, or for implicit TLS). */
  public LineClient startTls(javax.net.ssl.SSLContext tls) throws IOException {
    socket = TestTls.upgrade(tls, socket, true, "127.0.0.1");
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
    return this;
  }

  public Socket socket() {
    return socket;
  }

  public LineClient send(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return this;
  }

  public LineClient sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** One line without its CRLF; null at end of stream. */
  public String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      received.write(b);
      if (b == '\n') {
        String s = line.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  /** Reads lines until one starts with {@code prefix}; returns that line. */
  public String readUntil(String prefix) throws IOException {
    String line;
    while ((line = readLine()) != null) {
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    throw new IOException("stream ended before a line starting with '" + prefix + "'");
  }

  public byte[] readBytes(int n) throws IOException {
    byte[] bytes = in.readNBytes(n);
    received.write(bytes, 0, bytes.length);
    return bytes;
  }

  /** True if the peer closed the connection (read returns -1 within the timeout). */
  public boolean closedByPeer() throws IOException {
    try {
      int b;
      while ((b = in.read()) >= 0) {
        received.write(b);
      }
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /** Every byte read so far. */
  public byte[] received() {
    return received.toByteArray();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
