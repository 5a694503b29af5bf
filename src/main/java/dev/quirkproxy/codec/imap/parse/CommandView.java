package dev.quirkproxy.codec.imap.parse;

import java.util.List;

/**
 * Typed views of the commands the tracker, the fingerprinter and the rules read (RFC 9051 §6).
 * Commands without a view here are {@link Other}; their arguments are still in the generic tree.
 */
public sealed interface CommandView {

  /** SELECT or EXAMINE (RFC 9051 §6.3.2, §6.3.3), with CONDSTORE/QRESYNC parameters. */
  record Select(boolean examine, Mailbox mailbox, List<Node> parameters) implements CommandView {
    public Select {
      parameters = List.copyOf(parameters);
    }
  }

  /** FETCH (§6.4.5): the set, the items (a macro is one item), RFC 7162 modifiers. */
  record Fetch(SequenceSet set, List<FetchAtt> items, List<Node> modifiers) implements CommandView {
    public Fetch {
      items = List.copyOf(items);
      modifiers = List.copyOf(modifiers);
    }
  }

  /**
   * STORE (§6.4.6): {@code [+|-]FLAGS[.SILENT]} (or another item such as X-GM-LABELS) and values.
   *
   * @param sign '+', '-' or 0 for replace
   */
  record Store(
      SequenceSet set,
      List<Node> modifiers,
      String item,
      char sign,
      boolean silent,
      List<String> flags)
      implements CommandView {
    public Store {
      modifiers = List.copyOf(modifiers);
      flags = List.copyOf(flags);
    }
  }

  /** SEARCH (§6.4.4): RFC 4731 return options, charset (or null), keys. */
  record Search(List<String> returnOptions, String charset, List<SearchKey> keys)
      implements CommandView {
    public Search {
      returnOptions = List.copyOf(returnOptions);
      keys = List.copyOf(keys);
    }
  }

  /**
   * APPEND (§6.3.12): mailbox, flags (null when absent), date-time (null), the message literal
   * (null for a CATENATE or other extension form), and whatever follows it (MULTIAPPEND).
   */
  record Append(
      Mailbox mailbox, List<String> flags, String dateTime, Node.Lit message, List<Node> rest)
      implements CommandView {
    public Append {
      rest = List.copyOf(rest);
    }
  }

  /** RFC 2971 ID; {@code params} is null for {@code ID NIL}. */
  record Id(List<IdParam> params) implements CommandView {}

  /** COPY or MOVE (§6.4.7, §6.4.8). */
  record Copy(boolean move, SequenceSet set, Mailbox mailbox) implements CommandView {}

  /** LIST or LSUB in the basic form {@code reference pattern} (§6.3.9). */
  record ListMailboxes(String command, String reference, String pattern) implements CommandView {}

  /** STATUS (§6.3.11). */
  record Status(Mailbox mailbox, List<String> items) implements CommandView {
    public Status {
      items = List.copyOf(items);
    }
  }

  /** ENABLE (RFC 5161). */
  record Enable(List<String> capabilities) implements CommandView {
    public Enable {
      capabilities = List.copyOf(capabilities);
    }
  }

  /** Any other command. */
  record Other() implements CommandView {}
}
