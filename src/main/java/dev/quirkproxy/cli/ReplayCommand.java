package dev.quirkproxy.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code quirkproxy replay}: play captures back, as a mock server. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description =
        "Play a capture back: 'replay server' answers clients as the recorded server did.",
    subcommands = {ReplayServerCommand.class, ReplayClientCommand.class})
final class ReplayCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "a subcommand is required, e.g. 'quirkproxy replay server --help'");
  }
}
