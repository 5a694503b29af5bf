package dev.quirkproxy.rules;

import dev.quirkproxy.codec.imap.parse.ImapParser;
import dev.quirkproxy.session.ImapSession;
import dev.quirkproxy.session.PendingCommand;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code xlist}: Gmail's XLIST for clients that want it (Outlook 2013/2016) in front of a server
 * that offers RFC 6154 SPECIAL-USE instead, and special-use attributes on plain LIST/LSUB answers
 * for clients that look for them there.
 *
 * <p>With {@code xlist} (the default): XLIST is added to every capability list the server sends
 * (unless it has XLIST itself, in which case XLIST commands go up untouched). A client's {@code
 * XLIST ref pattern} goes upstream as {@code LIST ref pattern RETURN (SPECIAL-USE CHILDREN)} when
 * the server announced SPECIAL-USE and LIST-EXTENDED (RFC 6154 §5.1 and RFC 5258; CHILDREN keeps
 * the {@code \HasChildren} attributes XLIST answers carry), else as a plain {@code LIST ref
 * pattern} (RFC 6154 §2 lets a server put the attributes there too; Dovecot does). Every {@code *
 * LIST} answering it comes back as {@code * XLIST} with Gmail's words: {@code \Inbox} on INBOX,
 * {@code \AllMail} for {@code \All}, {@code \Spam} for {@code \Junk}, {@code \Starred} for {@code
 * \Flagged}; {@code \Trash}, {@code \Sent}, {@code \Drafts} and the rest as they are. The tagged
 * answer goes back as it came. Which LIST was an XLIST is remembered per session by tag; an
 * untagged LIST belongs to the latest LIST-like command still pending.
 *
 * <p>With {@code addSpecialUseToList}: plain LIST and LSUB answers get the special-use attributes
 * the server left out: those the session learned from earlier answers that carried them ({@link
 * SpecialUse}), else those of the {@code specialUse} parameter ({@code {"\\Trash": "Trash"}}, names
 * as on the wire). The same attributes are added to the XLIST answers.
 */
final class XlistAction {

  private static final CapabilityEdit ADD_XLIST = new CapabilityEdit(List.of("XLIST"), List.of());
  private static final String RETURN = " RETURN (SPECIAL-USE CHILDREN)";

  /** Per session: the tags of the client's XLIST commands that went upstream as LIST. */
  private static final class Translated {
    final Set<String> tags = new HashSet<>();
  }

  private final boolean xlist;
  private final boolean addToList;
  private final Map<String, String> specialUse;

  private XlistAction(boolean xlist, boolean addToList, Map<String, String> specialUse) {
    this.xlist = xlist;
    this.addToList = addToList;
    this.specialUse = Map.copyOf(specialUse);
  }

  static RuleAction create(Params p) throws RuleException {
    p.allow("type", "xlist", "addSpecialUseToList", "specialUse");
    boolean xlist = p.bool("xlist", true);
    boolean add = p.bool("addSpecialUseToList", false);
    Map<String, String> names = SpecialUse.names(p, "specialUse");
    if (!xlist && !add) {
      throw p.error("with 'xlist' false, 'addSpecialUseToList' must be true (else nothing to do)");
    }
    XlistAction a = new XlistAction(xlist, add, names);
    return a::apply;
  }

  private void apply(Frame f, Effect e) {
    if (!(f.session() instanceof ImapSession imap)) {
      return;
    }
    if (!f.fromClient()) {
      // From what the server sent, even when an earlier rule dropped it.
      SpecialUse.of(imap).learn(f);
    }
    if (e.frame() == null) {
      return;
    }
    if (f.fromClient()) {
      command(f, e, imap);
    } else {
      response(f, e, imap);
    }
  }

  // ---- client: XLIST -> LIST

  private void command(Frame f, Effect e, ImapSession imap) {
    if (!xlist || !f.commandName().equals("XLIST") || imap.hasCapability("XLIST")) {
      return;
    }
    MailboxTokens t = MailboxTokens.of(e.frame());
    if (t.count() != 4) {
      // Not "tag XLIST reference pattern": the server's BAD is the right answer.
      return;
    }
    FrameImage out = t.raw(1, "LIST");
    if (f.whole() && imap.hasCapability("SPECIAL-USE") && imap.hasCapability("LIST-EXTENDED")) {
      // The first line of a command whose literal waits for "+" cannot get words after it.
      out = appendToLastLine(out, RETURN);
    }
    MailboxRename.replace(e, out);
    f.session().attachment(Translated.class, Translated::new).tags.add(f.tag());
  }

