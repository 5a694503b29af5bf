package dev.quirkproxy.codec.imap.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.codec.imap.parse.ParsedFrame.Command;
import dev.quirkproxy.codec.imap.parse.ParsedFrame.Data;
import dev.quirkproxy.codec.imap.parse.ParsedFrame.Status;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The table of real-world frames in {@code imap-parse/cases.txt}: each parses, fed whole, byte by
 * byte and as the framer's parts, to the typed view asserted here, and re-encodes to its exact
 * bytes.
 */
class ImapParseCasesTest {

  private static final Map<String, Consumer<ParsedFrame>> EXPECT = new HashMap<>();

  static Stream<Arguments> cases() {
    return ParseCases.load().stream()
        .flatMap(c -> Stream.of(ParseCases.Feed.values()).map(f -> Arguments.of(c, f)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void parsesToTheTypedViewAndReEncodesExactly(ParseCases.Case c, ParseCases.Feed feed) {
    ImapParser parser = new ImapParser();
    ParseCases.feed(
        c.bytes(),
        c.client(),
        feed,
        frame -> {
          ParsedFrame parsed = c.client() ? parser.command(frame) : parser.response(frame);
          assertThat(parsed).as(c.name()).isNotInstanceOf(ParsedFrame.Unparsed.class);
          assertThat(new String(parsed.encode(), StandardCharsets.ISO_8859_1))
              .as(c.name())
              .isEqualTo(new String(c.bytes(), StandardCharsets.ISO_8859_1));
          assertThat(EXPECT).as("assertions for %s", c.name()).containsKey(c.name());
          EXPECT.get(c.name()).accept(parsed);
          return null;
        });
  }

  @Test
  void everyAssertionHasACase() {
    assertThat(ParseCases.load().stream().map(ParseCases.Case::name))
        .containsExactlyInAnyOrderElementsOf(EXPECT.keySet());
  }

  private static void expect(String name, Consumer<ParsedFrame> check) {
    EXPECT.put(name, check);
  }

  private static Status status(ParsedFrame p) {
    assertThat(p).isInstanceOf(Status.class);
    return (Status) p;
  }

  @SuppressWarnings("unchecked")
  private static <T extends ResponseData> T data(ParsedFrame p, Class<T> type) {
    assertThat(p).isInstanceOf(Data.class);
    assertThat(((Data) p).view()).isInstanceOf(type);
    return (T) ((Data) p).view();
  }

  @SuppressWarnings("unchecked")
  private static <T extends CommandView> T command(ParsedFrame p, Class<T> type) {
    assertThat(p).isInstanceOf(Command.class);
    assertThat(((Command) p).view()).isInstanceOf(type);
    return (T) ((Command) p).view();
  }

  private static SequenceSet set(String s) {
    return SequenceSet.parse(s);
  }

  static {
    expect(
        "greeting-capability",
        p -> {
          Status s = status(p);
          assertThat(s.tagged()).isFalse();
          assertThat(s.status()).isEqualTo("OK");
          assertThat(s.code().name()).isEqualTo("CAPABILITY");
          assertThat(s.code().capabilities())
              .startsWith("IMAP4rev1", "SASL-IR")
              .contains("LITERAL+", "AUTH=PLAIN")
              .hasSize(9);
          assertThat(s.text()).isEqualTo("Dovecot (Debian) ready.");
        });
    expect(
        "gmail-greeting",
        p -> {
          assertThat(status(p).code()).isNull();
          assertThat(status(p).text()).startsWith("Gimap ready");
        });
    expect(
        "capability",
        p ->
            assertThat(data(p, ResponseData.Capability.class).capabilities())
                .containsExactly("IMAP4rev2", "STARTTLS", "AUTH=GSSAPI", "LOGINDISABLED"));
    expect(
        "tagged-read-write",
        p -> {
          assertThat(status(p).tag()).isEqualTo("A142");
          assertThat(status(p).tagged()).isTrue();
          assertThat(status(p).code().name()).isEqualTo("READ-WRITE");
          assertThat(status(p).text()).isEqualTo("SELECT completed");
        });
    expect("uidvalidity", p -> assertThat(status(p).code().number()).isEqualTo(3857529045L));
    expect(
        "permanentflags",
        p -> assertThat(status(p).code().flags()).containsExactly("\\Deleted", "\\Seen", "\\*"));
    expect(
        "appenduid",
        p ->
            assertThat(status(p).code().uidPlus())
                .isEqualTo(new ResponseCode.UidPlus(38505, null, set("3955"))));
    expect(
        "copyuid",
        p -> {
          ResponseCode.UidPlus u = status(p).code().uidPlus();
          assertThat(u.uidValidity()).isEqualTo(38505);
          assertThat(u.source().ranges())
              .containsExactly(new SequenceSet.Range(304, 304), new SequenceSet.Range(319, 320));
          assertThat(u.uids().ranges()).containsExactly(new SequenceSet.Range(3956, 3958));
        });
    expect(
        "auth-failed",
        p -> {
          assertThat(status(p).status()).isEqualTo("NO");
          assertThat(status(p).code().name()).isEqualTo("AUTHENTICATIONFAILED");
        });
    expect(
        "bare-ok",
        p -> {
          assertThat(status(p).status()).isEqualTo("OK");
          assertThat(status(p).text()).isEmpty();
        });
    expect("bye", p -> assertThat(status(p).status()).isEqualTo("BYE"));
    expect(
        "continuation",
        p ->
            assertThat(p)
                .isEqualTo(
                    new ParsedFrame.Continuation(" Ready for additional command text", "\r\n")));
    expect("exists", p -> assertThat(data(p, ResponseData.Exists.class).count()).isEqualTo(23));
    expect("expunge", p -> assertThat(data(p, ResponseData.Expunge.class).seq()).isEqualTo(44));
    expect("recent", p -> assertThat(data(p, ResponseData.Recent.class).count()).isEqualTo(5));
    expect(
        "flags",
        p ->
            assertThat(data(p, ResponseData.Flags.class).flags())
                .containsExactly("\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"));
    expect(
        "fetch-flags-uid",
        p -> {
          ResponseData.Fetch f = data(p, ResponseData.Fetch.class);
          assertThat(((Data) p).name()).isEqualTo("FETCH");
          assertThat(f.seq()).isEqualTo(12);
          assertThat(f.items())
              .containsExactly(
                  new MsgAtt.Flags(List.of("\\Seen")),
                  new MsgAtt.Uid(4827313),
                  new MsgAtt.ModSeq(65402),
                  new MsgAtt.Rfc822Size(44827),
                  new MsgAtt.InternalDate("17-Jul-1996 02:44:25 -0700"));
        });
    expect(
        "fetch-envelope",
        p -> {
          ResponseData.Fetch f = data(p, ResponseData.Fetch.class);
          Envelope e = f.item(MsgAtt.EnvelopeItem.class).envelope();
          assertThat(e.subject()).isEqualTo("IMAP4rev1 WG mtg summary and minutes");
          assertThat(e.from())
              .containsExactly(
                  new Envelope.Address("Terry Gray", null, "gray", "cac.washington.edu"));
          assertThat(e.to())
              .containsExactly(new Envelope.Address(null, null, "imap", "cac.washington.edu"));
          assertThat(e.cc()).hasSize(2);
          assertThat(e.bcc()).isNull();
          assertThat(e.inReplyTo()).isNull();
          assertThat(e.messageId()).isEqualTo("<B27397-0100000@cac.washington.edu>");
          MsgAtt.BodyStructureItem body = f.item(MsgAtt.BodyStructureItem.class);
          assertThat(body.extensible()).isFalse();
          BodyStructure.SinglePart part = (BodyStructure.SinglePart) body.body();
          assertThat(part.type()).isEqualTo("TEXT");
          assertThat(part.size()).isEqualTo(3028);
          assertThat(part.lines()).isEqualTo(92);
          assertThat(part.extension()).isEmpty();
        });
    expect(
        "fetch-bodystructure-mixed",
        p -> {
          ResponseData.Fetch f = data(p, ResponseData.Fetch.class);
          assertThat(f.item(MsgAtt.Uid.class).uid()).isEqualTo(7);
          BodyStructure.Multipart m =
              (BodyStructure.Multipart) f.item(MsgAtt.BodyStructureItem.class).body();
          assertThat(m.subtype()).isEqualTo("MIXED");
          assertThat(m.parts()).hasSize(2);
          BodyStructure.SinglePart second = (BodyStructure.SinglePart) m.parts().get(1);
          assertThat(second.params())
              .containsExactly(
                  new BodyStructure.Param("CHARSET", "US-ASCII"),
                  new BodyStructure.Param("NAME", "cc.diff"));
          assertThat(second.id()).isEqualTo("<960723163407.20117h@cac.washington.edu>");
          assertThat(second.description()).isEqualTo("Compiler diff");
          assertThat(second.encoding()).isEqualTo("BASE64");
          assertThat(second.lines()).isEqualTo(73);
        });
    expect(
        "fetch-bodystructure-nested",
        p -> {
          ResponseData.Fetch f = data(p, ResponseData.Fetch.class);
          MsgAtt.BodyStructureItem item = f.item(MsgAtt.BodyStructureItem.class);
          assertThat(item.extensible()).isTrue();
          BodyStructure.Multipart mixed = (BodyStructure.Multipart) item.body();
          assertThat(mixed.subtype()).isEqualTo("mixed");
          assertThat(mixed.parts()).hasSize(3);
          assertThat(mixed.extension()).hasSize(4);
          assertThat(Node.text(mixed.extension().get(0))).isEqualTo("(\"boundary\" \"b1\")");
          BodyStructure.Multipart alt = (BodyStructure.Multipart) mixed.parts().get(1);
          assertThat(alt.subtype()).isEqualTo("alternative");
          assertThat(alt.parts())
              .extracting(b -> ((BodyStructure.SinglePart) b).subtype())
              .containsExactly("plain", "html");
          BodyStructure.SinglePart msg = (BodyStructure.SinglePart) mixed.parts().get(2);
          assertThat(msg.type()).isEqualTo("message");
          assertThat(msg.envelope().subject()).isEqualTo("Re: test");
          assertThat(((BodyStructure.SinglePart) msg.body()).size()).isEqualTo(100);
          assertThat(msg.lines()).isEqualTo(14);
          assertThat(msg.disposition())
              .isEqualTo(
                  new BodyStructure.Disposition(
                      "attachment", List.of(new BodyStructure.Param("filename", "fwd.eml"))));
          assertThat(((BodyStructure.SinglePart) mixed.parts().get(0)).extension()).hasSize(4);
        });
    expect(
        "fetch-body-literals",
        p -> {
          ResponseData.Fetch f = data(p, ResponseData.Fetch.class);
          assertThat(f.items()).hasSize(4);
          MsgAtt.BodySection header = (MsgAtt.BodySection) f.items().get(1);
          assertThat(header.name()).isEqualTo("BODY");
          assertThat(header.section().specifier()).isEqualTo("HEADER.FIELDS");
          assertThat(header.section().headerFields()).containsExactly("FROM", "SUBJECT");
          assertThat(header.origin()).isEqualTo(-1);
          assertThat(header.literal().size()).isEqualTo(39);
          assertThat(header.literal().data().latin1())
              .isEqualTo("From: a@example.com\r\nSubject: hello\r\n\r\n");
          MsgAtt.BodySection text = (MsgAtt.BodySection) f.items().get(2);
          assertThat(text.section().specifier()).isEqualTo("TEXT");
          assertThat(text.origin()).isZero();
          assertThat(text.literal().data().latin1()).isEqualTo("Hello, world!\r\n");
          assertThat(text.literal().announced().synchronizing()).isTrue();
          assertThat(f.item(MsgAtt.Flags.class).flags()).containsExactly("\\Seen");
        });
    expect(
        "fetch-gmail",
        p -> {
          ResponseData.Fetch f = data(p, ResponseData.Fetch.class);
          MsgAtt.Other labels = (MsgAtt.Other) f.items().get(2);
          assertThat(labels.name()).isEqualTo("X-GM-LABELS");
          assertThat(Node.text(labels.value()))
              .isEqualTo("(\\Inbox \\Sent Important \"Muy Importante\")");
          assertThat(f.item(MsgAtt.Uid.class).uid()).isEqualTo(9);
        });
    expect(
        "fetch-nil-section",
        p -> {
          ResponseData.Fetch f = data(p, ResponseData.Fetch.class);
          MsgAtt.BodySection mime = (MsgAtt.BodySection) f.items().get(0);
          assertThat(mime.section().part()).containsExactly(1);
          assertThat(mime.section().specifier()).isEqualTo("MIME");
          assertThat(mime.value()).isInstanceOf(Node.Nil.class);
          assertThat(mime.literal()).isNull();
          assertThat(((MsgAtt.Other) f.items().get(1)).name()).isEqualTo("BINARY.SIZE[1]");
          assertThat(((MsgAtt.BodySection) f.items().get(2)).name()).isEqualTo("RFC822.HEADER");
        });
    expect(
        "list-utf7",
        p -> {
          ResponseData.MailboxList l = data(p, ResponseData.MailboxList.class);
          assertThat(l.kind()).isEqualTo("LIST");
          assertThat(l.attributes()).containsExactly("\\HasNoChildren");
          assertThat(l.delimiter()).isEqualTo("/");
          assertThat(l.mailbox()).isEqualTo(new Mailbox("Entw&APw-rfe", "Entwürfe"));
        });
    expect(
        "list-utf7-unquoted",
        p ->
            assertThat(data(p, ResponseData.MailboxList.class).mailbox().decoded())
                .isEqualTo("~peter/mail/台北/日本語"));
    expect(
        "list-nil-delimiter",
        p -> {
          ResponseData.MailboxList l = data(p, ResponseData.MailboxList.class);
          assertThat(l.delimiter()).isNull();
          assertThat(l.mailbox().name()).isEmpty();
          assertThat(l.attributes()).containsExactly("\\Noselect");
        });
    expect(
        "xlist-gmail",
        p -> {
          ResponseData.MailboxList l = data(p, ResponseData.MailboxList.class);
          assertThat(l.kind()).isEqualTo("XLIST");
          assertThat(l.mailbox().name()).isEqualTo("[Gmail]/Sent Mail");
        });
    expect(
        "list-bracket-atom",
        p ->
            assertThat(data(p, ResponseData.MailboxList.class).mailbox().name())
                .isEqualTo("[Gmail]"));
    expect(
        "list-literal-name",
        p -> {
          ResponseData.MailboxList l = data(p, ResponseData.MailboxList.class);
          assertThat(l.kind()).isEqualTo("LSUB");
          assertThat(l.delimiter()).isEqualTo("\\");
          assertThat(l.mailbox().name()).isEqualTo("odd \"box");
        });
    expect(
        "list-extended",
        p -> {
          ResponseData.MailboxList l = data(p, ResponseData.MailboxList.class);
          assertThat(l.extended())
              .extracting(Node::text)
              .containsExactly("\"CHILDINFO\"", "(\"SUBSCRIBED\")");
        });
    expect("id-nil", p -> assertThat(data(p, ResponseData.Id.class).params()).isNull());
    expect(
        "id-params",
        p ->
            assertThat(data(p, ResponseData.Id.class).params())
                .containsExactly(new IdParam("name", "Dovecot"), new IdParam("version", null)));
    expect(
        "esearch-min-count",
        p -> {
          ResponseData.Esearch e = data(p, ResponseData.Esearch.class);
          assertThat(e.tag()).isEqualTo("A282");
          assertThat(e.uid()).isFalse();
          assertThat(Node.text(e.get("MIN"))).isEqualTo("2");
          assertThat(Node.text(e.get("count"))).isEqualTo("3");
        });
    expect(
        "esearch-uid-all",
        p -> {
          ResponseData.Esearch e = data(p, ResponseData.Esearch.class);
          assertThat(e.uid()).isTrue();
          assertThat(e.data())
              .extracting(ResponseData.Esearch.ReturnData::name)
              .containsExactly("COUNT", "ALL");
          assertThat(Node.text(e.get("ALL"))).isEqualTo("4:19,21,28");
        });
    expect(
        "status",
        p -> {
          ResponseData.Status s = data(p, ResponseData.Status.class);
          assertThat(s.mailbox().name()).isEqualTo("blurdybloop");
          assertThat(s.get("MESSAGES")).isEqualTo(231);
          assertThat(s.get("UIDNEXT")).isEqualTo(44292);
          assertThat(s.get("UNSEEN")).isNull();
        });
    expect(
        "status-utf7",
        p -> {
          ResponseData.Status s = data(p, ResponseData.Status.class);
          assertThat(s.mailbox().decoded()).isEqualTo("Entwürfe");
          assertThat(s.get("HIGHESTMODSEQ")).isEqualTo(7011231777L);
        });
    expect(
        "namespace",
        p -> {
          ResponseData.Namespace n = data(p, ResponseData.Namespace.class);
          assertThat(n.personal())
              .containsExactly(new ResponseData.Namespace.NamespaceDescr("", "/", List.of()));
          assertThat(n.other())
              .extracting(ResponseData.Namespace.NamespaceDescr::prefix)
              .containsExactly("~");
          assertThat(n.shared())
              .extracting(ResponseData.Namespace.NamespaceDescr::prefix)
              .containsExactly("#shared/", "#public/", "#ftp/", "#news.");
        });
    expect(
        "namespace-nil",
        p -> {
          ResponseData.Namespace n = data(p, ResponseData.Namespace.class);
          assertThat(n.personal().get(0).delimiter()).isEqualTo(".");
          assertThat(n.other()).isNull();
          assertThat(n.shared()).isNull();
        });
    expect(
        "vanished-earlier",
        p -> {
          ResponseData.Vanished v = data(p, ResponseData.Vanished.class);
          assertThat(v.earlier()).isTrue();
          assertThat(v.uids().ranges()).hasSize(5);
          assertThat(v.uids().contains(42, 1000)).isFalse();
          assertThat(v.uids().contains(540, 1000)).isTrue();
        });
    expect(
        "vanished",
        p -> {
          ResponseData.Vanished v = data(p, ResponseData.Vanished.class);
          assertThat(v.earlier()).isFalse();
          assertThat(v.uids().text()).isEqualTo("405,407,410,425");
        });
    expect(
        "search",
        p ->
            assertThat(data(p, ResponseData.Search.class))
                .isEqualTo(new ResponseData.Search(List.of(2L, 84L, 882L), null)));
    expect(
        "search-empty",
        p ->
            assertThat(data(p, ResponseData.Search.class))
                .isEqualTo(new ResponseData.Search(List.of(), null)));
    expect(
        "search-modseq",
        p -> {
          ResponseData.Search s = data(p, ResponseData.Search.class);
          assertThat(s.numbers()).hasSize(10).endsWith(23L);
          assertThat(s.modSeq()).isEqualTo(917162500L);
        });
    expect(
        "enabled",
        p ->
            assertThat(data(p, ResponseData.Enabled.class).capabilities())
                .containsExactly("CONDSTORE", "QRESYNC"));
    expect(
        "login",
        p -> {
          command(p, CommandView.Other.class);
          Command c = (Command) p;
          assertThat(c.tag()).isEqualTo("a001");
          assertThat(c.name()).isEqualTo("LOGIN");
          assertThat(c.arguments()).extracting(Node::text).containsExactly("SMITH", "SESAME");
        });
    expect(
        "select",
        p ->
            assertThat(command(p, CommandView.Select.class))
                .isEqualTo(new CommandView.Select(false, Mailbox.of("INBOX"), List.of())));
    expect(
        "select-condstore",
        p -> {
          CommandView.Select s = command(p, CommandView.Select.class);
          assertThat(s.mailbox().decoded()).isEqualTo("Entwürfe");
          assertThat(s.parameters()).extracting(Node::text).containsExactly("CONDSTORE");
        });
    expect(
        "examine-qresync",
        p -> {
          CommandView.Select s = command(p, CommandView.Select.class);
          assertThat(s.examine()).isTrue();
          assertThat(s.parameters())
              .extracting(Node::text)
              .containsExactly("QRESYNC", "(67890007 20050715194045000 41,43:211,214:541)");
        });
    expect(
        "uid-fetch",
        p -> {
          CommandView.Fetch f = command(p, CommandView.Fetch.class);
          assertThat(((Command) p).uid()).isTrue();
          assertThat(f.set().ranges()).containsExactly(new SequenceSet.Range(1, SequenceSet.STAR));
          assertThat(f.items())
              .extracting(FetchAtt::name)
              .containsExactly("FLAGS", "UID", "BODY.PEEK");
          FetchAtt peek = f.items().get(2);
          assertThat(peek.section().headerFields()).containsExactly("DATE", "FROM", "SUBJECT");
          assertThat(peek.section().text()).isEqualTo("HEADER.FIELDS (DATE FROM SUBJECT)");
          assertThat(peek.partial()).isEqualTo(new FetchAtt.Partial(0, 2048));
          assertThat(f.modifiers()).extracting(Node::text).containsExactly("CHANGEDSINCE", "12345");
        });
    expect(
        "fetch-macro",
        p -> {
          CommandView.Fetch f = command(p, CommandView.Fetch.class);
          assertThat(f.items()).extracting(FetchAtt::name).containsExactly("FAST");
          assertThat(f.set().ranges()).containsExactly(new SequenceSet.Range(2, 4));
        });
    expect(
        "fetch-saved",
        p -> {
          CommandView.Fetch f = command(p, CommandView.Fetch.class);
          assertThat(((Command) p).name()).isEqualTo("FETCH");
          assertThat(f.set().saved()).isTrue();
          assertThat(f.items().get(0).name()).isEqualTo("BODY");
          assertThat(f.items().get(0).section().part()).isEmpty();
          assertThat(f.items().get(0).section().specifier()).isEmpty();
        });
    expect(
        "uid-store",
        p -> {
          CommandView.Store s = command(p, CommandView.Store.class);
          assertThat(s.sign()).isEqualTo('+');
          assertThat(s.silent()).isTrue();
          assertThat(s.flags()).containsExactly("\\Deleted");
          assertThat(s.set().text()).isEqualTo("2:4");
        });
    expect(
        "store-bare-flags",
        p -> {
          CommandView.Store s = command(p, CommandView.Store.class);
          assertThat(s.sign()).isEqualTo('-');
          assertThat(s.silent()).isFalse();
          assertThat(s.flags()).containsExactly("\\Seen", "\\Flagged");
        });
    expect(
        "store-unchangedsince",
        p -> {
          CommandView.Store s = command(p, CommandView.Store.class);
          assertThat(s.sign()).isEqualTo((char) 0);
          assertThat(s.modifiers())
              .extracting(Node::text)
              .containsExactly("UNCHANGEDSINCE", "320162338");
          assertThat(s.flags()).containsExactly("\\Seen", "$Forwarded");
        });
    expect(
        "search-nested",
        p -> {
          CommandView.Search s = command(p, CommandView.Search.class);
          assertThat(s.returnOptions()).containsExactly("MIN", "COUNT");
          assertThat(s.charset()).isEqualTo("UTF-8");
          assertThat(s.keys()).hasSize(3);
          SearchKey.Or or = (SearchKey.Or) s.keys().get(0);
          SearchKey.Group group = (SearchKey.Group) ((SearchKey.Not) or.left()).key();
          assertThat(group.keys()).extracting(SearchKey::keyName).containsExactly("FROM", "SINCE");
          SearchKey.Key header = (SearchKey.Key) or.right();
          assertThat(header.name()).isEqualTo("HEADER");
          Node.Lit lit = (Node.Lit) header.args().get(1);
          assertThat(lit.announced().synchronizing()).isFalse();
          assertThat(lit.data().latin1()).isEqualTo("Mutt 2");
          assertThat(s.keys().get(1))
              .isEqualTo(new SearchKey.Not(new SearchKey.Key("DELETED", List.of())));
          assertThat(s.keys().get(2)).isEqualTo(new SearchKey.SeqSet(set("1:100,200:*")));
        });
    expect(
        "search-plain",
        p -> {
          CommandView.Search s = command(p, CommandView.Search.class);
          assertThat(s.charset()).isNull();
          assertThat(s.keys()).hasSize(3);
          assertThat(s.keys().get(1).keyName()).isEqualTo("SINCE");
          assertThat(s.keys().get(2)).isInstanceOf(SearchKey.Not.class);
        });
    expect(
        "append",
        p -> {
          CommandView.Append a = command(p, CommandView.Append.class);
          assertThat(a.mailbox().name()).isEqualTo("saved-messages");
          assertThat(a.flags()).containsExactly("\\Seen", "$Forwarded");
          assertThat(a.dateTime()).isEqualTo(" 7-Feb-1994 21:52:25 -0800");
          assertThat(a.message().size()).isEqualTo(211);
          assertThat(a.message().data().latin1()).startsWith("Date: Mon").endsWith("tomorrow?");
          assertThat(a.rest()).isEmpty();
        });
    expect(
        "append-plain",
        p -> {
          CommandView.Append a = command(p, CommandView.Append.class);
          assertThat(a.mailbox().isInbox()).isTrue();
          assertThat(a.flags()).isNull();
          assertThat(a.dateTime()).isNull();
          assertThat(a.message().data().latin1()).isEqualTo("hello");
        });
    expect(
        "id-client",
        p ->
            assertThat(command(p, CommandView.Id.class).params())
                .containsExactly(
                    new IdParam("name", "Thunderbird"),
                    new IdParam("version", "115.3.1"),
                    new IdParam("os", null)));
    expect("id-client-nil", p -> assertThat(command(p, CommandView.Id.class).params()).isNull());
    expect(
        "uid-move",
        p -> {
          CommandView.Copy c = command(p, CommandView.Copy.class);
          assertThat(c.move()).isTrue();
          assertThat(c.mailbox().name()).isEqualTo("[Gmail]/Trash");
        });
    expect(
        "list",
        p ->
            assertThat(command(p, CommandView.ListMailboxes.class))
                .isEqualTo(new CommandView.ListMailboxes("LIST", "", "*")));
    expect(
        "status-command",
        p -> {
          CommandView.Status s = command(p, CommandView.Status.class);
          assertThat(s.mailbox().decoded()).isEqualTo("Entwürfe");
          assertThat(s.items()).containsExactly("MESSAGES", "UIDNEXT", "UNSEEN");
        });
    expect(
        "enable",
        p ->
            assertThat(command(p, CommandView.Enable.class).capabilities())
                .containsExactly("CONDSTORE", "QRESYNC"));
  }
}
