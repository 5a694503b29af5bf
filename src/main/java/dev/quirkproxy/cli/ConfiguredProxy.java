package dev.quirkproxy.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.capture.CaptureStore;
import dev.quirkproxy.config.ConfigException;
import dev.quirkproxy.config.ConfigLoader;
import dev.quirkproxy.config.Listener;
import dev.quirkproxy.config.ProxySetup;
import dev.quirkproxy.fingerprint.Catalog;
import dev.quirkproxy.fingerprint.CatalogException;
import dev.quirkproxy.relay.ProxyConfig;
import dev.quirkproxy.relay.ProxyServer;
import dev.quirkproxy.relay.ProxyTls;
import dev.quirkproxy.relay.Transport;
import dev.quirkproxy.rules.RuleEngine;
import dev.quirkproxy.rules.RuleException;
import dev.quirkproxy.rules.RuleLoader;
import dev.quirkproxy.rules.RuleWatcher;
import dev.quirkproxy.tls.KeyLog;
import dev.quirkproxy.tls.TlsSetupException;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code quirkproxy proxy --config FILE}: every listener of a config file in one process, on one
 * set of event loops, sharing one rule watcher per rule path (so a reload of the rules reaches
 * every listener using them) and one capture writer per recording setting. SIGHUP reads the file
 * again: new listeners open, removed ones stop accepting while their open sessions go on to their
 * end, changed ones are replaced (their open sessions keep the old settings, new ones get the new),
 * and the rules are reloaded at once. A file that no longer loads changes nothing.
 */
final class ConfiguredProxy {

  private static final Logger log = LoggerFactory.getLogger(ConfiguredProxy.class);
  private static final Duration RULES_CHECK = Duration.ofMillis(500);

  private final Path file;
  private final Consumer<ObjectNode> edits;
  private final PrintWriter out;
  private final PrintWriter err;
  private final EventLoopGroup group = Transport.newGroup(0);
  private final Map<String, Running> active = new LinkedHashMap<>();
  private final List<Running> draining = new ArrayList<>();
  private final Map<Path, RuleWatcher> watchers = new HashMap<>();
  private final Map<CaptureSettings, CaptureStore> stores = new HashMap<>();
  private final Map<Path, KeyLog> keyLogs = new HashMap<>();
  private List<Path> catalogPaths;
  private Catalog catalog;
  private Duration grace = Duration.ofSeconds(5);
  private boolean stopped;

  /** A listener as it runs. */
  private record Running(Listener listener, ProxyServer server, CaptureStore store) {}

  /** What a (re)load needs besides the file: the catalog, and rule watchers made for it. */
  private record Plan(
      List<Path> catalogPaths, Catalog catalog, Map<Path, RuleWatcher> newWatchers) {
    void abandon() {
      newWatchers.values().forEach(RuleWatcher::close);
    }
  }

  ConfiguredProxy(Path file, Consumer<ObjectNode> edits, PrintWriter out, PrintWriter err) {
    this.file = file;
    this.edits = edits;
    this.out = out;
    this.err = err;
  }

  /** Starts every listener, prints the table, reloads on SIGHUP, returns after SIGINT/SIGTERM. */
  int run() throws Exception {
    ProxySetup setup = load(file, edits);
    synchronized (this) {
      Plan plan = prepare(setup);
      try {
        apply(setup, plan, true);
      } catch (Exception e) {
        plan.abandon();
        close(Duration.ZERO);
        throw e;
      }
      out.println(
          "quirkproxy "
              + VersionProvider.version()
              + ": "
              + active.size()
              + (active.size() == 1 ? " listener" : " listeners")
              + " from "
              + file
              + " (SIGHUP reloads it):");
      printTable();
    }
    Hangup.onSignal(this::reload);
    out.println("Stop with Ctrl-C.");
    out.flush();
    awaitShutdown();
    return ExitCodes.OK;
  }

  /** The file read and resolved, or a usage error listing every problem. */
  static ProxySetup load(Path file, Consumer<ObjectNode> edits) {
    try {
      return ConfigLoader.load(file, edits);
    } catch (ConfigException e) {
      throw new UsageException(joined(e.problems().stream().map(Object::toString).toList()));
    }
  }