  private static FrameImage appendToLastLine(FrameImage image, String words) {
    List<FrameImage.Piece> pieces = new ArrayList<>(image.pieces());
    int last = pieces.size() - 1;
    if (!(pieces.get(last) instanceof FrameImage.Text text)) {
      return image;
    }
    String bare = FrameImage.stripEol(text.text());
    pieces.set(last, new FrameImage.Text(bare + words + text.text().substring(bare.length())));
    return new FrameImage(pieces);
  }

  // ---- server: capabilities, LIST -> XLIST, attributes

  private void response(Frame f, Effect e, ImapSession imap) {
    SpecialUse learned = SpecialUse.of(f.session());
    Translated translated = f.session().attachment(Translated.class, Translated::new);
    ImapParser.Head head = f.head();
    if (xlist && f.firstLine().toUpperCase(Locale.ROOT).contains("CAPABILITY")) {
      e.editText(t -> ADD_XLIST.apply(t, f.protocol(), f.commandName()));
    }
    if (head.kind() == ImapParser.Head.Kind.TAGGED) {
      translated.tags.remove(head.tag());
      return;
    }
    if (head.kind() != ImapParser.Head.Kind.UNTAGGED || e.frame() == null) {
      return;
    }
    String name = head.name().toUpperCase(Locale.ROOT);
    boolean toXlist = xlist && name.equals("LIST") && answersTranslated(imap, translated);
    if (!toXlist && !(addToList && (name.equals("LIST") || name.equals("LSUB")))) {
      return;
    }
    MailboxTokens now = MailboxTokens.of(e.frame());
    if (MailboxRename.responseNameIndex(e.frame().firstLine()) != 4 || !now.isGroup(2)) {
      return;
    }
    // The server's own name: an earlier rule may have shown the client another one.
    String mailbox = MailboxTokens.of(f.image()).value(4);
    if (mailbox == null) {
      return;
    }
    List<String> attributes = attributes(now.value(2));
    List<String> add = addToList || toXlist ? missing(learned, mailbox, attributes) : List.of();
    attributes.addAll(add);
    FrameImage out = e.frame();
    if (toXlist) {
      List<String> words = new ArrayList<>();
      attributes.forEach(a -> words.add(SpecialUse.toXlist(a)));
      if (mailbox.equalsIgnoreCase("INBOX")
          && words.stream().noneMatch(w -> w.equalsIgnoreCase("\\Inbox"))) {
        words.add("\\Inbox");
      }
      out = now.raw(2, "(" + String.join(" ", words) + ")");
      out = MailboxTokens.of(out).raw(1, "XLIST");
    } else if (!add.isEmpty()) {
      out = now.raw(2, "(" + String.join(" ", attributes) + ")");
    }
    MailboxRename.replace(e, out);
  }

  /** True when the latest LIST-like command still pending is an XLIST that went up as LIST. */
  private static boolean answersTranslated(ImapSession imap, Translated translated) {
    if (translated.tags.isEmpty()) {
      return false;
    }
    PendingCommand last = null;
    for (PendingCommand c : imap.pending().values()) {
      if (c.name().equals("LIST") || c.name().equals("LSUB") || c.name().equals("XLIST")) {
        last = c;
      }
    }
    return last != null && translated.tags.contains(last.tag());
  }

  /** The special uses {@code mailbox} has and {@code present} lacks: learned, else configured. */
  private List<String> missing(SpecialUse learned, String mailbox, List<String> present) {
    List<String> uses = new ArrayList<>(learned.uses(mailbox));
    specialUse.forEach(
        (use, name) -> {
          if (learned.mailbox(use) == null
              && SpecialUse.sameMailbox(name, mailbox)
              && !uses.contains(use)) {
            uses.add(use);
          }
        });
    List<String> out = new ArrayList<>();
    for (String use : uses) {
      if (present.stream().noneMatch(a -> use.equals(SpecialUse.canonical(a)))) {
        out.add(use);
      }
    }
    return out;
  }

  /** The attributes in {@code (\A \B)}. */
  private static List<String> attributes(String group) {
    List<String> out = new ArrayList<>();
    String inner = group.substring(1, Math.max(1, group.length() - 1)).trim();
    for (String a : inner.split("\\s+")) {
      if (!a.isEmpty()) {
        out.add(a);
      }
    }
    return out;
  }
}
