package dev.quirkproxy.rules;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.Session;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code folder-alias}: a client's own names for the special folders ("Deleted Items", "Sent
 * Messages", "Junk E-mail") stand for the server's special-use mailboxes (RFC 6154), so the client
 * uses the server's Trash instead of making a folder of its own.
 *
 * <p>The server's mailbox for a use is the one the session learned from LIST/LSUB/XLIST answers
 * carrying the attribute ({@link SpecialUse}), else the one {@code serverNames} gives; while
 * neither says, the aliases of that use do nothing. Once it is known:
 *
 * <ul>
 *   <li>commands naming an alias (or a child of it) name the server's mailbox upstream: SELECT,
 *       EXAMINE, STATUS, APPEND, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, the target of COPY and
 *       MOVE, the pattern of LIST/LSUB/XLIST, the ACL and quota commands (as {@code
 *       rename-mailbox});
 *   <li>{@code CREATE} of an alias is answered {@code OK} by the proxy: the mailbox exists upstream
 *       already, so nothing is created twice;
 *   <li>LIST, LSUB, XLIST and STATUS answers show the server's mailbox (and its children) under the
 *       alias: the one the client last used in a command, at first the first one listed;
 *   <li>a mailbox the server really has under an alias's name (or a child of it) is left out of
 *       LIST/LSUB/XLIST answers: every command naming it reaches the special-use mailbox, so
 *       listing it would show the same folder twice.
 * </ul>
 */
final class FolderAlias {

  private final Map<String, List<String>> aliases;
  private final Map<String, String> serverNames;

  /** Per session: the alias the client last used for each special use. */
  private static final class Chosen {
    final Map<String, String> byUse = new HashMap<>();
  }

  private FolderAlias(Map<String, List<String>> aliases, Map<String, String> serverNames) {
    this.aliases = aliases;
    this.serverNames = serverNames;
  }

  static RuleAction create(Params p) throws RuleException {
    p.allow("type", "aliases", "serverNames");
    Params a = p.object("aliases");
    Map<String, List<String>> aliases = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    for (Map.Entry<String, JsonNode> e : a.json().properties()) {
      String use = SpecialUse.attribute(p, e.getValue(), e.getKey());
      List<String> names = a.strings(e.getKey());
      for (String name : names) {
        if (name.isEmpty() || name.equalsIgnoreCase("INBOX")) {
          throw p.error(e.getValue(), "an alias must be a mailbox name other than INBOX");
        }
        if (!seen.add(name)) {
          throw p.error(e.getValue(), "'" + name + "' is an alias twice");
        }
      }
      aliases.put(use, List.copyOf(names));
    }
    if (aliases.isEmpty()) {
      throw p.error(a.json(), "'aliases' needs at least one special-use attribute");
    }
    FolderAlias f = new FolderAlias(aliases, SpecialUse.names(p, "serverNames"));
    return f::apply;
  }

  private void apply(Frame f, Effect e) {
    if (!(f.session() instanceof ImapSession)) {
      return;
    }
    if (!f.fromClient()) {
      // From what the server sent, even when an earlier rule dropped it.
      SpecialUse.of(f.session()).learn(f);
    }
    if (e.frame() == null) {
      return;
    }
    if (f.fromClient()) {
      command(f, e);
    } else {
      response(f, e);
    }
  }

  /** The server's mailbox for a use: learned, else configured, else null. */
  private String server(Session s, String use) {
    String learned = SpecialUse.of(s).mailbox(use);
    return learned != null ? learned : serverNames.get(use);
  }

  private static Map<String, String> chosen(Session s) {
    return s.attachment(Chosen.class, Chosen::new).byUse;
  }

  // ---- client

  private void command(Frame f, Effect e) {
    String name = f.commandName();
    if (name.equals("CREATE") && createsAnAlias(f, e)) {
      return;
    }
    MailboxRename.replace(
        e, MailboxRename.command(e.frame(), name, mailbox -> toUpstream(f.session(), mailbox)));
  }

