package dev.quirkproxy.cli;

import dev.quirkproxy.relay.Endpoint;
import dev.quirkproxy.relay.ProxyTls;
import dev.quirkproxy.replay.MissPolicy;
import dev.quirkproxy.replay.Normalize;
import dev.quirkproxy.replay.Recording;
import dev.quirkproxy.replay.ReplayOptions;
import dev.quirkproxy.replay.ReplayServer;
import dev.quirkproxy.replay.ReplaySummary;
import dev.quirkproxy.rules.RuleException;
import dev.quirkproxy.rules.RuleWatcher;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.tls.TlsMode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quirkproxy replay server}: a mock upstream that answers as a capture's server did. */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
      "A mock IMAP or POP3 server (the capture's protocol) that answers every live command with",
      "the recorded answer to the matching recorded command (tags ignored; the same command",
      "recorded twice is answered in recorded order, then the last answer again). Every",
      "connection starts at the beginning of the capture.",
      "With a directory, every *.jsonl below it of the listener's protocol, in name order: each",
      "new connection plays the next capture, round robin; a table at shutdown says what each",
      "served. With --rules, a rules proxy listens in front of the replay, as 'proxy' would."
    },
    footer = {
      "",
      "Examples:",
      "  quirkproxy replay server --capture captures/2026-11-26/143012.123-imap-52344-s000042.jsonl",
      "  quirkproxy replay server --capture s42.jsonl --normalize case,uids --on-miss fail",
      "  quirkproxy replay server --capture s42.jsonl --rules my-rules/   # rules vs the replay",
      "  quirkproxy replay server --capture captures/2026-11-26/          # one capture per connection"
    })
final class ReplayServerCommand implements Callable<Integer> {

  private static final int IMAP_PORT = 14143;
  private static final int POP3_PORT = 14110;
  private static final int IMAPS_PORT = 14993;
  private static final int POP3S_PORT = 14995;

  @Spec CommandSpec spec;

  @Option(
      names = "--capture",
      paramLabel = "PATH",
      required = true,
      description =
          "The capture to play (a .jsonl file written by the proxy), or a directory: every"
              + " *.jsonl below it, in name order, one per connection, round robin.")
  Path capture;

  @Option(
      names = "--rules",
      paramLabel = "PATH",
      description =
          "Apply these rules (file or directory, as 'proxy --rules') to what the replay sends:"
              + " a rules proxy listens on --listen, the replay on a free loopback port behind it."
              + " Reloaded when the files change.")
  Path rulesPath;

  @Option(
      names = "--listen",
      paramLabel = "[SCHEME://]HOST:PORT",
      description =
          "Where clients connect. Default 127.0.0.1:14143 (IMAP) or 127.0.0.1:14110 (POP3),"
              + " 14993 / 14995 with implicit TLS;"
              + " imaps:// or pop3s:// (or --client-tls implicit) for implicit TLS;"
              + " --client-tls starttls (or ?tls=starttls) offers STARTTLS/STLS on the plain port."
              + " Port 0 picks a free port (printed).")
  String listen;

  @Option(
      names = "--on-miss",
      paramLabel = "POLICY",
      defaultValue = "bad",
      description =
          "A command with no recorded answer: bad (TAG BAD, default), no (TAG NO), close"
              + " (* BYE and close), fail (close, stop the server, exit 1). POP3: -ERR.")
  String onMiss;

  @Option(
      names = "--normalize",
      paramLabel = "WHAT",
      split = ",",
      description =
          "Match more loosely: case (command names), uids (sequence and UID sets, POP3 message"
              + " numbers), literals (literal contents), mailboxes (mailbox arguments).")
  List<String> normalize = new ArrayList<>();

  @Mixin TlsOptions tls;

  @Option(
      names = {"-v", "--verbose"},
      description = "Debug logs; repeat (-vv) for more.")
  boolean[] verbose = new boolean[0];

