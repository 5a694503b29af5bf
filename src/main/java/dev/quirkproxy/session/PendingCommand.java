package dev.quirkproxy.session;

/**
 * An IMAP command sent upstream and not yet completed by its tagged response.
 *
 * @param tag the client's tag
 * @param uid whether the command had the UID prefix
 * @param name upper-case command name
 * @param sentNanos when it was forwarded ({@link System#nanoTime()})
 */
public record PendingCommand(String tag, boolean uid, String name, long sentNanos) {}
