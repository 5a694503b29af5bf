package dev.quirkproxy.cli;

import dev.quirkproxy.capture.CaptureReader;
import dev.quirkproxy.capture.CaptureReader.Capture;
import dev.quirkproxy.rules.OfflineRun;
import dev.quirkproxy.rules.RuleException;
import dev.quirkproxy.rules.RuleLoader;
import dev.quirkproxy.rules.RuleSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quirkproxy rules}: the rule format's schema, checking rule files, trying them offline. */
@Command(
    name = "rules",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Print the rule schema, check rule files, try rules on a capture offline.",
    subcommands = {
      RulesCommand.SchemaCommand.class,
      RulesCommand.CheckCommand.class,
      RulesCommand.TestCommand.class,
      RulesCommand.ExplainCommand.class
    })
final class RulesCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "say schema, check, test or explain");
  }

  /** The rules at {@code path}, or every error printed and null. */
  static RuleSet load(Path path, PrintWriter err) {
    RuleLoader.Result r = RuleLoader.load(path);
    if (!r.ok()) {
      for (RuleException e : r.errors()) {
        err.println("quirkproxy: " + e.getMessage());
      }
      return null;
    }
    return r.rules();
  }

  static Capture capture(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new UsageException("no capture file " + file);
    }
    Capture c = CaptureReader.read(file);
    if (c.header() == null) {
      throw new UsageException(file + ": not a capture: " + String.join("; ", c.problems()));
    }
    return c;
  }

  /** What {@code test} and {@code explain} replay: a capture, the rules, a forced client. */
  static final class Replay {
    @Option(names = "--capture", required = true, paramLabel = "FILE", description = "The capture.")
    Path capture;

    @Option(
        names = "--rules",
        defaultValue = "rules",
        paramLabel = "PATH",
        description = "Rule file or directory (default: ${DEFAULT-VALUE}).")
    Path rules;

    @Option(
        names = "--client",
        paramLabel = "FAMILY",
        description = "Treat the client as this family (default: as the capture identified it).")
    String client;
  }

  @Command(
      name = "schema",
      mixinStandardHelpOptions = true,
      description = "Print the JSON Schema of rule files (for editors).",
      footer = {"", "Example:", "  quirkproxy rules schema > rules.schema.json"})
  static final class SchemaCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
      try (InputStream in = RuleLoader.class.getResourceAsStream("/rules.schema.json")) {
        if (in == null) {
          throw new IOException("the schema is missing from this build");
        }
        spec.commandLine().getOut().print(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description =
          "Check rule files; every error names file, line, column and rule. Exit 1 on errors.",
      footer = {
        "",
        "Examples:",
        "  quirkproxy rules check",
        "  quirkproxy rules check rules/outlook.json"
      })
  static final class CheckCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(
        paramLabel = "PATH",
        arity = "0..*",
        description = "Files or directories (default: rules).")
    List<Path> paths = List.of();

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      int code = ExitCodes.OK;
      for (Path p : paths.isEmpty() ? List.of(Path.of("rules")) : paths) {
        RuleSet set = load(p, err);
        if (set == null) {
          code = ExitCodes.FAILURE;
          continue;
        }
        long enabled = set.rules().stream().filter(r -> r.enabled()).count();
        out.println(
            p
                + ": "
                + set.rules().size()
                + " rules ("
                + enabled
                + " enabled) in "
                + set.files().size()
                + " files, OK");
      }
      return code;
    }
  }

  @Command(
      name = "test",
      mixinStandardHelpOptions = true,
      description = {
        "Run a capture's frames through the rules with no network and print, frame by frame,",
        "what they would change. With --expect, compare with a golden file (exit 1 on a difference)."
      },
      footer = {
        "",
        "Examples:",
        "  quirkproxy rules test --capture captures/examples/imaplib.jsonl --rules rules/examples/hide-idle.json",
        "  quirkproxy rules test --capture c.jsonl --rules r.json --expect c.expected.txt"
      })
  static final class TestCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin Replay replay;

    @Option(names = "--expect", paramLabel = "FILE", description = "Golden result to compare with.")
    Path expect;

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      RuleSet set = load(replay.rules, spec.commandLine().getErr());
      if (set == null) {
        return ExitCodes.USAGE;
      }
      String result = OfflineRun.test(capture(replay.capture), set, replay.client);
      if (expect == null) {
        out.print(result);
        return ExitCodes.OK;
      }
      String golden = Files.readString(expect, StandardCharsets.UTF_8).replace("\r\n", "\n");
      if (golden.equals(result)) {
        out.println("same as " + expect);
        return ExitCodes.OK;
      }
      String[] want = golden.split("\n", -1);
      String[] got = result.split("\n", -1);
      int line = 0;
      while (line < want.length && line < got.length && want[line].equals(got[line])) {
        line++;
      }
      out.println("differs from " + expect + " at line " + (line + 1) + ":");
      out.println("  expected: " + (line < want.length ? want[line] : "(end)"));
      out.println("  actual:   " + (line < got.length ? got[line] : "(end)"));
      out.println("--- actual result ---");
      out.print(result);
      return ExitCodes.FAILURE;
    }
  }

  @Command(
      name = "explain",
      mixinStandardHelpOptions = true,
      description = "For one frame of a capture, say for every rule why it does or does not match.",
      footer = {
        "",
        "Example:",
        "  quirkproxy rules explain --capture c.jsonl --frame 12 --rules rules/"
      })
  static final class ExplainCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--frame",
        required = true,
        paramLabel = "N",
        description =
            "The event number (seq) that starts the frame, as 'captures show --numbers' and"
                + " 'rules test' print them.")
    long frame;

    @Mixin Replay replay;

    @Override
    public Integer call() throws IOException {
      RuleSet set = load(replay.rules, spec.commandLine().getErr());
      if (set == null) {
        return ExitCodes.USAGE;
      }
      spec.commandLine()
          .getOut()
          .print(OfflineRun.explain(capture(replay.capture), set, replay.client, frame));
      return ExitCodes.OK;
    }
  }
}