  /**
   * What {@code config check} checks beyond the file itself: the catalogs load, every forced client
   * family is in them, every rule path loads. Returns the number of rules per path.
   */
  static Map<Path, Integer> check(ProxySetup setup) {
    Catalog catalog = catalog(setup.catalogs());
    checkClients(setup, catalog);
    Map<Path, Integer> rules = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (Path path : rulePaths(setup)) {
      RuleLoader.Result r = RuleLoader.load(path);
      if (r.ok()) {
        rules.put(path, r.rules().rules().size());
      } else {
        r.errors().forEach(e -> problems.add(e.getMessage()));
      }
    }
    if (!problems.isEmpty()) {
      throw new UsageException(joined(problems));
    }
    return rules;
  }

  // ---------------------------------------------------------------- (re)loading

  /** SIGHUP: read the file again and apply it; on any problem, report it and change nothing. */
  synchronized void reload() {
    if (stopped) {
      return;
    }
    log.info("SIGHUP: reloading {}", file);
    Plan plan = null;
    try {
      ProxySetup setup = load(file, edits);
      plan = prepare(setup);
      List<String> changes = apply(setup, plan, false);
      out.println("Reloaded " + file + ": " + String.join("; ", changes) + ".");
      printTable();
      log.info("reloaded {}: {}", file, changes);
    } catch (Exception e) {
      if (plan != null) {
        plan.newWatchers().keySet().forEach(watchers::remove);
        plan.abandon();
      }
      String why = Main.message(e);
      err.println(
          "quirkproxy: reloading "
              + file
              + " failed; the listeners stay as they were:"
              + System.lineSeparator()
              + "quirkproxy: "
              + why);
      err.flush();
      log.warn("reloading {} failed, nothing changed: {}", file, why);
    }
    out.flush();
  }

  private Plan prepare(ProxySetup setup) {
    Catalog nextCatalog =
        setup.catalogs().equals(catalogPaths) ? catalog : catalog(setup.catalogs());
    checkClients(setup, nextCatalog);
    Map<Path, RuleWatcher> fresh = new HashMap<>();
    List<String> problems = new ArrayList<>();
    for (Path path : rulePaths(setup)) {
      if (watchers.containsKey(path)) {
        continue;
      }
      try {
        fresh.put(path, RuleWatcher.watch(path, RULES_CHECK));
      } catch (RuleException e) {
        problems.add(e.getMessage());
        for (Throwable more : e.getSuppressed()) {
          problems.add(more.getMessage());
        }
      }
    }
    if (!problems.isEmpty()) {
      fresh.values().forEach(RuleWatcher::close);
      throw new UsageException(joined(problems));
    }
    return new Plan(setup.catalogs(), nextCatalog, fresh);
  }

