package dev.quirkproxy.cli;

/** A command line the user must change: reported in one line, exit code 2. */
final class UsageException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
