package dev.quirkproxy.it;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The deterministic mailbox every test user starts with: the same bytes, flags, dates, UIDs and
 * UIDVALIDITY on every run, so a conversation directly with Dovecot and the same conversation
 * through the proxy can be compared byte for byte.
 */
public final class MailSeed {

  private MailSeed() {}

  /** UIDVALIDITY of every seeded INBOX (written into dovecot-uidlist, so it never varies). */
  public static final long INBOX_UIDVALIDITY = 1736157600L;

  /** UIDVALIDITY of every seeded Archive folder. */
  public static final long ARCHIVE_UIDVALIDITY = 1736157601L;

  /** The folders every user has besides INBOX (Maildir++ names without the leading dot). */
  public static final List<String> FOLDERS = List.of("Archive");

  /**
   * One seeded message.
   *
   * @param uid its UID in INBOX (also its sequence number before anything is expunged)
   * @param maildirFlags Maildir info flags ("S" = \Seen, "F" = \Flagged)
   * @param received INTERNALDATE (the file's mtime)
   * @param lf the message as stored in the Maildir, LF line endings
   */
  public record Message(int uid, String maildirFlags, Instant received, byte[] lf) {

    /** The message as IMAP and POP3 serve it: CRLF line endings (RFC 5322). */
    public byte[] crlf() {
      return toCrlf(lf);
    }

    /** The size IMAP reports as RFC822.SIZE and POP3 as the octet count. */
    public int crlfSize() {
      return crlf().length;
    }

    public String subject() {
      String text = new String(lf, StandardCharsets.UTF_8);
      int i = text.indexOf("\nSubject: ");
      return text.substring(i + 10, text.indexOf('\n', i + 1));
    }
  }

  public static final Message PLAIN =
      new Message(
          1,
          "S",
          Instant.parse("2025-01-06T10:00:00Z"),
          lf(
              """
              Return-Path: <carol@example.org>
              From: Carol Example <carol@example.org>
              To: Alice <alice@example.net>
              Subject: Plain text greeting
              Date: Mon, 06 Jan 2025 10:00:00 +0000
              Message-ID: <plain-1@quirkproxy.test>
              MIME-Version: 1.0
              Content-Type: text/plain; charset=us-ascii

              Hello Alice,

              this is a short plain text message. Nothing special about it.

              Carol
              """));

  public static final Message MULTIPART =
      new Message(
          2,
          "",
          Instant.parse("2025-01-06T10:05:00Z"),
          lf(
              """
              From: Dave <dave@example.org>
              To: Alice <alice@example.net>, Bob <bob@example.net>
              Cc: "Eve (the auditor)" <eve@example.com>
              Subject: Quarterly report, with attachment
              Date: Mon, 06 Jan 2025 10:05:00 +0000
              Message-ID: <multi-2@quirkproxy.test>
              MIME-Version: 1.0
              Content-Type: multipart/mixed; boundary="=_quirk_boundary_42"

              This is a multi-part message in MIME format.

              --=_quirk_boundary_42
              Content-Type: text/plain; charset=utf-8
              Content-Transfer-Encoding: 8bit

              Hi both,

              the report is attached. Umlauts in the body: \u00e4\u00f6\u00fc \u00df.

              Dave

              --=_quirk_boundary_42
              Content-Type: application/octet-stream; name="report.bin"
              Content-Disposition: attachment; filename="report.bin"
              Content-Transfer-Encoding: base64

              """
                  + base64Lines(randomBytes(42, 3000))
                  + """

              --=_quirk_boundary_42--
              """));

  public static final Message DOTS =
      new Message(
          3,
          "F",
          Instant.parse("2025-01-06T10:10:00Z"),
          lf(
              """
              From: Frank <frank@example.org>
              To: Alice <alice@example.net>
              Subject: Lines that start with dots
              Date: Mon, 06 Jan 2025 10:10:00 +0000
              Message-ID: <dots-3@quirkproxy.test>
              MIME-Version: 1.0
              Content-Type: text/plain; charset=us-ascii

              The next line is a lone dot, which POP3 must dot-stuff:
              .
              ..two dots
              .one dot
              ...
               .space then dot
              .\t.tab
              .
              .
              The end.
              """));

