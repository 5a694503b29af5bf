package dev.quirkproxy.codec.imap.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Frames that do not follow the grammar are {@link ParsedFrame.Unparsed} with a reason and a
 * position, never an exception, and still encode to their exact bytes; fed whole and byte by byte.
 */
class ImapParseMalformedTest {

  private static final String DEEP = "(".repeat(65) + ")".repeat(65);

  static Stream<Arguments> malformed() {
    return Stream.of(
        row("S", "* 1 FETCH (FLAGS (\\Seen)\r\n", "unbalanced '('", 10),
        row("S", "* 1 FETCH (FLAGS (\\Seen)))\r\n", "unbalanced ')'", 25),
        row("S", "* LIST () \"/\" \"INBOX\r\n", "unterminated quoted string", 14),
        row("S", "* 1 FETCH (BODY[] {abc}\r\nxyz)\r\n", "bad literal size in '{abc}'", 18),
        row("S", "* 1 FETCH (BODY[] {50}\r\nshort)\r\n", "runs past the end of the frame", 18),
        row("S", "* 1 FETCH (BODY[] {5} x\r\nhello)\r\n", "not at the end of its line", 18),
        row("S", "* 1 FETCH (BODY[] {9999999999999999999}\r\n)\r\n", "exceeds the limit of 18", 18),
        row("S", "* 1 FETCH (BODY[HEADER.FIELDS (A B]\r\n", "unbalanced ']'", 34),
        row("S", "* 1 FETCH " + DEEP + "\r\n", "nesting deeper than the limit of 64", 74),
        row("S", "* 1 FETCH (UID x)\r\n", "expected UID (a number), got x", 15),
        row("S", "* 3 EXISTS now\r\n", "unexpected now after EXISTS", 11),
        row("S", "* VANISHED (LATER) 1:2\r\n", "expected (EARLIER)", 11),
        row("S", "* ID (\"name\")\r\n", "odd number of items", 5),
        row("S", "* STATUS INBOX (MESSAGES)\r\n", "missing MESSAGES", 15),
        row("S", "* LIST (\\Noselect) 7 \"\"\r\n", "hierarchy delimiter (a string or NIL)", 19),
        row("S", "a1 FETCH 1 (UID 1)\r\n", "tagged response must be OK, NO or BAD", 3),
        row("S", "* OK done\r\nmore\r\n", "after a status response", 11),
        row("S", "*\r\n", "needs a tag and a name", 0),
        row("S", "", "empty frame", 0),
        row("S", "* SEARCH 1 2\rx\r\n", "CR without LF", 12),
        row("S", "* 1 FETCH (BODY[]<x> NIL)\r\n", "bad partial <x>", 11),
        row("C", "a1 FETCH 0:3 FLAGS\r\n", "contains 0", 9),
        row("C", "a1 FETCH 1:3\r\n", "missing fetch items", 14),
        row(
            "C",
            "a1 SEARCH " + "NOT ".repeat(70) + "ALL\r\n",
            "search keys nest deeper than the limit of 64",
            270),
        row("C", "a1 SEARCH ()\r\n", "empty search key group", 10),
        row("C", "a1 SELECT\r\n", "missing mailbox", 11),
        row("C", "DONE\r\n", "missing command name", 6),
        row("C", "\r\n", "missing tag", 2),
        row("C", "a1 ID (\"name\" x y\r\n", "unbalanced '('", 6));
  }

  private static Arguments row(String side, String frame, String reason, long position) {
    return Arguments.of(side, frame, reason, position);
  }

  @ParameterizedTest(name = "{0}: {2}")
  @MethodSource("malformed")
  void reportsWhyAndWhere(String side, String frame, String reason, long position) {
    byte[] bytes = frame.getBytes(StandardCharsets.ISO_8859_1);
    ImapParser parser = new ImapParser();
    for (ParseCases.Feed feed :
        new ParseCases.Feed[] {ParseCases.Feed.WHOLE, ParseCases.Feed.BYTE_BY_BYTE}) {
      ParsedFrame parsed =
          ParseCases.feed(
              bytes,
              side.equals("C"),
              feed,
              f -> side.equals("C") ? parser.command(f) : parser.response(f));
      assertThat(parsed).as(feed.name()).isInstanceOf(ParsedFrame.Unparsed.class);
      ParsedFrame.Unparsed u = (ParsedFrame.Unparsed) parsed;
      assertThat(u.reason()).as(feed.name()).contains(reason);
      assertThat(u.position()).as(u.reason()).isEqualTo(position);
      assertThat(u.encode()).isEqualTo(bytes);
    }
  }
}
