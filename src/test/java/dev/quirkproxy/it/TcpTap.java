package dev.quirkproxy.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A byte-for-byte TCP relay that records both directions of every connection it relays: clients
 * connect to {@link #port()}, and each accepted connection is paired with a new connection to the
 * target. Used in front of Dovecot ("what did the client get directly?"), in front of the proxy
 * ("what did the client get through the proxy?") and between the proxy and Dovecot ("what did the
 * proxy send and receive upstream?").
 *
 * <p>It changes nothing about the conversation except that an end of stream is passed on as a
 * half-close, and it keeps reading (and recording) what a peer sends after the other peer has gone,
 * so a recording does not depend on how quickly a client hangs up.
 */
public final class TcpTap implements AutoCloseable {

  private final ServerSocket server;
  private final String targetHost;
  private final int targetPort;
  private final List<Conversation> conversations = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  /** Relays 127.0.0.1:{@link #port()} to 127.0.0.1:{@code targetPort}. */
  public TcpTap(int targetPort) throws IOException {
    this("127.0.0.1", targetPort);
  }

  public TcpTap(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "tap-accept-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return server.getLocalPort();
  }

  /** The connections relayed so far, in the order they were accepted. */
  public List<Conversation> conversations() {
    return List.copyOf(conversations);
  }

  /**
   * Waits until every connection accepted so far has ended on both sides, and returns them in the
   * order they were accepted.
   */
  public List<Conversation> awaitAllClosed(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Conversation c : conversations) {
      long left = deadline - System.nanoTime();
      if (!c.done.await(Math.max(0, left), TimeUnit.NANOSECONDS)) {
        throw new AssertionError(
            "tap on port "
                + port()
                + ": conversation "
                + c.index
                + " still open after "
                + timeout.toSeconds()
                + " s ("
                + c.fromClient().length
                + " octets from client, "
                + c.fromServer().length
                + " from server so far)");
      }
    }
    return conversations();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;
      }
      Conversation c = new Conversation(conversations.size());
      conversations.add(c);
      c.start(client);
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    server.close();
    acceptor.join(5000);
    for (Conversation c : conversations) {
      c.abort();
    }
    for (Conversation c : conversations) {
      for (Thread t : c.pumps) {
        t.join(5000);
      }
    }
  }

  /** One relayed connection and everything that crossed it. */
  public final class Conversation {
    private final int index;
    private final ByteArrayOutputStream fromClient = new ByteArrayOutputStream();
    private final ByteArrayOutputStream fromServer = new ByteArrayOutputStream();
    private final CountDownLatch done = new CountDownLatch(2);
    private final List<Thread> pumps = new CopyOnWriteArrayList<>();
    private volatile Socket client;
    private volatile Socket upstream;

    Conversation(int index) {
      this.index = index;
    }

    public int index() {
      return index;
    }

    /** Everything the client sent (what the target was sent). */
    public byte[] fromClient() {
      synchronized (fromClient) {
        return fromClient.toByteArray();
      }
    }

    /** Everything the target sent (what the client was sent). */
    public byte[] fromServer() {
      synchronized (fromServer) {
        return fromServer.toByteArray();
      }
    }

    public boolean awaitClosed(Duration timeout) throws InterruptedException {
      return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void start(Socket accepted) {
      this.client = accepted;
      try {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(targetHost, targetPort), 5000);
        accepted.setTcpNoDelay(true);
        this.upstream = s;
      } catch (IOException e) {
        abort();
        done.countDown();
        done.countDown();
        return;
      }
      pumps.add(pump(client, upstream, fromClient, "c2s"));
      pumps.add(pump(upstream, client, fromServer, "s2c"));
    }

    private Thread pump(Socket from, Socket to, ByteArrayOutputStream record, String name) {
      Thread t =
          new Thread(
              () -> {
                try {
                  copy(from, to, record);
                } finally {
                  done.countDown();
                  if (done.getCount() == 0) {
                    abort();
                  }
                }
              },
              "tap-" + port() + "-" + index + "-" + name);
      t.setDaemon(true);
      t.start();
      return t;
    }

    private void copy(Socket from, Socket to, ByteArrayOutputStream record) {
      byte[] buf = new byte[64 * 1024];
      boolean canWrite = true;
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        for (int n; (n = in.read(buf)) >= 0; ) {
          synchronized (record) {
            record.write(buf, 0, n);
          }
          if (canWrite) {
            try {
              out.write(buf, 0, n);
              out.flush();
            } catch (IOException e) {
              // The other peer is gone; keep recording what this one sends until it stops.
              canWrite = false;
            }
          }
        }
      } catch (IOException e) {
        // Reset or closed under us: the conversation is over in this direction.
      }
      try {
        if (!to.isClosed()) {
          to.shutdownOutput();
        }
      } catch (IOException e) {
        // Already gone.
      }
    }

    private void abort() {
      closeQuietly(client);
      closeQuietly(upstream);
    }

    private void closeQuietly(Socket s) {
      if (s != null) {
        try {
          s.close();
        } catch (IOException e) {
          // Nothing to do.
        }
      }
    }

    @Override
    public String toString() {
      return "conversation "
          + index
          + " ("
          + fromClient().length
          + " octets from client, "
          + fromServer().length
          + " from server)";
    }
  }
}
