package dev.quirkproxy.config;

import dev.quirkproxy.capture.CaptureSettings;
import dev.quirkproxy.relay.Endpoint;
import dev.quirkproxy.session.Limits;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.tls.TlsMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns a file as written into listeners: a listener's {@code captures} and {@code limits} keys
 * replace the top-level ones key by key, then the command line's defaults apply; paths are relative
 * to the file's directory. Checks what needs several keys: unique names and listen addresses, the
 * protocols of both sides, cert with key, limits in range.
 */
final class Resolver {

  private static final int IMAP_LISTEN_PORT = 1143;
  private static final int POP3_LISTEN_PORT = 1110;

  private final String fileName;
  private final Path base;
  private final List<ConfigException.Problem> problems = new ArrayList<>();

  private Resolver(Path file) {
    this.fileName = file.toString();
    Path parent = file.toAbsolutePath().getParent();
    Path cwd = Path.of("").toAbsolutePath();
    // Paths stay short when the file is at or below the working directory.
    this.base = parent.startsWith(cwd) ? cwd.relativize(parent) : parent;
  }

  static ProxySetup resolve(Path file, ProxyFile model) throws ConfigException {
    Resolver r = new Resolver(file);
    ProxySetup setup = r.resolve(model);
    if (!r.problems.isEmpty()) {
      throw new ConfigException(r.problems);
    }
    return setup;
  }

  private ProxySetup resolve(ProxyFile f) {
    if (f.version == null) {
      problems.add(new ConfigException.Problem(fileName, 0, 0, "missing key 'version' (1)"));
    }
    List<ListenerSpec> specs = f.listeners == null ? List.of() : f.listeners;
    if (specs.isEmpty()) {
      problems.add(
          new ConfigException.Problem(
              fileName, 0, 0, "listeners: at least one listener is needed"));
    }
    CaptureSpec captures = new CaptureSpec().with(f.captures);
    LimitSpec limits = new LimitSpec().with(f.limits);
    TlsSpec tls = f.tls == null ? new TlsSpec() : f.tls;
    Path rules = path(f.rules);
    boolean noRules = Boolean.TRUE.equals(f.noRules);
    List<Listener> listeners = new ArrayList<>();
    Map<String, Url> names = new HashMap<>();
    Map<String, Url> addresses = new HashMap<>();
    for (int i = 0; i < specs.size(); i++) {
      ListenerSpec spec = specs.get(i);
      Listener l = listener("listeners[" + i + "]", spec, captures, limits, tls, rules, noRules);
      if (l == null) {
        continue;
      }
      Url first = names.putIfAbsent(l.name(), spec.listen);
      if (first != null) {
        problem(spec.listen, "listener '" + l.name() + "': the name is taken at " + at(first));
      }
      String address = l.listen().host() + ":" + l.listen().port();
      if (l.listen().port() != 0) {
        Url taken = addresses.putIfAbsent(address, spec.listen);
        if (taken != null) {
          problem(
              spec.listen,
              "listener '"
                  + l.name()
                  + "': "
                  + address
                  + " is already the listen address at "
                  + at(taken));
        }
      }
      listeners.add(l);
    }
    List<Path> catalogs =
        f.catalogs == null ? List.of() : f.catalogs.stream().map(this::path).toList();
    Duration grace = f.shutdownGrace == null ? Duration.ofSeconds(5) : f.shutdownGrace;
    return new ProxySetup(Path.of(fileName), listeners, catalogs, grace);
  }