  public static final Message EIGHT_BIT =
      new Message(
          4,
          "",
          Instant.parse("2025-01-06T10:15:00Z"),
          lf(
              """
              From: =?UTF-8?Q?J=C3=BCrgen?= <juergen@example.de>
              To: Alice <alice@example.net>
              Subject: Gr\u00fc\u00dfe aus K\u00f6ln "quoted" \\ backslash
              Date: Mon, 06 Jan 2025 10:15:00 +0100
              Message-ID: <eight-4@quirkproxy.test>
              MIME-Version: 1.0
              Content-Type: text/plain; charset=utf-8
              Content-Transfer-Encoding: 8bit

              Raw UTF-8 in the Subject makes Dovecot send ENVELOPE strings as literals
              inside a FETCH line: Stra\u00dfe, \u00e9t\u00e9, \u65e5\u672c\u8a9e.
              {5}
              A line that ends in something that looks like a literal: {5}
              """));

  /** A 5 MiB message: big enough to cross many reads and the proxy's backpressure. */
  public static final Message BIG =
      new Message(5, "", Instant.parse("2025-01-06T10:20:00Z"), bigMessage(5 * 1024 * 1024));

  /** INBOX in UID order. */
  public static final List<Message> INBOX = List.of(PLAIN, MULTIPART, DOTS, EIGHT_BIT, BIG);

  /** A message for APPEND tests (CRLF, as a client sends it). */
  public static byte[] appendable(String subject) {
    return toCrlf(
        lf(
            "From: Tester <tester@example.org>\n"
                + "To: Alice <alice@example.net>\n"
                + "Subject: "
                + subject
                + "\n"
                + "Date: Tue, 07 Jan 2025 08:00:00 +0000\n"
                + "Message-ID: <"
                + subject.replaceAll("[^A-Za-z0-9]", "-")
                + "@quirkproxy.test>\n"
                + "\n"
                + "Appended by a test.\n"
                + ".a line starting with a dot\n"));
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] toCrlf(byte[] lf) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(lf.length + lf.length / 40);
    for (byte b : lf) {
      if (b == '\n') {
        out.write('\r');
      }
      out.write(b);
    }
    return out.toByteArray();
  }

  private static byte[] lf(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] randomBytes(long seed, int n) {
    // java.util.Random's algorithm is fixed by its specification: the same bytes on every JVM.
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static String base64Lines(byte[] data) {
    return Base64.getMimeEncoder(76, new byte[] {'\n'}).encodeToString(data) + "\n";
  }

  private static byte[] bigMessage(int bodySize) {
    StringBuilder b = new StringBuilder(bodySize + 1024);
    b.append("From: Bulk Sender <bulk@example.org>\n")
        .append("To: Alice <alice@example.net>\n")
        .append("Subject: A five megabyte message\n")
        .append("Date: Mon, 06 Jan 2025 10:20:00 +0000\n")
        .append("Message-ID: <big-5@quirkproxy.test>\n")
        .append("MIME-Version: 1.0\n")
        .append("Content-Type: text/plain; charset=us-ascii\n")
        .append("\n");
    int start = b.length();
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-";
    for (int line = 0; b.length() - start < bodySize; line++) {
      b.append(String.format(Locale.ROOT, "%07d ", line));
      for (int i = 0; i < 68; i++) {
        b.append(alphabet.charAt((line * 7 + i * 13) % alphabet.length()));
      }
      b.append('\n');
      if (line % 1000 == 999) {
        // Dots at line starts all through the body, for POP3's dot-stuffing.
        b.append(".\n..\n");
      }
    }
    return b.toString().getBytes(StandardCharsets.US_ASCII);
  }
}
