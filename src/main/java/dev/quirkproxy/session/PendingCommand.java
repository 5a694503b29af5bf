package dev.quirkproxy.session;

import dev.quirkproxy.codec.imap.parse.CommandView;

/**
 * An IMAP command sent upstream and not yet completed by its tagged response.
 *
 * @param tag the client's tag
 * @param uid whether the command had the UID prefix
 * @param name upper-case command name
 * @param sentNanos when it was forwarded ({@link System#nanoTime()})
 * @param view the parsed arguments for the commands the tracker reads (SELECT, EXAMINE, ENABLE,
 *     SEARCH), else null
 */
public record PendingCommand(
    String tag, boolean uid, String name, long sentNanos, CommandView view) {

  /** A command whose arguments are not parsed (yet). */
  public PendingCommand(String tag, boolean uid, String name, long sentNanos) {
    this(tag, uid, name, sentNanos, null);
  }

  /** The same command with its parsed arguments. */
  PendingCommand withView(CommandView parsed) {
    return new PendingCommand(tag, uid, name, sentNanos, parsed);
  }
}