  private Listener listener(
      String where,
      ListenerSpec s,
      CaptureSpec topCaptures,
      LimitSpec topLimits,
      TlsSpec tls,
      Path topRules,
      boolean topNoRules) {
    if (s == null) {
      problems.add(new ConfigException.Problem(fileName, 0, 0, where + ": an empty entry"));
      return null;
    }
    boolean complete = true;
    for (String key : List.of("name", "listen", "upstream")) {
      Object value = key.equals("name") ? s.name : key.equals("listen") ? s.listen : s.upstream;
      if (value == null) {
        problems.add(
            new ConfigException.Problem(
                fileName, s.line, s.column, where + ": missing key '" + key + "'"));
        complete = false;
      }
    }
    if (!complete) {
      return null;
    }
    String label = "listener '" + s.name + "': ";
    if (s.name.isBlank()) {
      problem(s.listen, where + ": name must not be empty");
    }
    Endpoint upstream;
    try {
      upstream = Endpoint.parse(s.upstream.text());
    } catch (IllegalArgumentException e) {
      problem(s.upstream, label + "upstream: " + e.getMessage());
      return null;
    }
    Endpoint listen = listen(s, upstream.protocol());
    String refused = Translation.refusal(listen.protocol(), upstream.protocol(), s.translate);
    if (refused != null) {
      problem(s.listen, label + refused);
    }
    if ((s.cert == null) != (s.key == null)) {
      problem(s.listen, label + "cert and key go together");
    }
    Limits limits = null;
    LimitSpec l = topLimits.with(s.limits);
    try {
      limits = limits(l);
    } catch (IllegalArgumentException e) {
      problem(s.listen, label + "limits: " + e.getMessage());
    }
    CaptureSettings captures = null;
    try {
      captures = captures(topCaptures.with(s.captures));
    } catch (IllegalArgumentException e) {
      problem(s.listen, label + "captures: " + e.getMessage());
    }
    Path rules = null;
    if (!topNoRules && !Boolean.TRUE.equals(s.noRules)) {
      rules = s.rules != null ? path(s.rules) : topRules;
      if (rules == null && Files.isDirectory(Path.of("rules"))) {
        rules = Path.of("rules");
      }
    }
    ListenerTls listenerTls =
        new ListenerTls(
            path(tls.caDir),
            path(s.cert),
            path(s.key),
            s.tlsHostnames == null ? List.of() : s.tlsHostnames,
            Boolean.TRUE.equals(s.clientTlsLegacy),
            s.upstreamCa == null ? List.of() : s.upstreamCa.stream().map(this::path).toList(),
            Boolean.TRUE.equals(s.upstreamInsecure),
            path(tls.keylog));
    Duration connect = l.connectTimeout == null ? Duration.ofSeconds(10) : l.connectTimeout;
    return new Listener(
        s.name,
        listen,
        upstream,
        listenerTls,
        rules,
        captures,
        s.client,
        limits == null ? Limits.defaults() : limits,
        connect,
        s.translate);
  }

  /** As {@code --listen} does it: scheme from the upstream, TLS mode, default ports. */
  private Endpoint listen(ListenerSpec s, Protocol upstreamProtocol) {
    String text = s.listen.text();
    Endpoint given = Endpoint.parse(text, upstreamProtocol, 0);
    TlsMode mode = s.clientTls != null ? s.clientTls : given.tls();
    boolean implicit = mode == TlsMode.IMPLICIT;
    int defaultPort =
        given.protocol() == Protocol.IMAP
            ? (implicit ? 1993 : IMAP_LISTEN_PORT)
            : (implicit ? 1995 : POP3_LISTEN_PORT);
    int port = Endpoint.hasExplicitPort(text) ? given.port() : defaultPort;
    return new Endpoint(given.protocol(), mode, given.host(), port);
  }

  private static Limits limits(LimitSpec l) {
    long maxLine = bytes(l.maxLine, Limits.DEFAULT_MAX_LINE);
    long maxServerLine = bytes(l.maxServerLine, Limits.DEFAULT_MAX_SERVER_LINE);
    if (maxLine > Integer.MAX_VALUE || maxServerLine > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("line limits must be below 2 GiB");
    }
    return new Limits(
        (int) maxLine,
        (int) maxServerLine,
        bytes(l.maxLiteral, Limits.DEFAULT_MAX_LITERAL),
        bytes(l.maxLiteralBeforeLogin, Limits.DEFAULT_MAX_LITERAL_BEFORE_AUTH),
        bytes(l.maxServerLiteral, Limits.DEFAULT_MAX_SERVER_LITERAL),
        Objects.requireNonNullElse(l.idleTimeout, Duration.ofMinutes(30)),
        Objects.requireNonNullElse(l.loginTimeout, Duration.ofMinutes(3)));
  }

  private static long bytes(Size size, long fallback) {
    return size == null ? fallback : size.bytes();
  }

  /** The recording settings, or null when recording is off. */
  private CaptureSettings captures(CaptureSpec c) {
    if (Boolean.FALSE.equals(c.record)) {
      return null;
    }
    int maxFiles = c.maxFiles == null ? 0 : c.maxFiles;
    if (maxFiles < 0) {
      throw new IllegalArgumentException("maxFiles must not be negative");
    }
    return new CaptureSettings(
        c.directory == null ? Path.of("captures") : path(c.directory),
        Boolean.TRUE.equals(c.recordSecrets),
        Boolean.TRUE.equals(c.redactUser),
        c.onError == null ? CaptureSettings.OnError.CLOSE : c.onError,
        maxFiles,
        bytes(c.maxBytes, 0),
        CaptureSettings.DEFAULT_INLINE_LIMIT);
  }

  /** A path from the file: {@code ~/} is the home directory, relative ones start at the file. */
  private Path path(String text) {
    if (text == null) {
      return null;
    }
    if (text.equals("~") || text.startsWith("~/")) {
      return Path.of(System.getProperty("user.home"))
          .resolve(text.substring(1).replaceFirst("^/", ""));
    }
    return base.resolve(text).normalize();
  }

  private void problem(Url at, String text) {
    problems.add(new ConfigException.Problem(fileName, at.line(), at.column(), text));
  }

  private static String at(Url url) {
    return url.line() > 0 ? "line " + url.line() : "an earlier listener";
  }
}
