package dev.quirkproxy.cli;

import dev.quirkproxy.config.Listener;
import dev.quirkproxy.config.ProxySetup;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quirkproxy config check FILE}: is a config file one {@code proxy --config} can run. */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Work with config files (quirkproxy proxy --config FILE).",
    subcommands = {ConfigCommand.Check.class})
final class ConfigCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required: check");
  }

  /** Reads, resolves and checks a file without opening anything. */
  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      description = {
        "Check a config file: its syntax and keys (unknown keys are errors), value types, URLs,",
        "unique names and listen addresses, the rules and catalogs it names. Errors name the",
        "file, line and column; exit code 2 on an error, 0 with a one-line summary."
      })
  static final class Check implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "A YAML config file (JSON if it ends in .json).")
    Path file;

    @Override
    public Integer call() {
      ProxySetup setup = ConfiguredProxy.load(file, null);
      Map<Path, Integer> rules = ConfiguredProxy.check(setup);
      StringBuilder names = new StringBuilder();
      for (Listener l : setup.listeners()) {
        names.append(names.isEmpty() ? "" : ", ").append(l.name());
      }
      int count = setup.listeners().size();
      StringBuilder summary =
          new StringBuilder(file + ": ok, " + count + (count == 1 ? " listener" : " listeners"));
      summary.append(" (").append(names).append(")");
      if (rules.isEmpty()) {
        summary.append(", no rules");
      } else {
        rules.forEach(
            (path, n) -> summary.append(", ").append(n).append(" rules in ").append(path));
      }
      spec.commandLine().getOut().println(summary.append('.'));
      return ExitCodes.OK;
    }
  }
}
