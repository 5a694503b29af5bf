package dev.quirkproxy.cli;

import dev.quirkproxy.capture.CaptureReader.Capture;
import dev.quirkproxy.relay.Endpoint;
import dev.quirkproxy.replay.ReplayClient;
import dev.quirkproxy.replay.ReplayClientConfig;
import dev.quirkproxy.replay.ReplayClientException;
import dev.quirkproxy.replay.ReplayClientOutcome;
import dev.quirkproxy.replay.ReplayClientReport;
import dev.quirkproxy.replay.ReplayClientResult;
import dev.quirkproxy.replay.ReplaySummary;
import dev.quirkproxy.replay.SemanticDiffIgnore;
import dev.quirkproxy.tls.TlsContexts;
import dev.quirkproxy.tls.TlsMode;
import dev.quirkproxy.tls.TlsSetupException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quirkproxy replay client}: a capture's client side against a live server, diffed. */
@Command(
    name = "client",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Send the client side of an IMAP or POP3 capture to a live server, one command at a time,",
      "and print per command how the live answers differ in meaning from the recorded ones.",
      "With a directory, every *.jsonl below it in name order, each on a fresh connection: a",
      "result line per capture, then a summary table.",
      "Exit 0 when they mean the same, 1 when they differ, 2 on an error."
    },
    footer = {
      "",
      "Ignored by default (--no-ignore to compare): dates (INTERNALDATE, dates and timings in",
      "resp-text), uidvalidity, uidnext, modseq, text (resp-text of status responses), order",
      "(of untagged responses), recent (RECENT, \\Recent), uidl (POP3 unique-ids; message numbers",
      "are still compared).",
      "",
      "Examples:",
      "  quirkproxy replay client --capture c.jsonl --upstream imap://127.0.0.1:143 \\",
      "      --user alice --password secret",
      "  quirkproxy replay client --capture c.jsonl --upstream imaps://mail.example.com \\",
      "      --user alice --password secret --no-ignore order --report replay.xml",
      "  quirkproxy replay client --capture captures/2026-11-26/ --upstream imap://127.0.0.1:143 \\",
      "      --user alice --password secret --report all.xml",
      "  quirkproxy replay client --capture pop.jsonl --upstream pop3://127.0.0.1:110 \\",
      "      --user alice --password secret",
      "  quirkproxy replay client --capture c.jsonl --upstream 'imap://mail.test?tls=starttls' \\",
      "      --upstream-ca test-ca.pem --user alice --password secret"
    })
