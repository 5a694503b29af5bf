package dev.quirkproxy.cli;

import dev.quirkproxy.relay.Endpoint;
import dev.quirkproxy.replay.MissPolicy;
import dev.quirkproxy.replay.Normalize;
import dev.quirkproxy.replay.Recording;
import dev.quirkproxy.replay.ReplayOptions;
import dev.quirkproxy.replay.ReplayServer;
import dev.quirkproxy.session.Protocol;
import dev.quirkproxy.tls.TlsMode;
import io.netty.handler.ssl.SslContext;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
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
      "connection starts at the beginning of the capture."
    },
    footer = {
      "",
      "Examples:",
      "  quirkproxy replay server --capture captures/2026-11-26/143012.123-imap-52344-s000042.jsonl",
      "  quirkproxy replay server --capture s42.jsonl --normalize case,uids --on-miss fail",
      "  quirkproxy proxy --upstream imap://127.0.0.1:14143 --rules rules/   # rules vs the replay"
    })
final class ReplayServerCommand implements Callable<Integer> {

  private static final int IMAP_PORT = 14143;
  private static final int POP3_PORT = 14110;
  private static final int IMAPS_PORT = 14993;
  private static final int POP3S_PORT = 14995;

  @Spec CommandSpec spec;

  @Option(
      names = "--capture",
      paramLabel = "FILE",
      required = true,
      description = "The capture to play (a .jsonl file written by the proxy).")
  Path capture;

  @Option(
      names = "--listen",
      paramLabel = "[SCHEME://]HOST:PORT",
      description =
          "Where clients connect. Default 127.0.0.1:14143 (IMAP) or 127.0.0.1:14110 (POP3),"
              + " 14993 / 14995 with implicit TLS;"
              + " imaps:// or pop3s:// (or --client-tls implicit) for implicit TLS. Port 0 picks"
              + " a free port (printed).")
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
    Recording recording = Recording.read(capture);
    Endpoint at = listenEndpoint(recording.protocol());
    PrintWriter out = spec.commandLine().getOut();
    SslContext context =
        at.tls() == TlsMode.IMPLICIT
            ? tls.contexts(TlsMode.IMPLICIT, TlsMode.NONE, at.host(), out).clientSide()
            : null;
    ReplayServer server = new ReplayServer(recording, options, context);
    InetSocketAddress bound;
    try {
      bound = server.start(at.host(), at.port());
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot listen on " + at + ": " + e.getMessage(), e);
    }
    out.println(
        "quirkproxy replay server listening on "
            + at.withPort(bound.getPort())
            + ", playing "
            + capture
            + " ("
            + recording.commands()
            + " recorded commands)");
    out.println("Stop with Ctrl-C.");
    out.flush();
    CompletableFuture<Boolean> stopped = new CompletableFuture<>();
    Thread hook =
        new Thread(
            () -> {
              server.close();
              out.println(summary(server));
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
    server.close();
    out.println(summary(server));
    spec.commandLine()
        .getErr()
        .println(
            "quirkproxy: replay: no recorded answer for \""
                + server.failed().get()
                + "\" (--on-miss fail)");
    return ExitCodes.FAILURE;
  }

  private static String summary(ReplayServer server) {
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
    if (mode == TlsMode.STARTTLS) {
      throw new UsageException("--client-tls: the replay server offers none or implicit TLS");
    }
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
