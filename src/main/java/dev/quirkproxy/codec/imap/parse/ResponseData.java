package dev.quirkproxy.codec.imap.parse;

import java.util.List;

/** Typed views of RFC 9051 §7 untagged {@code response-data} (and RFC 2971, 4731, 5161, 7162). */
public sealed interface ResponseData {

  /** {@code * CAPABILITY …} (§7.2.2). */
  record Capability(List<String> capabilities) implements ResponseData {
    public Capability {
      capabilities = List.copyOf(capabilities);
    }
  }

  /** {@code * ENABLED …} (RFC 5161). */
  record Enabled(List<String> capabilities) implements ResponseData {
    public Enabled {
      capabilities = List.copyOf(capabilities);
    }
  }

  /** {@code * FLAGS (…)} (§7.3.5). */
  record Flags(List<String> flags) implements ResponseData {
    public Flags {
      flags = List.copyOf(flags);
    }
  }

  /**
   * {@code * LIST|LSUB|XLIST (attributes) delimiter mailbox [extended]} (§7.3.1); the delimiter is
   * null for NIL.
   */
  record MailboxList(
      String kind, List<String> attributes, String delimiter, Mailbox mailbox, List<Node> extended)
      implements ResponseData {
    public MailboxList {
      attributes = List.copyOf(attributes);
      extended = List.copyOf(extended);
    }
  }

  /** {@code * n EXISTS} (§7.4.1). */
  record Exists(long count) implements ResponseData {}

  /** {@code * n EXPUNGE} (§7.5.1). */
  record Expunge(long seq) implements ResponseData {}

  /** {@code * n RECENT} (RFC 3501 §7.3.2). */
  record Recent(long count) implements ResponseData {}

  /** {@code * n FETCH (msg-att)} (§7.5.2). */
  record Fetch(long seq, List<MsgAtt> items) implements ResponseData {
    public Fetch {
      items = List.copyOf(items);
    }

    /** The first item of a type, or null. */
    public <T extends MsgAtt> T item(Class<T> type) {
      for (MsgAtt a : items) {
        if (type.isInstance(a)) {
          return type.cast(a);
        }
      }
      return null;
    }
  }

  /** {@code * VANISHED [(EARLIER)] uids} (RFC 7162 §3.2.10). */
  record Vanished(boolean earlier, SequenceSet uids) implements ResponseData {}

  /** {@code * SEARCH n…} with RFC 7162's {@code (MODSEQ n)}, null when absent. */
  record Search(List<Long> numbers, Long modSeq) implements ResponseData {
    public Search {
      numbers = List.copyOf(numbers);
    }
  }

  /** {@code * ESEARCH [(TAG "t")] [UID] name value…} (RFC 4731, RFC 9051 §7.3.4). */
  record Esearch(String tag, boolean uid, List<ReturnData> data) implements ResponseData {
    public Esearch {
      data = List.copyOf(data);
    }

    /** One {@code search-return-data}. */
    public record ReturnData(String name, Node value) {}

    /** The value of a return item (e.g. COUNT, MIN, MAX, ALL), or null. */
    public Node get(String name) {
      return data.stream()
          .filter(d -> d.name().equalsIgnoreCase(name))
          .map(ReturnData::value)
          .findFirst()
          .orElse(null);
    }
  }

  /** {@code * STATUS mailbox (name value …)} (§7.3.2). */
  record Status(Mailbox mailbox, List<StatusItem> items) implements ResponseData {
    public Status {
      items = List.copyOf(items);
    }

    /** One {@code status-att-val}. */
    public record StatusItem(String name, long value) {}

    /** The value of an item, or null. */
    public Long get(String name) {
      return items.stream()
          .filter(i -> i.name().equalsIgnoreCase(name))
          .map(StatusItem::value)
          .findFirst()
          .orElse(null);
    }
  }

  /** {@code * NAMESPACE personal other shared} (RFC 2342, §7.3.3); a NIL namespace is null. */
  record Namespace(
      List<NamespaceDescr> personal, List<NamespaceDescr> other, List<NamespaceDescr> shared)
      implements ResponseData {

    /** {@code "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil) [extension] ")"}. */
    public record NamespaceDescr(String prefix, String delimiter, List<Node> extensions) {
      public NamespaceDescr {
        extensions = List.copyOf(extensions);
      }
    }
  }

  /** {@code * ID params} (RFC 2971); {@code params} is null for NIL. */
  record Id(List<IdParam> params) implements ResponseData {}

  /** Any other response data, by name. */
  record Other(String name) implements ResponseData {}
}
