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

  /** What went wrong, in words: file errors name the file and the reason, never just a path. */
  static String message(Throwable e) {
    if (e instanceof java.nio.file.NoSuchFileException f) {
      return "no such file or directory: " + f.getFile();
    }
    if (e instanceof java.nio.file.AccessDeniedException f) {
      return "permission denied: " + f.getFile();
    }
    if (e instanceof java.io.IOException io) {
      return dev.quirkproxy.capture.CaptureStore.why(io);
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  /** Runs a command line with the given streams; returns the exit code (for tests). */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new QuirkProxyCommand());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("quirkproxy: " + message(e));
          return e instanceof UsageException ? ExitCodes.USAGE : ExitCodes.FAILURE;
        });
    cli.setParameterExceptionHandler(
        (e, args2) -> {
          // One line and a pointer to the help, not the whole help text.
          CommandLine c = e.getCommandLine();
          c.getErr().println("quirkproxy: " + e.getMessage());
          c.getErr().println("see '" + c.getCommandSpec().qualifiedName() + " --help'");
          return ExitCodes.USAGE;
        });
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }
}
