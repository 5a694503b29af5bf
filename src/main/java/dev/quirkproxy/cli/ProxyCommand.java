package dev.quirkproxy.cli;

import dev.quirkproxy.capture.CaptureStore;
import dev.quirkproxy.demo.DemoUpstream;
import dev.quirkproxy.fingerprint.Catalog;
import dev.quirkproxy.fingerprint.CatalogException;
import dev.quirkproxy.flow.Interceptor;
import dev.quirkproxy.relay.Endpoint;
import dev.quirkproxy.relay.ProxyConfig;
import dev.quirkproxy.relay.ProxyServer;
import dev.quirkproxy.relay.ProxyTls;
import dev.quirkproxy.relay.Transport;
import dev.quirkproxy.rules.RuleEngine;
import dev.quirkproxy.rules.RuleException;
import dev.quirkproxy.rules.RuleWatcher;
import dev.quirkproxy.session.Limits;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.tls.TlsMode;
import dev.quirkproxy.translate.Pop3Translation;
import io.netty.channel.EventLoopGroup;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quirkproxy proxy}: relay clients to an upstream server, or to an embedded demo server. */
@Command(
    name = "proxy",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
      "Relay IMAP or POP3 clients to an upstream server, byte for byte.",
      "Without --upstream, starts an embedded demo server (GreenMail) with a seeded mailbox",
      "and listens for IMAP on 127.0.0.1:1143 and POP3 on 127.0.0.1:1110."
    },
    footer = {
      "",
      "Examples:",
      "  quirkproxy proxy --upstream imap://127.0.0.1:14143",
      "  quirkproxy proxy --upstream pop3://mail.example.com --listen 0.0.0.0:1110",
      "  quirkproxy proxy --listen pop3://127.0.0.1:1110 --upstream imaps://imap.example.com",
      "  quirkproxy proxy                      # demo server, user demo / password demo",
      "  quirkproxy proxy --config quirkproxy.yaml"
    })
final class ProxyCommand implements Callable<Integer> {

  private static final int IMAP_LISTEN_PORT = 1143;
  private static final int POP3_LISTEN_PORT = 1110;

  @Spec CommandSpec spec;

  @Option(
      names = "--upstream",
      paramLabel = "URL",
      description =
          "Server to relay to: imap://HOST[:PORT] or pop3://HOST[:PORT] (ports 143, 110 by default).")
  String upstream;

  @Option(
      names = "--listen",
      paramLabel = "[SCHEME://]HOST:PORT",
      description =
          "Where clients connect. Default 127.0.0.1:1143 for IMAP, 127.0.0.1:1110 for POP3;"
              + " the protocol defaults to the upstream's.")
  String listen;

  @Option(
      names = "--max-line",
      paramLabel = "SIZE",
      converter = Converters.Size.class,
      defaultValue = "64KiB",
      description = "Longest client line (default: ${DEFAULT-VALUE}).")
  long maxLine;

  @Option(
      names = "--max-server-line",
      paramLabel = "SIZE",
      converter = Converters.Size.class,
      defaultValue = "16MiB",
      description = "Longest server line (default: ${DEFAULT-VALUE}).")
  long maxServerLine;

  @Option(
      names = "--max-literal",
      paramLabel = "SIZE",
      converter = Converters.Size.class,
      defaultValue = "256MiB",
      description = "Largest client literal after login, e.g. APPEND (default: ${DEFAULT-VALUE}).")
  long maxLiteral;

  @Option(
      names = "--max-literal-before-login",
      paramLabel = "SIZE",
      converter = Converters.Size.class,
      defaultValue = "64KiB",
      description = "Largest client literal before login (default: ${DEFAULT-VALUE}).")
  long maxLiteralBeforeLogin;

  @Option(
      names = "--max-server-literal",
      paramLabel = "SIZE",
      converter = Converters.Size.class,
      defaultValue = "16GiB",
      description = "Largest literal a server may announce (default: ${DEFAULT-VALUE}).")
  long maxServerLiteral;

  @Option(
      names = "--idle-timeout",
      paramLabel = "DURATION",
      converter = Converters.Time.class,
      defaultValue = "30m",
      description =
          "Close a logged-in session after no traffic for this long (default: ${DEFAULT-VALUE}).")
  Duration idleTimeout;