final class ReplayClientCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--capture",
      required = true,
      paramLabel = "PATH",
      description = "The capture, or a directory: every *.jsonl below it, in name order.")
  Path capture;

  @Option(
      names = "--upstream",
      required = true,
      paramLabel = "URL",
      description =
          "The live server: imap://, imaps://, pop3:// or pop3s://HOST[:PORT], as the capture;"
              + " ?tls=starttls for STARTTLS (IMAP) / STLS (POP3) after the greeting.")
  String upstream;

  @Option(
      names = "--upstream-ca",
      paramLabel = "FILE",
      description =
          "PEM CA certificate(s) to trust for the server's TLS, besides the system's. Repeatable.")
  List<Path> upstreamCas = new ArrayList<>();

  @Option(
      names = "--upstream-insecure",
      description = "Do not verify the server's certificate or host name.")
  boolean upstreamInsecure;

  @Option(names = "--user", paramLabel = "U", description = "User name to log in with.")
  String user;

  @Option(
      names = "--password",
      paramLabel = "P",
      description =
          "Password for LOGIN / AUTHENTICATE PLAIN, POP3 PASS / AUTH PLAIN (captures are"
              + " redacted).")
  String password;

  @Option(
      names = "--ignore",
      split = ",",
      paramLabel = "WHAT",
      description = "Ignore again what --no-ignore turned off (all are ignored by default).")
  List<String> ignore = new ArrayList<>();

  @Option(
      names = "--no-ignore",
      split = ",",
      paramLabel = "WHAT",
      description =
          "Compare what is ignored by default: dates, uidvalidity, uidnext, modseq, text,"
              + " order, recent, uidl, or all.")
  List<String> noIgnore = new ArrayList<>();

  @Option(
      names = "--report",
      paramLabel = "FILE",
      description =
          "Also write the result: JUnit XML for FILE.xml (a directory: one suite, a test case"
              + " per command per capture), else JSON.")
  Path report;

  @Option(
      names = "--timeout",
      defaultValue = "30s",
      converter = Converters.Time.class,
      paramLabel = "DURATION",
      description = "Longest wait for an answer (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      ReplayClientConfig config = config(err);
      if (Files.isDirectory(capture)) {
        return replayAll(config, CaptureFiles.list(capture), out);
      }
      Capture c = RulesCommand.capture(capture);
      ReplayClientResult result = new ReplayClient(config).replay(c);
      out.print(ReplayClientReport.text(result));
      if (report != null) {
        ReplayClientReport.write(result, capture.getFileName().toString(), report);
      }
      return result.same() ? ExitCodes.OK : ExitCodes.FAILURE;
    } catch (UsageException | IllegalArgumentException e) {
      err.println("quirkproxy: " + e.getMessage());
      return ExitCodes.USAGE;
    } catch (ReplayClientException | IOException | TlsSetupException e) {
      err.println("quirkproxy: " + Main.message(e));
      return ExitCodes.USAGE;
    }
  }

  /** Every capture in turn, each on its own connection; an error stops that capture only. */
  private int replayAll(ReplayClientConfig config, List<Path> files, PrintWriter out)
      throws IOException {
    Progress progress = Progress.forConsole(out);
    List<ReplayClientOutcome> outcomes = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      String name = ReplaySummary.name(capture, files.get(i));
      progress.show(i + 1, files.size(), name);
      ReplayClientOutcome o;
      try {
        o =
            ReplayClientOutcome.of(
                name, new ReplayClient(config).replay(RulesCommand.capture(files.get(i))));
      } catch (UsageException | IllegalArgumentException | ReplayClientException | IOException e) {
        o = ReplayClientOutcome.failed(name, Main.message(e));
      }
      progress.clear();
      out.print(ReplayClientReport.line(o));
      out.flush();
      outcomes.add(o);
    }
    out.println();
    out.print(ReplaySummary.client(outcomes));
    if (report != null) {
      ReplayClientReport.writeAll(outcomes, capture.toString(), report);
    }
    return ReplaySummary.exitCode(outcomes);
  }

  private ReplayClientConfig config(PrintWriter err) throws TlsSetupException {
    Endpoint e = Endpoint.parse(upstream);
    if (password == null && user != null) {
      throw new UsageException("--user needs --password");
    }
    Set<SemanticDiffIgnore> set = SemanticDiffIgnore.defaults();
    noIgnore.forEach(i -> set.removeAll(values(i)));
    ignore.forEach(i -> set.addAll(values(i)));
    boolean startTls = e.tls() == TlsMode.STARTTLS;
    SSLContext context = null;
    if (e.tls() == TlsMode.NONE) {
      if (!upstreamCas.isEmpty() || upstreamInsecure) {
        throw new UsageException(
            "--upstream-ca and --upstream-insecure need TLS: imaps://, pop3s:// or ?tls=starttls");
      }
    } else {
      if (upstreamInsecure) {
        err.println(
            "quirkproxy: --upstream-insecure: the server's certificate and host name are NOT"
                + " verified");
        err.flush();
      }
      context = TlsContexts.blockingClient(upstreamCas, upstreamInsecure);
    }
    return new ReplayClientConfig(
        e.host(),
        e.port(),
        e.implicitTls(),
        user,
        password,
        set,
        timeout,
        e.protocol(),
        startTls,
        context,
        upstreamInsecure);
  }

  private static Set<SemanticDiffIgnore> values(String text) {
    return text.strip().equalsIgnoreCase("all")
        ? SemanticDiffIgnore.defaults()
        : EnumSet.of(SemanticDiffIgnore.parse(text));
  }
}
