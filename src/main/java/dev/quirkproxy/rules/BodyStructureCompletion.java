package dev.quirkproxy.rules;

import dev.quirkproxy.codec.imap.parse.BodyStructure;
import dev.quirkproxy.codec.imap.parse.FrameBytes;
import dev.quirkproxy.codec.imap.parse.ImapParser;
import dev.quirkproxy.codec.imap.parse.MsgAtt;
import dev.quirkproxy.codec.imap.parse.Node;
import dev.quirkproxy.codec.imap.parse.ParsedFrame;
import dev.quirkproxy.codec.imap.parse.ResponseData;
import dev.quirkproxy.session.Protocol;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code complete-bodystructure}: every {@code BODYSTRUCTURE} of a server's FETCH response goes to
 * the client with the whole list of extension fields of RFC 9051 §7.5.2 ({@code body-ext-1part}:
 * MD5, disposition, language, location; {@code body-ext-mpart}: parameters, disposition, language,
 * location), missing ones sent as {@code NIL}, in nested multiparts and message/rfc822 parts too.
 * Fields the server sent, and any further extensions after the location, keep their exact bytes; so
 * does every other item of the response (literals included: the frame is re-encoded from the
 * parser's nodes, which keep what they were read from).
 *
 * <p>Android 2.0-2.2's stock Email indexed these fields without checking they were there, and
 * crashed on a part that carried some but not all of them.
 *
 * <p>{@code unwrapSingleChildMultipart} (off by default) also replaces a multipart with exactly one
 * part by that part. Section numbers are not translated: the client's later {@code BODY[1]} and the
 * like reach the server unchanged and may name other content there.
 *
 * <p>{@code BODY} (the form without extension data) is never changed: RFC 9051 defines it as
 * BODYSTRUCTURE without extension data, and a client that asked for it did not ask for them. A
 * response that does not parse goes on unchanged.
 */
final class BodyStructureCompletion {

  /** MD5 (single part) or parameters (multipart), disposition, language, location. */
  private static final int EXTENSION_FIELDS = 4;

  /**
   * Where a message/rfc822 part holds the body of the message it carries (RFC 9051 body-type-msg).
   */
  private static final int MESSAGE_BODY = 8;

  private static final ImapParser PARSER = new ImapParser();
  private static final String ITEM = "BODYSTRUCTURE";

  private final boolean unwrap;

  private BodyStructureCompletion(boolean unwrap) {
    this.unwrap = unwrap;
  }

  static RuleAction create(Params p) throws RuleException {
    p.allow("type", "unwrapSingleChildMultipart");
    BodyStructureCompletion c =
        new BodyStructureCompletion(p.bool("unwrapSingleChildMultipart", false));
    return (f, e) -> {
      FrameImage frame = e.frame();
      if (f.fromClient() || f.protocol() != Protocol.IMAP || frame == null) {
        return;
      }
      // The parse the conditions may have made already, unless an earlier action edited the frame.
      ParsedFrame parsed = frame == f.image() ? f.parsed() : null;
      String completed = c.complete(frame, parsed);
      if (completed != null) {
        e.replaceFrame(completed, true);
      }
    };
  }

  /**
   * The frame with its BODYSTRUCTUREs completed, one char per octet; null when it is not a FETCH
   * response with a BODYSTRUCTURE, or does not parse.
   *
   * @param parsed the frame parsed, or null to parse it here
   */
  String complete(FrameImage frame, ParsedFrame parsed) {
    if (!mentionsBodyStructure(frame)) {
      return null;
    }
    if (parsed == null) {
      parsed = PARSER.response(FrameBytes.of(frame.encode()));
    }
    if (!(parsed instanceof ParsedFrame.Data data)
        || !(data.view() instanceof ResponseData.Fetch fetch)) {
      return null;
    }
    // * n FETCH (msg-att): each item of the view is a name and a value in the list.
    List<Node> top = new ArrayList<>(data.tokens().items());
    Node.Paren atts = (Node.Paren) top.get(3);
    List<Node> items = new ArrayList<>(atts.items().items());
    boolean any = false;
    for (int i = 0; i < fetch.items().size(); i++) {
      if (fetch.items().get(i) instanceof MsgAtt.BodyStructureItem b && b.extensible()) {
        items.set(2 * i + 1, body((Node.Paren) items.get(2 * i + 1), b.body()));
        any = true;
      }
    }
    if (!any) {
      return null;
    }
    top.set(3, new Node.Paren(new Node.Seq(items, atts.items().gaps()), atts.position()));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new Node.Seq(top, data.tokens().gaps()).encodeTo(out);
    out.writeBytes(data.eol().getBytes(StandardCharsets.ISO_8859_1));
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  /** RFC 9051 {@code body} completed; {@code b} is the typed view of {@code p}. */
  private Node body(Node.Paren p, BodyStructure b) {
    List<Node> items = new ArrayList<>(p.items().items());
    List<String> gaps = new ArrayList<>(p.items().gaps());
    if (b instanceof BodyStructure.Multipart m) {
      for (int i = 0; i < m.parts().size(); i++) {
        items.set(i, body((Node.Paren) items.get(i), m.parts().get(i)));
      }
      if (unwrap && m.parts().size() == 1) {
        return items.get(0);
      }
    } else if (b instanceof BodyStructure.SinglePart s && s.body() != null) {
      items.set(MESSAGE_BODY, body((Node.Paren) items.get(MESSAGE_BODY), s.body()));
    }
    for (int n = b.extension().size(); n < EXTENSION_FIELDS; n++) {
      items.add(new Node.Nil("NIL", -1));
      // A space before the new field; what stood before the closing parenthesis stays last.
      gaps.add(gaps.size() - 1, " ");
    }
    return new Node.Paren(new Node.Seq(items, gaps), p.position());
  }

  /** A cheap test before parsing: the item's name in the frame's text (literals aside). */
  private static boolean mentionsBodyStructure(FrameImage frame) {
    for (FrameImage.Piece piece : frame.pieces()) {
      if (piece instanceof FrameImage.Text t) {
        String s = t.text();
        for (int i = 0; i + ITEM.length() <= s.length(); i++) {
          if (s.regionMatches(true, i, ITEM, 0, ITEM.length())) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