  @Option(
      names = "--login-timeout",
      paramLabel = "DURATION",
      converter = Converters.Time.class,
      defaultValue = "3m",
      description =
          "Close a session that is not logged in after no traffic for this long (default: ${DEFAULT-VALUE}).")
  Duration loginTimeout;

  @Option(
      names = "--connect-timeout",
      paramLabel = "DURATION",
      converter = Converters.Time.class,
      defaultValue = "10s",
      description =
          "How long to wait for the upstream's TCP connection (default: ${DEFAULT-VALUE}).")
  Duration connectTimeout;

  @Option(
      names = "--shutdown-grace",
      paramLabel = "DURATION",
      converter = Converters.Time.class,
      defaultValue = "5s",
      description =
          "On SIGINT/SIGTERM, how long open sessions get to end (default: ${DEFAULT-VALUE}).")
  Duration shutdownGrace;

  @Option(
      names = "--pop3-mailbox",
      paramLabel = "NAME",
      defaultValue = "INBOX",
      description =
          "POP3 clients in front of an IMAP upstream: the IMAP mailbox that is their maildrop,"
              + " as the server names it (default: ${DEFAULT-VALUE}).")
  String pop3Mailbox;

  @Option(
      names = "--pop3-mark-seen",
      description =
          "POP3 clients in front of an IMAP upstream: RETR marks the message \\Seen (default:"
              + " it does not).")
  boolean pop3MarkSeen;

  @Option(
      names = "--pop3-order",
      paramLabel = "uid|uid-desc",
      defaultValue = "uid",
      description =
          "POP3 clients in front of an IMAP upstream: message numbers by UID ascending (oldest"
              + " first) or descending (default: ${DEFAULT-VALUE}).")
  String pop3Order;

  @Mixin TlsOptions tls;

  @Mixin RecordOptions record;

  @Option(
      names = "--client",
      paramLabel = "FAMILY",
      description =
          "Treat every client as this catalog family (e.g. outlook) instead of fingerprinting"
              + " it; for testing rules. 'quirkproxy fingerprint --list' names the families.")
  String forcedClient;

  @Option(
      names = "--rules",
      paramLabel = "PATH",
      description =
          "Rule file or directory (every *.json but fingerprints*.json, in name order; default:"
              + " rules/ when it exists). Reloaded when the files change.")
  Path rulesPath;

  @Option(names = "--no-rules", description = "Apply no rules, even if rules/ exists.")
  boolean noRules;

  @Option(
      names = "--catalog",
      paramLabel = "FILE",
      description =
          "Extra fingerprint catalog; its entries extend or replace the built-in ones by family."
              + " Repeatable.")
  List<Path> catalogs = new ArrayList<>();

  @Option(
      names = {"-v", "--verbose"},
      description = "More log output; -vv for every frame's first words.")
  boolean[] verbose = new boolean[0];

