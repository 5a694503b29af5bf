package dev.quirkproxy.codec.imap.parse;

import java.util.List;
import java.util.Locale;

/**
 * RFC 9051 {@code search-key} as a token tree: a key with its arguments, a sequence set, {@code
 * NOT}, {@code OR} and parenthesised groups. Keys this parser does not know take no arguments.
 */
public sealed interface SearchKey {

  /** A key such as {@code SEEN}, {@code SINCE 1-Feb-1994}, {@code HEADER From x}. */
  record Key(String name, List<Node> args) implements SearchKey {
    public Key {
      args = List.copyOf(args);
    }
  }

  /** A bare {@code sequence-set}. */
  record SeqSet(SequenceSet set) implements SearchKey {}

  /** {@code NOT search-key}. */
  record Not(SearchKey key) implements SearchKey {}

  /** {@code OR search-key search-key}. */
  record Or(SearchKey left, SearchKey right) implements SearchKey {}

  /** {@code "(" search-key *(SP search-key) ")"}. */
  record Group(List<SearchKey> keys) implements SearchKey {
    public Group {
      keys = List.copyOf(keys);
    }
  }

  /** The key's name for a key, else null. */
  default String keyName() {
    return this instanceof Key k ? k.name().toUpperCase(Locale.ROOT) : null;
  }
}
