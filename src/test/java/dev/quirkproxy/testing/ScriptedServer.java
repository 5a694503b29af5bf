package dev.quirkproxy.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A fake upstream on a free loopback port: each accepted connection runs the given script on its
 * own thread. For misbehaving servers no real server can be made to imitate.
 */
public final class ScriptedServer implements AutoCloseable {

  /** What the server does with one connection. */
  public interface Script {
    void run(Socket socket) throws Exception;
  }

  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final CopyOnWriteArrayList<Socket> sockets = new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<Throwable> failures = new CopyOnWriteArrayList<>();

  public ScriptedServer(Script script) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(
        () -> {
          while (!server.isClosed()) {
            try {
              Socket s = server.accept();
              sockets.add(s);
              threads.execute(
                  () -> {
                    try (s) {
                      script.run(s);
                    } catch (Exception e) {
                      if (!server.isClosed()) {
                        failures.add(e);
                      }
                    }
                  });
            } catch (IOException e) {
              return;
            }
          }
        });
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Exceptions the scripts threw (other than after close). */
  public java.util.List<Throwable> failures() {
    return failures;
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
    threads.shutdownNow();
  }
}
