package dev.quirkproxy.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The root command; each subcommand arrives with its issue. */
@Command(
    name = "quirkproxy",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "A protocol-aware IMAP/POP3 proxy for testing how real mail clients behave.",
    subcommands = {
      ProxyCommand.class,
      CapturesCommand.class,
      RulesCommand.class,
      CaCommand.class,
      FingerprintCommand.class,
      ReplayCommand.class,
      ConfigCommand.class
    })
final class QuirkProxyCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "a subcommand is required, e.g. 'quirkproxy proxy --help'");
  }
}
