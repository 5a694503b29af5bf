package dev.quirkproxy.replay;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * What a semantic diff leaves out because it legitimately differs between two runs of the same
 * session. All are left out by default.
 */
public enum SemanticDiffIgnore {
  /** INTERNALDATE values; date-, time- and timing-like text in resp-text when text is compared. */
  DATES,
  /** UIDVALIDITY (response code, STATUS item) and the UIDVALIDITY of APPENDUID/COPYUID. */
  UIDVALIDITY,
  /** UIDNEXT (response code, STATUS item) and the new UIDs of APPENDUID/COPYUID. */
  UIDNEXT,
  /** HIGHESTMODSEQ, MODSEQ items and SEARCH's (MODSEQ n) (RFC 7162). */
  MODSEQ,
  /** The human-readable resp-text of status responses (response codes are still compared). */
  TEXT,
  /** The order of untagged responses within one command's answer (RFC 9051 §7, §5.2). */
  ORDER,
  /**
   * {@code * n RECENT}, the RECENT status item and the {@code \Recent} flag: RFC 9051 dropped them,
   * and they depend on which session saw a message first.
   */
  RECENT,
  /**
   * POP3 unique-ids (UIDL, RFC 1939 §7): they are chosen per maildrop, so another server or mailbox
   * gives the same messages other ones; the message numbers they list are still compared.
   */
  UIDL;

  /** The option value: the name in lower case. */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Everything: the default. */
  public static Set<SemanticDiffIgnore> defaults() {
    return EnumSet.allOf(SemanticDiffIgnore.class);
  }

  /** Parses an option value; throws {@link IllegalArgumentException} naming the valid ones. */
  public static SemanticDiffIgnore parse(String text) {
    for (SemanticDiffIgnore i : values()) {
      if (i.key().equals(text.strip().toLowerCase(Locale.ROOT))) {
        return i;
      }
    }
    throw new IllegalArgumentException(
        "unknown --ignore/--no-ignore value '"
            + text
            + "'; use one of dates, uidvalidity, uidnext, modseq, text, order, recent, uidl");
  }
}