  /**
   * Makes the running listeners those of {@code setup}; returns the changes in words. Nothing
   * running is touched until every new listener is built (TLS contexts, stores); then removed and
   * changed ones stop accepting, and the new ones bind.
   */
  private List<String> apply(ProxySetup setup, Plan plan, boolean initial) throws Exception {
    boolean catalogChanged = plan.catalog() != catalog;
    watchers.putAll(plan.newWatchers());
    Map<String, Running> fresh = new LinkedHashMap<>();
    Set<String> wanted = new HashSet<>();
    List<String> unchanged = new ArrayList<>();
    for (Listener l : setup.listeners()) {
      wanted.add(l.name());
      Running old = active.get(l.name());
      if (old != null && old.listener().equals(l) && !catalogChanged) {
        unchanged.add(l.name());
        continue;
      }
      fresh.put(l.name(), build(l, plan.catalog()));
    }
    List<String> changes = new ArrayList<>();
    Set<String> replaced = new HashSet<>();
    for (Iterator<Running> it = active.values().iterator(); it.hasNext(); ) {
      Running r = it.next();
      String name = r.listener().name();
      if (wanted.contains(name) && !fresh.containsKey(name)) {
        continue;
      }
      r.server().stopAccepting();
      draining.add(r);
      it.remove();
      int open = r.server().openSessions();
      String sessions = open == 0 ? "" : " (" + open + " open sessions go on)";
      if (wanted.contains(name)) {
        replaced.add(name);
      }
      changes.add((wanted.contains(name) ? "replaced " : "stopped ") + name + sessions);
    }
    for (Running r : fresh.values()) {
      String name = r.listener().name();
      try {
        r.server().start();
        active.put(name, r);
        if (!replaced.contains(name)) {
          changes.add("opened " + name);
        }
      } catch (Exception e) {
        // Netty rethrows the bind's checked exception (e.g. BindException) without declaring it.
        String why = "cannot listen on " + r.listener().listen() + ": " + Main.message(e);
        if (initial) {
          throw new IllegalStateException("listener '" + name + "': " + why, e);
        }
        changes.add("FAILED " + name + ": " + why);
        log.error("listener '{}' {}", name, why);
      }
    }
    if (!unchanged.isEmpty() && !initial) {
      changes.add("unchanged " + String.join(", ", unchanged));
    }
    // The table lists the listeners in the file's order.
    Map<String, Running> ordered = new LinkedHashMap<>();
    for (Listener l : setup.listeners()) {
      Running r = active.get(l.name());
      if (r != null) {
        ordered.put(l.name(), r);
      }
    }
    active.clear();
    active.putAll(ordered);
    catalog = plan.catalog();
    catalogPaths = plan.catalogPaths();
    grace = setup.shutdownGrace();
    for (Path path : rulePaths(setup)) {
      if (!plan.newWatchers().containsKey(path)) {
        watchers.get(path).check();
      }
    }
    release();
    return changes;
  }

  private Running build(Listener l, Catalog with) throws TlsSetupException {
    ProxyTls tls =
        TlsOptions.contexts(
            l.tls(),
            keyLog(l.tls().keylog()),
            l.listen().tls(),
            l.upstream().tls(),
            l.listen().host(),
            out);
    List<dev.quirkproxy.flow.Interceptor> extra =
        l.rules() == null ? List.of() : List.of(new RuleEngine(watchers.get(l.rules())));
    ProxyServer server =
        new ProxyServer(
            new ProxyConfig(
                l.listen(),
                l.upstream(),
                l.limits(),
                l.connectTimeout(),
                true,
                l.listen().protocol() == l.upstream().protocol()
                    ? null
                    : dev.quirkproxy.config.Translation.of(l.translate())),
            tls,
            extra,
            group);
    CaptureStore store = l.captures() == null ? null : store(l.captures());
    if (store != null) {
      server.recordTo(store, l.name());
    }
    server.identifyWith(with, l.client());
    return new Running(l, server, store);
  }

  /** Forgets drained listeners, and closes rule watchers and capture stores nobody uses. */
  private void release() {
    draining.removeIf(r -> r.server().openSessions() == 0);
    Set<Path> rulesInUse = new HashSet<>();
    Set<CaptureStore> storesInUse = new HashSet<>();
    for (Running r : running()) {
      if (r.listener().rules() != null) {
        rulesInUse.add(r.listener().rules());
      }
      if (r.store() != null) {
        storesInUse.add(r.store());
      }
    }
    watchers
        .entrySet()
        .removeIf(
            e -> {
              boolean unused = !rulesInUse.contains(e.getKey());
              if (unused) {
                e.getValue().close();
              }
              return unused;
            });
    stores
        .values()
        .removeIf(
            s -> {
              boolean unused = !storesInUse.contains(s);
              if (unused) {
                s.close();
              }
              return unused;
            });
  }

  private List<Running> running() {
    List<Running> all = new ArrayList<>(active.values());
    all.addAll(draining);
    return all;
  }

