package dev.quirkproxy.replay;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * How loosely a live command may match a recorded one. Without any, the text after the tag must be
 * the same, token for token (a literal's content included).
 */
public enum Normalize {
  /** Command names (and {@code UID}) compared case-insensitively. */
  CASE,
  /** Sequence sets and UID sets (and POP3 message numbers) compared as a placeholder. */
  UIDS,
  /** Literal contents ignored (only where a literal is counts). */
  LITERALS,
  /** Mailbox arguments ignored (SELECT, EXAMINE, STATUS, APPEND, LIST, COPY, MOVE, RENAME, …). */
  MAILBOXES;

  /** Parses {@code case,uids,literals,mailboxes} (any subset, any case). */
  public static Set<Normalize> parse(Iterable<String> names) {
    Set<Normalize> out = EnumSet.noneOf(Normalize.class);
    for (String name : names) {
      String n = name.strip();
      if (n.isEmpty()) {
        continue;
      }
      try {
        out.add(valueOf(n.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "unknown normalisation '" + n + "': use case, uids, literals or mailboxes", e);
      }
    }
    return out;
  }
}
