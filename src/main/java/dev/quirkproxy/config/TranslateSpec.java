package dev.quirkproxy.config;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Objects;

/**
 * A listener's {@code translate:} block: how a POP3 listener in front of an IMAP upstream maps the
 * maildrop onto a mailbox (the command line's {@code --pop3-mailbox}, {@code --pop3-mark-seen},
 * {@code --pop3-order}); {@link Translation#of} turns it into the relay's settings.
 */
@JsonPropertyOrder({"pop3Mailbox", "pop3MarkSeen", "pop3Order"})
public final class TranslateSpec {
  /** The IMAP mailbox POP3 clients see as their maildrop. */
  public String pop3Mailbox;

  /** Whether RETR marks the message \Seen upstream. */
  public Boolean pop3MarkSeen;

  /** The order POP3 message numbers follow. */
  public String pop3Order;

  // A resolved Listener holds this block, and a reload compares listeners by value.
  @Override
  public boolean equals(Object o) {
    return o instanceof TranslateSpec t
        && Objects.equals(pop3Mailbox, t.pop3Mailbox)
        && Objects.equals(pop3MarkSeen, t.pop3MarkSeen)
        && Objects.equals(pop3Order, t.pop3Order);
  }

  @Override
  public int hashCode() {
    return Objects.hash(pop3Mailbox, pop3MarkSeen, pop3Order);
  }
}