  private CaptureStore store(CaptureSettings settings) {
    CaptureStore store = stores.get(settings);
    if (store != null) {
      return store;
    }
    if (settings.recordSecrets()) {
      log.warn(
          "recordSecrets: passwords and SASL exchanges are written to {} in clear text",
          settings.directory());
    }
    store = new CaptureStore(settings);
    try {
      store.checkWritable();
    } catch (IOException e) {
      log.warn(
          "captures cannot be written to {} ({}): sessions will {}",
          settings.directory(),
          CaptureStore.why(e),
          settings.onError() == CaptureSettings.OnError.CLOSE ? "be refused" : "go unrecorded");
    }
    stores.put(settings, store);
    return store;
  }

  private KeyLog keyLog(Path path) throws TlsSetupException {
    if (path == null) {
      return null;
    }
    KeyLog k = keyLogs.get(path);
    if (k == null) {
      k = new KeyLog(path);
      keyLogs.put(path, k);
    }
    return k;
  }

  private static Catalog catalog(List<Path> paths) {
    try {
      return paths.isEmpty() ? Catalog.builtin() : Catalog.load(paths);
    } catch (CatalogException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static void checkClients(ProxySetup setup, Catalog catalog) {
    List<String> problems = new ArrayList<>();
    for (Listener l : setup.listeners()) {
      if (l.client() != null && catalog.entry(l.client()) == null) {
        problems.add(
            setup.file()
                + ": listener '"
                + l.name()
                + "': client: unknown family '"
                + l.client()
                + "'; known: "
                + String.join(", ", catalog.families()));
      }
    }
    if (!problems.isEmpty()) {
      throw new UsageException(joined(problems));
    }
  }

  private static Set<Path> rulePaths(ProxySetup setup) {
    Set<Path> paths = new LinkedHashSet<>();
    setup.listeners().stream().map(Listener::rules).filter(p -> p != null).forEach(paths::add);
    return paths;
  }

  private static String joined(List<String> problems) {
    return String.join(System.lineSeparator() + "quirkproxy: ", problems);
  }

  // ---------------------------------------------------------------- the table

  /** One row per listener: listen → upstream, TLS on each side, rules, captures. */
  private void printTable() {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "NAME", "LISTEN", "UPSTREAM", "CLIENT-TLS", "UPSTREAM-TLS", "RULES", "CAPTURES"
        });
    for (Running r : active.values()) {
      Listener l = r.listener();
      RuleWatcher rules = l.rules() == null ? null : watchers.get(l.rules());
      CaptureSettings c = l.captures();
      rows.add(
          new String[] {
            l.name(),
            r.server().endpoint().toString(),
            l.upstream().toString(),
            l.listen().tls().toString(),
            l.upstream().tls().toString(),
            rules == null ? "none" : l.rules() + " (" + rules.get().rules().size() + " rules)",
            c == null ? "off" : c.directory() + (c.recordSecrets() ? " (secrets kept)" : "")
          });
    }
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder(" ");
      for (int i = 0; i < row.length; i++) {
        line.append(' ').append(row[i]);
        if (i < row.length - 1) {
          line.append(" ".repeat(widths[i] - row[i].length() + 1));
        }
      }
      out.println(line);
    }
    out.flush();
  }

  // ---------------------------------------------------------------- shutdown

  private void awaitShutdown() throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              Duration g;
              synchronized (this) {
                stopped = true;
                g = grace;
              }
              close(g);
              done.countDown();
            },
            "quirkproxy-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    done.await();
  }

  /**
   * Ends every listener (in parallel, so the grace is not paid once per listener), then the rest.
   */
  private void close(Duration g) {
    List<Thread> ending = new ArrayList<>();
    List<Running> all;
    synchronized (this) {
      all = running();
    }
    for (Running r : all) {
      Thread t = new Thread(() -> r.server().shutdown(g), "quirkproxy-stop-" + r.listener().name());
      t.start();
      ending.add(t);
    }
    for (Thread t : ending) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    synchronized (this) {
      stores.values().forEach(CaptureStore::close);
      watchers.values().forEach(RuleWatcher::close);
      for (KeyLog k : keyLogs.values()) {
        try {
          k.close();
        } catch (IOException e) {
          log.warn("closing the key log {}: {}", k.file(), e.getMessage());
        }
      }
    }
  }
}