  @Option(
      names = {"-q", "--quiet"},
      description = "Only warnings and errors.")
  boolean quiet;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Run the listeners of a YAML (or .json) config file; options given as well override it"
              + " (see the README's \"Config file\"). SIGHUP reloads it.")
  Path configFile;

  @Option(
      names = "--listener",
      paramLabel = "NAME",
      description =
          "With --config: the listener that --listen, --upstream, --client-tls, --cert, --key,"
              + " --client and the other per-listener options change (needed with several).")
  String listenerName;

  @Override
  public Integer call() throws Exception {
    Logging.configure(verbose.length, quiet);
    if (configFile != null) {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      var edits = ConfigOverrides.of(this, spec.commandLine().getParseResult());
      return new ConfiguredProxy(configFile, edits, out, err).run();
    }
    if (listenerName != null) {
      throw new UsageException("--listener goes with --config");
    }
    Limits limits = limits();
    PrintWriter out = spec.commandLine().getOut();
    EventLoopGroup group = Transport.newGroup(0);
    List<ProxyServer> servers = new ArrayList<>();
    DemoUpstream demo = null;
    Catalog catalog = catalog();
    RuleWatcher rules = rules();
    List<Interceptor> extra = rules == null ? List.of() : List.of(new RuleEngine(rules));
    CaptureStore store = record.store();
    try {
      List<Endpoint[]> pairs;
      if (upstream == null) {
        demo = DemoUpstream.start();
        pairs = demoPairs(demo);
      } else {
        Endpoint up = parse(upstream, null, -1);
        pairs = List.<Endpoint[]>of(new Endpoint[] {listenEndpoint(up.protocol()), up});
      }
      for (Endpoint[] pair : pairs) {
        ProxyTls contexts = tls.contexts(pair[0].tls(), pair[1].tls(), pair[0].host(), out);
        ProxyServer server =
            new ProxyServer(config(pair[0], pair[1], limits), contexts, extra, group);
        if (store != null) {
          server.recordTo(store, pair[0].protocol().name().toLowerCase(java.util.Locale.ROOT));
        }
        server.identifyWith(catalog, forcedClient);
        servers.add(server);
      }
      for (ProxyServer server : servers) {
        Endpoint bound = startOrExplain(server);
        out.println(
            "quirkproxy "
                + VersionProvider.version()
                + " listening on "
                + bound
                + describeTls(bound.tls())
                + " -> "
                + server.config().upstream());
      }
      if (demo != null) {
        printDemoHelp(out, servers);
      }
      out.println(
          rules == null
              ? "Rules: none."
              : "Rules: "
                  + rules.get().rules().size()
                  + " from "
                  + (rulesPath == null ? Path.of("rules") : rulesPath)
                  + " (reloaded when the files change).");
      out.println(
          store == null
              ? "Recording is off."
              : "Recording sessions into "
                  + store.settings().directory()
                  + (store.settings().recordSecrets()
                      ? " WITH passwords and SASL data"
                      : " (credentials redacted)")
                  + ".");
      out.flush();
      awaitShutdown(servers, demo, group, store);
      return ExitCodes.OK;
    } catch (Exception e) {
      servers.forEach(s -> s.shutdown(Duration.ZERO));
      if (demo != null) {
        demo.close();
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      if (store != null) {
        store.close();
      }
      throw e;
    }
  }

  /** The rules to apply, watched for changes; null for none. Errors stop the start (exit 2). */
  private RuleWatcher rules() {
    if (noRules) {
      return null;
    }
    Path path = rulesPath;
    if (path == null) {
      path = Path.of("rules");
      if (!java.nio.file.Files.isDirectory(path)) {
        return null;
      }
    }
    try {
      return RuleWatcher.watch(path, java.time.Duration.ofMillis(500));
    } catch (RuleException e) {
      StringBuilder all = new StringBuilder(e.getMessage());
      for (Throwable more : e.getSuppressed()) {
        all.append(System.lineSeparator()).append("quirkproxy: ").append(more.getMessage());
      }
      throw new UsageException(all.toString());
    }
  }

  /** The catalog, and a check that a forced family is in it, before anything starts. */
  private Catalog catalog() {
    Catalog catalog;
    try {
      catalog = catalogs.isEmpty() ? Catalog.builtin() : Catalog.load(catalogs);
    } catch (CatalogException e) {
      throw new UsageException(e.getMessage());
    }
    if (forcedClient != null && catalog.entry(forcedClient) == null) {
      throw new UsageException(
          "--client: unknown family '"
              + forcedClient
              + "'; known: "
              + String.join(", ", catalog.families()));
    }
    return catalog;
  }

  private static String describeTls(TlsMode mode) {
    return switch (mode) {
      case NONE -> "";
      case IMPLICIT -> " (TLS)";
      case STARTTLS -> " (STARTTLS)";
    };
  }

  private Limits limits() {
    if (maxLine > Integer.MAX_VALUE || maxServerLine > Integer.MAX_VALUE) {
      throw new UsageException("line limits must be below 2 GiB");
    }
    try {
      return new Limits(
          (int) maxLine,
          (int) maxServerLine,
          maxLiteral,
          maxLiteralBeforeLogin,
          maxServerLiteral,
          idleTimeout,
          loginTimeout);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private ProxyConfig config(Endpoint listenAt, Endpoint up, Limits limits) {
    try {
      return new ProxyConfig(listenAt, up, limits, connectTimeout, true, translation(listenAt, up));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** The POP3-over-IMAP options, or null when both sides speak the same protocol. */
  private Pop3Translation translation(Endpoint listenAt, Endpoint up) {
    boolean translating = listenAt.protocol() == Protocol.POP3 && up.protocol() == Protocol.IMAP;
    if (!translating) {
      if (!"INBOX".equals(pop3Mailbox) || pop3MarkSeen || !"uid".equals(pop3Order)) {
        throw new UsageException(
            "--pop3-mailbox, --pop3-mark-seen and --pop3-order apply only to POP3 clients served"
                + " from an IMAP upstream (--listen pop3://... --upstream imap://...)");
      }
      return null;
    }
    return new Pop3Translation(pop3Mailbox, pop3MarkSeen, Pop3Translation.Order.parse(pop3Order));
  }

  /**
   * Where to listen: {@code --listen} (its scheme may say {@code imaps://}), with the client-side
   * TLS mode from {@code --client-tls}; implicit TLS defaults to ports 1993 / 1995.
   */
  private Endpoint listenEndpoint(Protocol protocol) {
    Endpoint given = listen == null ? null : parse(listen, protocol, 0);
    TlsMode mode = tls.clientMode(given);
    boolean implicit = mode == TlsMode.IMPLICIT;
    // A scheme in --listen (pop3:// in front of an IMAP upstream) says the client's protocol.
    Protocol clientProtocol = given == null ? protocol : given.protocol();
    int defaultPort =
        clientProtocol == Protocol.IMAP
            ? (implicit ? 1993 : IMAP_LISTEN_PORT)
            : (implicit ? 1995 : POP3_LISTEN_PORT);
    if (given == null) {
      return new Endpoint(protocol, mode, "127.0.0.1", defaultPort);
    }
    int port = Endpoint.hasExplicitPort(listen) ? given.port() : defaultPort;
    return new Endpoint(given.protocol(), mode, given.host(), port);
  }

  private static Endpoint parse(String url, Protocol defaultProtocol, int defaultPort) {
    try {
      return Endpoint.parse(url, defaultProtocol, defaultPort);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private List<Endpoint[]> demoPairs(DemoUpstream demo) {
    Endpoint imapUp = new Endpoint(Protocol.IMAP, false, "127.0.0.1", demo.imapPort());
    Endpoint popUp = new Endpoint(Protocol.POP3, false, "127.0.0.1", demo.pop3Port());
    if (listen != null) {
      Endpoint at = listenEndpoint(Protocol.IMAP);
      return List.<Endpoint[]>of(
          new Endpoint[] {at, at.protocol() == Protocol.IMAP ? imapUp : popUp});
    }
    return List.of(
        new Endpoint[] {listenEndpoint(Protocol.IMAP), imapUp},
        new Endpoint[] {listenEndpoint(Protocol.POP3), popUp});
  }

  private static Endpoint startOrExplain(ProxyServer server) throws InterruptedException {
    try {
      return server.start();
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      // Netty rethrows the bind's checked exception (e.g. BindException) without declaring it.
      throw new IllegalStateException(
          "cannot listen on " + server.config().listen() + ": " + e.getMessage(), e);
    }
  }

  private void printDemoHelp(PrintWriter out, List<ProxyServer> servers) {
    out.println(
        "Demo upstream: embedded GreenMail, user '"
            + DemoUpstream.USER
            + "', password '"
            + DemoUpstream.PASSWORD
            + "', 5 messages in INBOX. Try:");
    for (ProxyServer s : servers) {
      Endpoint e = s.endpoint();
      String tlsFlags =
          switch (e.tls()) {
            case NONE -> "";
            case IMPLICIT -> "--cacert CA.pem ";
            case STARTTLS -> "--ssl-reqd --cacert CA.pem ";
          };
      String scheme = e.protocol().scheme(e.tls() == TlsMode.IMPLICIT);
      String where = scheme + "://" + e.host() + ":" + e.port();
      if (e.protocol() == Protocol.IMAP) {
        out.println("  curl " + tlsFlags + "-u demo:demo '" + where + "/INBOX;UID=1'");
      } else {
        out.println("  curl " + tlsFlags + "-u demo:demo " + where + "/1");
      }
    }
    if (servers.stream().anyMatch(s -> s.endpoint().tls() != TlsMode.NONE)) {
      out.println("  (CA.pem: the proxy's CA, see 'quirkproxy ca --export pem CA.pem')");
    }
    out.println("Stop with Ctrl-C.");
  }

  private void awaitShutdown(
      List<ProxyServer> servers, DemoUpstream demo, EventLoopGroup group, CaptureStore store)
      throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              servers.forEach(s -> s.shutdown(shutdownGrace));
              if (demo != null) {
                demo.close();
              }
              group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
              if (store != null) {
                store.close();
              }
              stopped.countDown();
            },
            "quirkproxy-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    stopped.await();
  }
}
