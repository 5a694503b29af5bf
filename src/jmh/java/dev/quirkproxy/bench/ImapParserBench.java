package dev.quirkproxy.bench;

import static dev.quirkproxy.bench.Inputs.ascii;

import dev.quirkproxy.codec.imap.parse.FrameBytes;
import dev.quirkproxy.codec.imap.parse.ImapParser;
import dev.quirkproxy.codec.imap.parse.ParsedFrame;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The IMAP parser on whole frames (as the session tracker and rules call it), one frame per
 * operation.
 *
 * <ul>
 *   <li>{@code responseFetchEnvelopeBodystructure}: a 2.3 KB Apple-Mail-style header sync response:
 *       UID, FLAGS, INTERNALDATE, RFC822.SIZE, MODSEQ, ENVELOPE with several address lists, and a
 *       BODYSTRUCTURE of multipart/mixed ⊃ (multipart/alternative, message/rfc822 ⊃ text/plain,
 *       application/pdf) with extension data.
 *   <li>{@code responseFetchHeaderLiteral}: Thunderbird's header fetch answer: {@code
 *       BODY[HEADER.FIELDS (…)] {n}} with a 600-octet literal, then FLAGS.
 *   <li>{@code commandUidFetchHeaders}: Thunderbird's {@code UID fetch … BODY.PEEK[HEADER.FIELDS
 *       (14 fields)]}.
 *   <li>{@code commandSelectCondstore}: {@code select "INBOX" (CONDSTORE)}.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ImapParserBench {

  private static final String ADDR_TERRY = "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\"))";

  private final ImapParser parser = new ImapParser();
  private byte[] fetchEnvelope;
  private byte[] fetchHeaderLiteral;
  private byte[] uidFetch;
  private byte[] select;

  @Setup(Level.Trial)
  public void setup() {
    String envelope =
        "(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\""
            + " \"=?utf-8?Q?IMAP4rev1_WG_mtg_summary_and_minutes_=E2=80=94_draft?=\" "
            + ADDR_TERRY
            + " "
            + ADDR_TERRY
            + " "
            + ADDR_TERRY
            + " ((NIL NIL \"imap\" \"cac.washington.edu\")) ((NIL NIL \"minutes\""
            + " \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")(\"Alice"
            + " Example\" NIL \"alice\" \"example.org\")(\"Bob Example\" NIL \"bob\""
            + " \"example.com\")) ((\"Carol\" NIL \"carol\" \"example.net\"))"
            + " \"<B27397-0099999@cac.washington.edu>\" \"<B27397-0100000@cac.washington.edu>\")";
    String inner =
        "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 512 (\"Mon, 7 Feb 1994 21:52:25 -0800\""
            + " \"Re: test\" "
            + ADDR_TERRY
            + " "
            + ADDR_TERRY
            + " "
            + ADDR_TERRY
            + " ((NIL NIL \"imap\" \"cac.washington.edu\")) NIL NIL NIL"
            + " \"<B27397-0100000@cac.washington.edu>\") (\"text\" \"plain\" (\"charset\""
            + " \"us-ascii\") NIL NIL \"7bit\" 100 4 NIL NIL NIL NIL) 14 NIL (\"attachment\""
            + " (\"filename\" \"fwd.eml\")) NIL NIL)";
    String bodystructure =
        "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 310 12 NIL NIL"
            + " NIL NIL)((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 20 1 NIL NIL"
            + " NIL NIL)(\"text\" \"html\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 45 2 NIL NIL"
            + " NIL NIL) \"alternative\" (\"boundary\" \"b2\") NIL NIL NIL)"
            + inner
            + "(\"application\" \"pdf\" (\"name\" \"report.pdf\") NIL NIL \"base64\" 240380 NIL"
            + " (\"attachment\" (\"filename\" \"report.pdf\" \"size\" \"175630\")) NIL NIL)"
            + " \"mixed\" (\"boundary\" \"b1\") NIL (\"en\") NIL)";
    fetchEnvelope =
        ascii(
            "* 1234 FETCH (UID 98765 FLAGS (\\Seen $Forwarded NonJunk) INTERNALDATE"
                + " \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 244827 MODSEQ (65402) ENVELOPE "
                + envelope
                + " BODYSTRUCTURE "
                + bodystructure
                + ")\r\n");

    String headers =
        "From: Alice Example <alice@example.org>\r\n"
            + "To: Bob Example <bob@example.com>, Carol <carol@example.net>\r\n"
            + "Cc: team@example.com\r\n"
            + "Subject: Re: Quarterly report (draft 3)\r\n"
            + "Date: Mon, 3 Mar 2025 10:15:00 +0000\r\n"
            + "Message-ID: <20250303101502.4b7c2a@example.org>\r\n"
            + "References: <20250301090000.1111@example.com> <20250302093000.2222@example.org>\r\n"
            + "In-Reply-To: <20250302093000.2222@example.org>\r\n"
            + "Content-Type: multipart/mixed; boundary=\"----=_Part_1234_5678.1740996902\"\r\n"
            + "X-Priority: 3\r\n"
            + "Reply-To: Alice Example <alice@example.org>\r\n"
            + "\r\n";
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(
        ascii(
            "* 4017 FETCH (UID 4017 RFC822.SIZE 244827 BODY[HEADER.FIELDS (FROM TO CC BCC"
                + " SUBJECT DATE MESSAGE-ID PRIORITY X-PRIORITY REFERENCES NEWSGROUPS IN-REPLY-TO"
                + " CONTENT-TYPE REPLY-TO)] {"
                + headers.length()
                + "}\r\n"));
    b.writeBytes(ascii(headers));
    b.writeBytes(ascii(" FLAGS (\\Seen))\r\n"));
    fetchHeaderLiteral = b.toByteArray();

    uidFetch =
        ascii(
            "123 UID fetch 4017:4020 (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc"
                + " Bcc Subject Date Message-ID Priority X-Priority References Newsgroups"
                + " In-Reply-To Content-Type Reply-To)])\r\n");
    select = ascii("124 select \"INBOX\" (CONDSTORE)\r\n");

    expect(parser.response(FrameBytes.of(fetchEnvelope)), ParsedFrame.Data.class, "envelope");
    expect(parser.response(FrameBytes.of(fetchHeaderLiteral)), ParsedFrame.Data.class, "literal");
    expect(parser.command(FrameBytes.of(uidFetch)), ParsedFrame.Command.class, "uid fetch");
    expect(parser.command(FrameBytes.of(select)), ParsedFrame.Command.class, "select");
    System.out.printf(
        java.util.Locale.ROOT,
        "%n[parser] bytes: envelope+bodystructure %d, header literal %d, uid fetch %d, select %d%n",
        fetchEnvelope.length,
        fetchHeaderLiteral.length,
        uidFetch.length,
        select.length);
  }

  private static void expect(ParsedFrame p, Class<?> type, String what) {
    if (!type.isInstance(p)) {
      throw new IllegalStateException(what + " did not parse: " + p);
    }
  }

  @Benchmark
  public ParsedFrame responseFetchEnvelopeBodystructure() {
    return parser.response(FrameBytes.of(fetchEnvelope));
  }

  @Benchmark
  public ParsedFrame responseFetchHeaderLiteral() {
    return parser.response(FrameBytes.of(fetchHeaderLiteral));
  }

  @Benchmark
  public ParsedFrame commandUidFetchHeaders() {
    return parser.command(FrameBytes.of(uidFetch));
  }

  @Benchmark
  public ParsedFrame commandSelectCondstore() {
    return parser.command(FrameBytes.of(select));
  }
}