  @Option(
      names = {"-q", "--quiet"},
      description = "Warnings and errors only.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    Logging.configure(verbose.length, quiet);
    ReplayOptions options = options();
    PrintWriter out = spec.commandLine().getOut();
    List<Recording> recordings = recordings(out);
    Endpoint at = listenEndpoint(recordings.get(0).protocol());
    ProxyTls contexts =
        at.tls() == TlsMode.NONE
            ? ProxyTls.NONE
            : tls.contexts(at.tls(), TlsMode.NONE, at.host(), out);
    RuleWatcher rules = rules();
    ReplayStack stack;
    try {
      stack = ReplayStack.start(recordings, options, at, contexts, rules);
    } catch (InterruptedException | RuntimeException e) {
      if (rules != null) {
        rules.close();
      }
      throw e;
    }
    ReplayServer server = stack.replay();
    int commands = recordings.stream().mapToInt(Recording::commands).sum();
    out.println(
        "quirkproxy replay server listening on "
            + stack.replayEndpoint()
            + ", playing "
            + (recordings.size() == 1
                ? capture + " (" + commands + " recorded commands)"
                : recordings.size()
                    + " captures from "
                    + capture
                    + " ("
                    + commands
                    + " recorded commands), one per connection in name order")
            + (rules == null ? "" : " (internal, behind the rules proxy)"));
    if (stack.front() != null) {
      out.println(
          "quirkproxy rules proxy listening on "
              + stack.listening()
              + " -> "
              + stack.replayEndpoint()
              + ", "
              + rules.get().rules().size()
              + " rules from "
              + rulesPath
              + " (reloaded when the files change)");
    }
    out.println("Stop with Ctrl-C.");
    out.flush();
    CompletableFuture<Boolean> stopped = new CompletableFuture<>();
    Thread hook =
        new Thread(
            () -> {
              stack.close();
              out.print(summary(server));
              out.flush();
              stopped.complete(true);
            },
            "quirkproxy-replay-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    server.failed().thenRun(() -> stopped.complete(false));
    if (stopped.get()) {
      return ExitCodes.OK;
    }
    Runtime.getRuntime().removeShutdownHook(hook);
    stack.close();
    out.print(summary(server));
    spec.commandLine()
        .getErr()
        .println(
            "quirkproxy: replay: no recorded answer for \""
                + server.failed().get()
                + "\" (--on-miss fail)");
    return ExitCodes.FAILURE;
  }

  /**
   * The captures to play. From a directory, those of the listener's protocol ({@code --listen}'s
   * scheme, else the first capture's); the others and unreadable files are left out, each said.
   */
  private List<Recording> recordings(PrintWriter out) throws IOException {
    List<Path> files = CaptureFiles.list(capture);
    if (files.size() == 1 && files.get(0).equals(capture)) {
      return List.of(Recording.read(capture));
    }
    Protocol wanted = listen != null && listen.contains("://") ? listenProtocol() : null;
    List<Recording> playable = new ArrayList<>();
    for (Path f : files) {
      String name = ReplaySummary.name(capture, f);
      Recording r;
      try {
        r = Recording.read(f);
      } catch (IOException e) {
        out.println("Left out " + name + ": " + Main.message(e));
        continue;
      }
      if (wanted == null) {
        wanted = r.protocol();
      }
      if (r.protocol() != wanted) {
        out.println("Left out " + name + ": " + r.protocol() + ", the listener speaks " + wanted);
        continue;
      }
      playable.add(r);
    }
    if (playable.isEmpty()) {
      throw new UsageException(
          "no playable " + (wanted == null ? "" : wanted + " ") + "capture below " + capture);
    }
    return playable;
  }

  private Protocol listenProtocol() {
    try {
      return Endpoint.parse(listen).protocol();
    } catch (IllegalArgumentException e) {
      throw new UsageException("--listen: " + e.getMessage());
    }
  }

  /** The rules of {@code --rules}, watched for changes; null without. Errors stop the start. */
  private RuleWatcher rules() {
    if (rulesPath == null) {
      return null;
    }
    try {
      return RuleWatcher.watch(rulesPath, Duration.ofMillis(500));
    } catch (RuleException e) {
      StringBuilder all = new StringBuilder("--rules: " + e.getMessage());
      for (Throwable more : e.getSuppressed()) {
        all.append(System.lineSeparator()).append("quirkproxy: ").append(more.getMessage());
      }
      throw new UsageException(all.toString());
    }
  }

  private String summary(ReplayServer server) {
    if (server.played().size() > 1 || Files.isDirectory(capture)) {
      return ReplaySummary.server(capture, server.played());
    }
    return oneLine(server) + System.lineSeparator();
  }

  private static String oneLine(ReplayServer server) {
    return "Replayed "
        + server.sessions()
        + " session(s): "
        + server.answered()
        + " command(s) answered from the capture, "
        + server.misses()
        + " without a recorded answer.";
  }

  private ReplayOptions options() {
    try {
      return new ReplayOptions(MissPolicy.parse(onMiss), Normalize.parse(normalize));
    } catch (IllegalArgumentException e) {
      throw new UsageException(
          (e.getMessage().startsWith("unknown miss") ? "--on-miss: " : "--normalize: ")
              + e.getMessage());
    }
  }

  private Endpoint listenEndpoint(Protocol protocol) {
    Endpoint given;
    try {
      given = listen == null ? null : Endpoint.parse(listen, protocol, 0);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--listen: " + e.getMessage());
    }
    if (given != null && given.protocol() != protocol) {
      throw new UsageException(
          "--listen: the capture is "
              + protocol
              + ", so the replay server speaks "
              + protocol
              + ", not "
              + given.protocol());
    }
    TlsMode mode = tls.clientMode(given);
    boolean implicit = mode == TlsMode.IMPLICIT;
    int defaultPort =
        protocol == Protocol.IMAP
            ? (implicit ? IMAPS_PORT : IMAP_PORT)
            : (implicit ? POP3S_PORT : POP3_PORT);
    String host = given == null ? "127.0.0.1" : given.host();
    int port = given != null && Endpoint.hasExplicitPort(listen) ? given.port() : defaultPort;
    return new Endpoint(protocol, mode, host, port);
  }
}
