package dev.quirkproxy.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/** Entry point: {@code quirkproxy <subcommand> ...}. Exit codes: 0 ok, 1 failure, 2 usage error. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    int code = run(console(System.out), console(System.err), args);
    System.exit(code);
  }

  private static PrintWriter console(java.io.OutputStream stream) {
    return new PrintWriter(
        new java.io.OutputStreamWriter(stream, java.nio.charset.StandardCharsets.UTF_8), true);
  }

  /** Runs a command line with the given streams; returns the exit code (for tests). */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new QuirkProxyCommand());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof UsageException) {
            commandLine.getErr().println("quirkproxy: " + e.getMessage());
            return ExitCodes.USAGE;
          }
          commandLine.getErr().println("quirkproxy: " + e.getMessage());
          return ExitCodes.FAILURE;
        });
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }
}
