package dev.quirkproxy.cli;

import java.io.PrintWriter;

/**
 * A single status line ({@code [3/12] NAME ...}) rewritten in place with carriage returns, for a
 * terminal only: when the output is piped or redirected, it prints nothing, so logs and files get
 * only the result lines.
 */
final class Progress {

  private final PrintWriter out;
  private final boolean terminal;
  private int shown;

  Progress(PrintWriter out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** On a terminal when the JVM has a console (neither stdin nor stdout redirected). */
  static Progress forConsole(PrintWriter out) {
    return new Progress(out, System.console() != null);
  }

  void show(int index, int total, String name) {
    if (!terminal) {
      return;
    }
    String text = "[" + index + "/" + total + "] " + name + " ...";
    out.print("\r" + text + " ".repeat(Math.max(0, shown - text.length())));
    out.flush();
    shown = text.length();
  }

  /** Blanks the status line so the next output starts on a clean line. */
  void clear() {
    if (!terminal || shown == 0) {
      return;
    }
    out.print("\r" + " ".repeat(shown) + "\r");
    out.flush();
    shown = 0;
  }
}
