package dev.quirkproxy.relay;

import dev.quirkproxy.capture.CaptureStore;
import dev.quirkproxy.capture.SessionCapture;
import dev.quirkproxy.codec.FramingDecoder;
import dev.quirkproxy.fingerprint.Catalog;
import dev.quirkproxy.flow.CompressHider;
import dev.quirkproxy.flow.Interceptor;
import dev.quirkproxy.flow.InterceptorChain;
import dev.quirkproxy.flow.LiteralGuard;
import dev.quirkproxy.flow.TlsPolicy;
import dev.quirkproxy.session.Pop3Session;
import dev.quirkproxy.session.Session;
import dev.quirkproxy.tls.TlsMode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listener: accepts clients, opens an upstream connection for each and relays between them
 * through the interceptor chain. {@link #shutdown} stops accepting, says goodbye to every open
 * session at a frame boundary, and waits for them to close.
 */
public final class ProxyServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

  private final ProxyConfig config;
  private final List<Interceptor> interceptors;
  private final ProxyTls tls;
  private final EventLoopGroup group;
  private final boolean ownGroup;
  private final Set<Relay> relays = ConcurrentHashMap.newKeySet();
  private CaptureStore captures;
  private Catalog catalog;
  private String forcedClient;
  private String listenerName = "default";
  private Channel serverChannel;
  private Endpoint boundEndpoint;
  private volatile boolean shutDown;

  /** A plain listener with the built-in interceptors and its own event loops (one per core). */
  public ProxyServer(ProxyConfig config) {
    this(config, ProxyTls.NONE, List.of(), null);
  }

  /** A plain listener with extra interceptors, on shared event loops (or its own if null). */
  public ProxyServer(ProxyConfig config, List<Interceptor> extra, EventLoopGroup group) {
    this(config, ProxyTls.NONE, extra, group);
  }

  /**
   * @param tls TLS contexts for the sides whose mode is not {@code none}
   * @param extra interceptors run after the built-in ones
   * @param group event loops to share with other listeners, or null for its own
   */
  public ProxyServer(
      ProxyConfig config, ProxyTls tls, List<Interceptor> extra, EventLoopGroup group) {
    if (config.listen().tls() != TlsMode.NONE && tls.clientSide() == null) {
      throw new IllegalArgumentException(
          "client-side TLS " + config.listen().tls() + " needs a certificate");
    }
    if (config.upstream().tls() != TlsMode.NONE && tls.upstreamSide() == null) {
      throw new IllegalArgumentException(
          "upstream TLS " + config.upstream().tls() + " needs a TLS context");
    }
    this.config = config;
    this.tls = tls;
    List<Interceptor> all = new ArrayList<>();
    all.add(new LiteralGuard());
    all.add(new TlsPolicy());
    if (config.hideCompress()) {
      all.add(new CompressHider());
    }
    all.addAll(extra);
    this.interceptors = List.copyOf(all);
    this.ownGroup = group == null;
    this.group = group != null ? group : Transport.newGroup(0);
  }

  /**
   * Records every session of this listener into {@code store}; call before {@link #start}.
   *
   * @param name the listener's name, written in each capture's header
   */
  public ProxyServer recordTo(CaptureStore store, String name) {
    this.captures = store;
    this.listenerName = name;
    return this;
  }

  /**
   * Identifies clients with {@code catalog} (the built-in one if never called), or treats every
   * client as {@code forcedFamily} when that is not null; call before {@link #start}.
   *
   * @throws IllegalArgumentException when {@code forcedFamily} is not in the catalog
   */
  public ProxyServer identifyWith(Catalog catalog, String forcedFamily) {
    if (forcedFamily != null && catalog.entry(forcedFamily) == null) {
      throw new IllegalArgumentException(
          "unknown client family '"
              + forcedFamily
              + "'; known: "
              + String.join(", ", catalog.families()));
    }
    this.catalog = catalog;
    this.forcedClient = forcedFamily;
    return this;
  }

  /** Binds the listen address; returns the endpoint actually bound (port 0 becomes a real port). */
  public Endpoint start() throws InterruptedException {
    if (catalog == null) {
      catalog = Catalog.builtin();
    }
    UpstreamConnector connector = new UpstreamConnector(config, tls.upstreamSide());
    InterceptorChain chain = new InterceptorChain(interceptors);
    long tickMillis =
        Math.min(
            config.limits().loginTimeout().toMillis(), config.limits().idleTimeout().toMillis());
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(Transport.serverChannel(group))
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.ALLOCATOR, Transport.ALLOCATOR)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    initClient(ch, chain, connector, tickMillis);
                  }
                });
    serverChannel = b.bind(config.listen().host(), config.listen().port()).sync().channel();
    int port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
    boundEndpoint = config.listen().withPort(port);
    log.info(
        "listening on {} -> {} ({} transport)",
        boundEndpoint,
        config.upstream(),
        Transport.name(group));
    return boundEndpoint;
  }

  private void initClient(
      SocketChannel ch, InterceptorChain chain, UpstreamConnector connector, long tickMillis) {
    Session session = Framers.newSession(config, ch.remoteAddress());
    session.clientTls(
        switch (config.listen().tls()) {
          case NONE -> Session.TlsSide.PLAIN;
          case IMPLICIT -> Session.TlsSide.IMPLICIT;
          case STARTTLS -> Session.TlsSide.STARTTLS_OFFERED;
        });
    FramingDecoder framer = Framers.clientFramer(session);
    Relay relay =
        config.translating()
            ? new TranslatingRelay(
                (Pop3Session) session, config, chain, ch, framer, tls.clientSide())
            : new SessionRelay(session, config, chain, ch, framer, tls.clientSide());
    relays.add(relay);
    ch.closeFuture().addListener(f -> relays.remove(relay));
    if (captures != null) {
      relay.recordTo(
          SessionCapture.start(
              captures,
              session,
              captureDetails(),
              ch.eventLoop(),
              e -> relay.recordingFailed(e, captures.settings().onError())));
    }
    relay.identifyWith(new ClientIdentification(catalog, config.listen().protocol(), forcedClient));
    try (SessionMdc m = SessionMdc.of(session)) {
      log.info(
          "session opened: {} from {}{}",
          config.listen().protocol(),
          ch.remoteAddress(),
          config.translating() ? " (served from IMAP)" : "");
    }
    if (config.listen().tls() == TlsMode.IMPLICIT) {
      SslHandler handler = tls.clientSide().newHandler(ch.alloc());
      handler.setHandshakeTimeoutMillis(config.connectTimeout().toMillis());
      ch.pipeline().addLast("tls", handler);
    }
    ch.pipeline()
        .addLast("idle", new IdleStateHandler(true, 0, 0, tickMillis, TimeUnit.MILLISECONDS));
    ch.pipeline().addLast("framer", framer);
    ch.pipeline().addLast("relay", new ClientHandler(relay, connector));
  }

  private Map<String, Object> captureDetails() {
    Map<String, Object> d = new LinkedHashMap<>();
    String version = ProxyServer.class.getPackage().getImplementationVersion();
    d.put("proxy", version == null ? "dev" : version);
    d.put("listener", listenerName);
    d.put("listen", String.valueOf(boundEndpoint != null ? boundEndpoint : config.listen()));
    d.put("upstream", config.upstream().toString());
    if (config.translating()) {
      // The capture holds both protocols: POP3 with the client, IMAP with the upstream.
      d.put("translation", "pop3-over-imap");
      d.put("upstreamProtocol", "imap");
      d.put("pop3Mailbox", config.translation().mailbox());
    }
    d.put("clientTls", config.listen().tls().toString());
    d.put("upstreamTls", config.upstream().tls().toString());
    return d;
  }

  public Endpoint endpoint() {
    return boundEndpoint;
  }

  public ProxyConfig config() {
    return config;
  }

  /** Sessions open right now. */
  public int openSessions() {
    return relays.size();
  }

  /**
   * Looks at every open session on its own event loop (sessions are confined to it) and returns
   * what {@code look} gives for each; for diagnostics and tests.
   */
  public <T> List<T> inspectSessions(Function<Session, T> look) {
    List<T> out = new ArrayList<>();
    for (Relay relay : relays) {
      try {
        out.add(relay.client().eventLoop().submit(() -> look.apply(relay.session())).get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (ExecutionException e) {
        throw new IllegalStateException("inspecting a session failed", e.getCause());
      }
    }
    return out;
  }

  /**
   * Stops accepting new clients and leaves the open sessions alone: they go on until their client
   * or server ends them (a listener removed from the config). {@link #shutdown} still ends them.
   */
  public void stopAccepting() {
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
      log.info("stopped accepting on {}; {} open sessions go on", boundEndpoint, relays.size());
    }
  }

  /**
   * Stops accepting, sends every open session {@code * BYE} / {@code -ERR} at its next frame
   * boundary, waits up to {@code grace} for them to close, then closes whatever is left. Later
   * calls do nothing.
   */
  public void shutdown(Duration grace) {
    if (shutDown) {
      return;
    }
    shutDown = true;
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
    }
    for (Relay relay : relays) {
      relay
          .client()
          .eventLoop()
          .execute(
              () -> {
                try (SessionMdc m = SessionMdc.of(relay.session())) {
                  relay.goodbye("shutting down");
                }
              });
    }
    long deadline = System.nanoTime() + grace.toNanos();
    while (!relays.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (!relays.isEmpty()) {
      log.warn(
          "{} sessions did not end within {} ms; closing them", relays.size(), grace.toMillis());
      relays.forEach(r -> r.client().eventLoop().execute(r::forceClose));
    }
    if (ownGroup) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Override
  public void close() {
    shutdown(Duration.ofSeconds(5));
  }
}
