package dev.quirkproxy.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quirkproxy.codec.imap.parse.ParsedFrame;
import dev.quirkproxy.codec.imap.parse.ResponseData;
import dev.quirkproxy.session.Session;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server's special-use mailboxes (RFC 6154) as one session has seen them: learned from every
 * LIST, LSUB or XLIST answer whose attributes name a special use ({@code * LIST (\Trash) "/"
 * Trash}, Gmail's XLIST words included), for the {@code xlist} and {@code folder-alias} actions.
 * Learned from what the server sent, before any rule edits the frame; a later answer naming another
 * mailbox for the same use replaces the earlier one, and nothing is forgotten because an answer
 * leaves an attribute out (a plain LIST need not carry them).
 */
final class SpecialUse {

  /** The special-use attributes (RFC 6154 §2, and {@code \Important} of RFC 8457). */
  static final List<String> ATTRIBUTES =
      List.of(
          "\\All",
          "\\Archive",
          "\\Drafts",
          "\\Flagged",
          "\\Important",
          "\\Junk",
          "\\Sent",
          "\\Trash");

  /** Gmail's XLIST words for the RFC 6154 attributes that have other names there. */
  private static final Map<String, String> TO_XLIST =
      Map.of("\\All", "\\AllMail", "\\Junk", "\\Spam", "\\Flagged", "\\Starred");

  private final Map<String, String> byAttribute = new LinkedHashMap<>();

  /** The session's record (created empty on first use). */
  static SpecialUse of(Session session) {
    return session.attachment(SpecialUse.class, SpecialUse::new);
  }

  /**
   * The RFC 6154 attribute an attribute stands for ({@code \trash} and XLIST's {@code \Spam}:
   * {@code \Junk}), in the RFC's spelling; null when it is not a special use ({@code \HasChildren},
   * XLIST's {@code \Inbox}).
   */
  static String canonical(String attribute) {
    for (String a : ATTRIBUTES) {
      if (a.equalsIgnoreCase(attribute)) {
        return a;
      }
    }
    for (Map.Entry<String, String> x : TO_XLIST.entrySet()) {
      if (x.getValue().equalsIgnoreCase(attribute)) {
        return x.getKey();
      }
    }
    return null;
  }

  /** The Gmail XLIST word for an attribute ({@code \Junk}: {@code \Spam}); others as they are. */
  static String toXlist(String attribute) {
    String canonical = canonical(attribute);
    String x = canonical == null ? null : TO_XLIST.get(canonical);
    return x == null ? attribute : x;
  }

  /** Learns from a server frame when it is a LIST, LSUB or XLIST answer. */
  void learn(Frame f) {
    if (f.fromClient() || MailboxRename.responseNameIndex(f.firstLine()) != 4) {
      return;
    }
    if (!(f.parsed() instanceof ParsedFrame.Data d)
        || !(d.view() instanceof ResponseData.MailboxList list)) {
      return;
    }
    for (String attribute : list.attributes()) {
      String use = canonical(attribute);
      if (use != null) {
        byAttribute.put(use, list.mailbox().name());
      }
    }
  }

  /** The server's mailbox (as on the wire) for a special use, or null when none was seen. */
  String mailbox(String attribute) {
    return byAttribute.get(attribute);
  }

  /** The special uses learned for {@code mailbox} (as on the wire; INBOX in any case). */
  List<String> uses(String mailbox) {
    List<String> out = new ArrayList<>();
    byAttribute.forEach(
        (use, name) -> {
          if (sameMailbox(name, mailbox)) {
            out.add(use);
          }
        });
    return out;
  }

  static boolean sameMailbox(String a, String b) {
    return a.equals(b) || (a.equalsIgnoreCase("INBOX") && b.equalsIgnoreCase("INBOX"));
  }

  /**
   * Reads an object of special-use attribute to mailbox name ({@code {"\\Trash": "Trash"}}), as the
   * {@code specialUse} and {@code serverNames} parameters give it.
   */
  static Map<String, String> names(Params p, String key) throws RuleException {
    Map<String, String> out = new LinkedHashMap<>();
    if (!p.has(key)) {
      return out;
    }
    JsonNode node = p.json().get(key);
    if (!node.isObject() || node.isEmpty()) {
      throw p.error(
          node, "'" + key + "' must be an object of special-use attribute to mailbox, not empty");
    }
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String use = attribute(p, e.getValue(), e.getKey());
      if (!e.getValue().isTextual() || e.getValue().asText().isEmpty()) {
        throw p.error(e.getValue(), "'" + key + "' maps " + use + " to a mailbox name (a string)");
      }
      out.put(use, e.getValue().asText());
    }
    return out;
  }

  /** A key that must be one of {@link #ATTRIBUTES}, exactly. */
  static String attribute(Params p, JsonNode at, String key) throws RuleException {
    if (!ATTRIBUTES.contains(key)) {
      throw p.error(
          at,
          "'"
              + key
              + "' is not a special-use attribute; expected one of "
              + String.join(", ", ATTRIBUTES));
    }
    return key;
  }
}