  /** The server's name for an alias or a child of one (remembering the alias), else null. */
  private String toUpstream(Session s, String mailbox) {
    for (Map.Entry<String, List<String>> use : aliases.entrySet()) {
      String server = server(s, use.getKey());
      if (server == null) {
        continue;
      }
      for (String alias : use.getValue()) {
        String renamed =
            SpecialUse.sameMailbox(alias, server)
                ? null
                : MailboxRename.renamed(mailbox, alias, server);
        if (renamed != null) {
          chosen(s).put(use.getKey(), alias);
          return renamed;
        }
      }
    }
    return null;
  }

  /** {@code CREATE alias}: answered OK here, since the mailbox exists upstream. */
  private boolean createsAnAlias(Frame f, Effect e) {
    MailboxTokens t = MailboxTokens.of(e.frame());
    String mailbox = t.isGroup(2) ? null : t.value(2);
    if (mailbox == null || f.tag() == null) {
      return false;
    }
    // RFC 9051 §6.3.4: a trailing hierarchy delimiter only says the name will have children.
    if (mailbox.length() > 1 && (mailbox.endsWith("/") || mailbox.endsWith("."))) {
      mailbox = mailbox.substring(0, mailbox.length() - 1);
    }
    for (Map.Entry<String, List<String>> use : aliases.entrySet()) {
      String server = server(f.session(), use.getKey());
      if (server == null) {
        continue;
      }
      for (String alias : use.getValue()) {
        if (alias.equals(mailbox) && !SpecialUse.sameMailbox(alias, server)) {
          chosen(f.session()).put(use.getKey(), alias);
          e.answer(
              f.tag()
                  + " OK CREATE completed (quirkproxy: an alias of the server's "
                  + use.getKey()
                  + " mailbox)");
          return true;
        }
      }
    }
    return false;
  }

  // ---- server

  private void response(Frame f, Effect e) {
    Session s = f.session();
    int index = MailboxRename.responseNameIndex(e.frame().firstLine());
    if (index < 0) {
      return;
    }
    if (index == 4 && shadowed(s, MailboxTokens.of(f.image()).value(4))) {
      e.drop();
      return;
    }
    MailboxRename.replace(e, MailboxRename.response(e.frame(), mailbox -> toClient(s, mailbox)));
  }

  /** The alias shown for a server's special-use mailbox or a child of it, else null. */
  private String toClient(Session s, String mailbox) {
    for (Map.Entry<String, List<String>> use : aliases.entrySet()) {
      String server = server(s, use.getKey());
      if (server == null) {
        continue;
      }
      String alias = chosen(s).get(use.getKey());
      if (alias == null || !use.getValue().contains(alias)) {
        alias = use.getValue().get(0);
      }
      if (SpecialUse.sameMailbox(alias, server)) {
        continue;
      }
      String renamed = MailboxRename.renamed(mailbox, server, alias);
      if (renamed != null) {
        return renamed;
      }
    }
    return null;
  }

  /** True for a server mailbox named like an active alias (or a child of one): not listed. */
  private boolean shadowed(Session s, String mailbox) {
    if (mailbox == null) {
      return false;
    }
    List<String> active = new ArrayList<>();
    for (Map.Entry<String, List<String>> use : aliases.entrySet()) {
      String server = server(s, use.getKey());
      if (server == null || MailboxRename.renamed(mailbox, server, server) != null) {
        // Unknown, or the mailbox is the special-use one (or its child) itself.
        continue;
      }
      for (String alias : use.getValue()) {
        if (!SpecialUse.sameMailbox(alias, server)) {
          active.add(alias);
        }
      }
    }
    for (String alias : active) {
      if (MailboxRename.renamed(mailbox, alias, alias) != null) {
        return true;
      }
    }
    return false;
  }
}
