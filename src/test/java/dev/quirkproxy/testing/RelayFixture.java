package dev.quirkproxy.testing;

import dev.quirkproxy.relay.Endpoint;
import dev.quirkproxy.relay.ProxyConfig;
import dev.quirkproxy.relay.ProxyServer;
import dev.quirkproxy.relay.ProxyTls;
import dev.quirkproxy.session.Limits;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.tls.TlsMode;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What relay integration tests start: proxies on port 0, scripted upstreams and line clients, all
 * closed by {@link #close} (proxies first, so sessions end before their peers go).
 */
public final class RelayFixture implements AutoCloseable {

  private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

  /** Starts a proxy on 127.0.0.1:0 in front of 127.0.0.1:{@code upstreamPort}. */
  public ProxyServer startProxy(
      Protocol protocol,
      TlsMode clientTls,
      TlsMode upstreamTls,
      int upstreamPort,
      Limits limits,
      ProxyTls tls)
      throws InterruptedException {
    ProxyServer p =
        new ProxyServer(
            new ProxyConfig(
                new Endpoint(protocol, clientTls, "127.0.0.1", 0),
                new Endpoint(protocol, upstreamTls, "127.0.0.1", upstreamPort),
                limits,
                Duration.ofSeconds(5),
                true),
            tls,
            List.of(),
            null);
    open.add(0, p);
    p.start();
    return p;
  }

  /** The same, returning where clients connect. */
  public Endpoint proxy(
      Protocol protocol,
      TlsMode clientTls,
      TlsMode upstreamTls,
      int upstreamPort,
      Limits limits,
      ProxyTls tls)
      throws InterruptedException {
    return startProxy(protocol, clientTls, upstreamTls, upstreamPort, limits, tls).endpoint();
  }

  /** A scripted upstream on a free port. */
  public ScriptedServer server(ScriptedServer.Script script) throws IOException {
    return track(new ScriptedServer(script));
  }

  /** A line client connected to {@code e}. */
  public LineClient client(Endpoint e) throws IOException {
    return track(new LineClient(e.port()));
  }

  /** Closes {@code resource} with the rest. */
  public <T extends AutoCloseable> T track(T resource) {
    open.add(resource);
    return resource;
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }
}
