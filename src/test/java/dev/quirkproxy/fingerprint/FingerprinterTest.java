package dev.quirkproxy.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quirkproxy.codec.imap.parse.IdParam;
import dev.quirkproxy.session.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fingerprinter: ID parsing, evidence as it arrives, ambiguity, skipping non-commands. */
class FingerprinterTest {

  private static Catalog catalog;

  @BeforeAll
  static void load() throws CatalogException {
    catalog = Catalog.load(List.of());
  }

  private static Fingerprinter imap(String... clientLines) {
    Fingerprinter fp = new Fingerprinter(catalog, Protocol.IMAP);
    for (String l : clientLines) {
      fp.client(l);
    }
    return fp;
  }

  @Test
  void idParametersAreParsedWithTheImapParser() {
    Fingerprinter fp =
        imap(
            "1 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==",
            "2 ID (\"name\" \"iPhone Mail\" \"version\" \"22C161\" \"os\" \"iOS\""
                + " \"os-version\" \"18.2.1 (22C161)\")");
    Fingerprinter.Observations o = fp.observations();
    assertThat(o.id())
        .containsExactly(
            new IdParam("name", "iPhone Mail"),
            new IdParam("version", "22C161"),
            new IdParam("os", "iOS"),
            new IdParam("os-version", "18.2.1 (22C161)"));
    assertThat(o.features()).contains("id:post-auth", "id:os-version");
    Fingerprint f = fp.fingerprint();
    assertThat(f.family()).isEqualTo("ios-mail");
    assertThat(f.version()).isEqualTo("18.2.1 (22C161)");
    assertThat(f.confidence()).isGreaterThan(0.8);
    assertThat(f.evidence()).anyMatch(e -> e.kind().equals("id") && e.weight() > 0);
  }

  @Test
  void idWithNilValuesAndIdNil() {
    Fingerprinter fp = imap("1 ID (\"name\" \"Thunderbird\" \"version\" NIL)");
    assertThat(fp.observations().id())
        .containsExactly(new IdParam("name", "Thunderbird"), new IdParam("version", null));
    assertThat(fp.fingerprint().family()).isEqualTo("thunderbird");
    assertThat(fp.fingerprint().version()).isNull();
    Fingerprinter nil = imap("1 CAPABILITY", "2 LOGIN a b", "3 LIST \"\" \"\"", "4 ID NIL");
    assertThat(nil.observations().features()).contains("id:nil");
    assertThat(nil.observations().id()).isNull();
    assertThat(nil.fingerprint().family()).isEqualTo("libetpan");
  }

  @Test
  void apparentlyBrokenIdIsKeptAsEvidence() {
    Fingerprinter fp = imap("1 ID (\"name\"");
    assertThat(fp.observations().features()).contains("id:unparsed", "id:pre-auth");
  }

  @Test
  void idFieldNamesAreCaseInsensitive() {
    Fingerprinter fp = imap("1 ID (\"NAME\" \"Kontact IMAP Resource\")");
    assertThat(fp.fingerprint().family()).isEqualTo("kmail");
  }

  @Test
  void decimalTagsFromOneWithoutIdAreAmbiguous() {
    // quoted as mbsync (SELECT "%s") and K-9 (ImapUtility.encodeString) always send it
    Fingerprinter fp =
        imap(
            "1 CAPABILITY",
            "2 LOGIN alice secret",
            "3 SELECT \"INBOX\"",
            "4 UID FETCH 1:* (UID FLAGS)",
            "5 LOGOUT");
    Fingerprint f = fp.fingerprint();
    List<String> all = new ArrayList<>(f.alsoPossible());
    all.add(f.family());
    assertThat(all).contains("mbsync", "k9", "libetpan");
    assertThat(f.confidence()).isLessThan(0.3);
    assertThat(f.evidence()).anyMatch(e -> e.detail().startsWith("these fit as well"));
  }

  @Test
  void anExactTieIsReportedAsSuchWithLowConfidence() {
    // mutt ("a%04u") and NeoMutt ("%c%04u", here the letter a) send the same opening without ID
    Fingerprint f =
        imap("a0000 CAPABILITY", "a0001 LOGIN \"u\" \"p\"", "a0002 LIST \"\" \"\"").fingerprint();
    List<String> both = new ArrayList<>(f.alsoPossible());
    both.add(f.family());
    assertThat(both).contains("mutt", "neomutt");
    assertThat(f.alsoPossible()).isNotEmpty();
    assertThat(f.confidence()).isLessThanOrEqualTo(0.5);
    assertThat(f.evidence()).anyMatch(e -> e.detail().startsWith("these fit as well"));
  }

  @Test
  void aCommandTaggedWithItsOwnNameKeepsTheTagShapeAndIsEvidence() {
    Fingerprinter fp =
        imap(
            "A0 CAPABILITY",
            "A1 LOGIN \"u\" \"p\"",
            "A2 NAMESPACE",
            "A3 LIST \"\" \"\"",
            "IDLE IDLE",
            "DONE",
            "A4 SELECT \"INBOX\"");
    Fingerprinter.Observations o = fp.observations();
    assertThat(o.tags().kind()).isEqualTo(TagShape.Kind.DECIMAL);
    assertThat(o.tags().prefix()).isEqualTo("A");
    assertThat(o.tags().first()).isZero();
    assertThat(o.tags().outliers()).isEqualTo(1);
    assertThat(o.features()).contains("tag:verb");
    assertThat(fp.fingerprint().family()).isEqualTo("node-imap");
  }

  @Test
  void statusItemListsAreFeatures() {
    Fingerprinter fp =
        imap(
            "1 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==",
            "2 STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY)",
            "3 STATUS \"Sent (old)\" (messages  recent uidnext uidvalidity unseen)");
    assertThat(fp.observations().features())
        .contains(
            "status:MESSAGES UIDNEXT UIDVALIDITY",
            "status:MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN");
    assertThat(fp.fingerprint().family()).isEqualTo("nextcloud-mail");
  }

  @Test
  void sharedRoundcubeFetchmailStyleSaysSo() {
    Fingerprint f = imap("A0001 CAPABILITY", "A0002 LOGIN a b", "A0003 SELECT INBOX").fingerprint();
    List<String> all = new ArrayList<>(f.alsoPossible());
    all.add(f.family());
    assertThat(all).contains("roundcube", "fetchmail");
    assertThat(f.confidence()).isLessThan(0.5);
  }

  @Test
  void answerChangesAsEvidenceArrives() {
    Fingerprinter fp = imap("1 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==", "2 COMPRESS DEFLATE");
    Fingerprint before = fp.fingerprint();
    assertThat(before.confidence()).isLessThan(0.5);
    assertThat(fp.fingerprint()).isSameAs(before);
    fp.client("3 ID (\"name\" \"K-9 Mail\" \"version\" \"6.712\")");
    Fingerprint after = fp.fingerprint();
    assertThat(after.family()).isEqualTo("k9");
    assertThat(after.version()).isEqualTo("6.712");
    assertThat(after.confidence()).isGreaterThan(0.85);
    assertThat(after.alsoPossible()).isEmpty();
  }

  @Test
  void lowerCaseVerbsPointToThunderbird() {
    Fingerprinter fp =
        imap("5 capability", "6 login \"a\" \"b\"", "7 namespace", "8 select \"INBOX\"");
    assertThat(fp.observations().features()).contains("verbs:lower");
    assertThat(fp.fingerprint().family()).isEqualTo("thunderbird");
    assertThat(fp.fingerprint().version()).isEqualTo(">= 91");
  }

  @Test
  void firstCommandsOrderAndForms() {
    Fingerprinter fp =
        imap(
            "A000001 CAPABILITY",
            "A000002 LOGIN a b",
            "A000003 NAMESPACE",
            "A000004 ID (\"name\" \"Kontact IMAP Resource\")",
            "A000005 ENABLE QRESYNC",
            "A000006 list (subscribed) \"\" \"*\" return (special-use)",
            "A000007 EXAMINE \"INBOX\" (CONDSTORE)",
            "A000008 UID FETCH 1:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (From X-TUID)]<0.100>)");
    var o = fp.observations();
    assertThat(o.opening())
        .containsExactly(
            "CAPABILITY", "LOGIN", "NAMESPACE", "ID", "ENABLE", "LIST", "EXAMINE", "UID FETCH");
    assertThat(o.features())
        .contains(
            "first:CAPABILITY",
            "auth:LOGIN",
            "after-auth:NAMESPACE",
            "id:post-auth",
            "enable:QRESYNC",
            "list:LIST (SUBSCRIBED) \"\" \"*\" RETURN (SPECIAL-USE)",
            "list:return-special-use",
            "list:selection-subscribed",
            "select:quoted",
            "select:condstore",
            "fetch:UID FLAGS BODY.PEEK[HEADER.FIELDS]<>",
            "fetch-header:x-tuid",
            "fetch-item:partial");
    assertThat(fp.fingerprint().family()).isEqualTo("kmail");
    assertThat(fp.fingerprint().evidence())
        .anyMatch(e -> e.kind().equals("order") && e.detail().equals("NAMESPACE > ID > ENABLE"));
  }

  @Test
  void continuationDataAndIdleDoneAreNotCommands() {
    Fingerprinter fp = new Fingerprinter(catalog, null);
    fp.server("* OK ready");
    fp.client("1 AUTHENTICATE PLAIN");
    fp.server("+ ");
    fp.client("AGFsaWNlAHNlY3JldA==");
    fp.client("2 IDLE");
    fp.server("+ idling");
    fp.client("DONE");
    fp.client("3 NOOP");
    assertThat(fp.protocol()).isEqualTo(Protocol.IMAP);
    assertThat(fp.observations().opening()).containsExactly("AUTHENTICATE", "IDLE", "NOOP");
    assertThat(fp.observations().features()).contains("auth:no-sasl-ir");
  }

  @Test
  void literalsInTranscriptsAreSkipped() {
    Fingerprinter fp = imap("A1 LOGIN {5}", "alice {6}", "secret", "A2 SELECT INBOX");
    fp.server("+ ignored");
    assertThat(fp.observations().opening()).containsExactly("LOGIN", "SELECT");
    Fingerprinter sync = new Fingerprinter(catalog, Protocol.IMAP);
    sync.clientFrame("A1 LOGIN alice {6}");
    sync.server("+ Ready for literal");
    sync.clientFrame("A2 SELECT INBOX");
    assertThat(sync.observations().opening()).containsExactly("LOGIN", "SELECT");
  }

  @Test
  void aLiteralEndingWithItsLineIsFollowedByTheRestOfItsCommand() {
    // APPEND {4+} "hi\r\n" then the command's own CRLF: an empty line that is not a command.
    Fingerprinter fp =
        imap(
            "7 APPEND \"INBOX\" {4+}",
            "hi",
            "",
            "8 APPEND INBOX {4}",
            "yo",
            " {2}",
            "",
            "",
            "9 NOOP");
    assertThat(fp.observations().opening()).containsExactly("APPEND", "APPEND", "NOOP");
    assertThat(fp.observations().features()).doesNotContain("blank-line");
  }

  @Test
  void blankLineBeforeACommandIsIos18Evidence() {
    Fingerprinter fp = imap("EX31 SELECT INBOX", "", "EX32 NOOP");
    assertThat(fp.observations().features()).contains("blank-line");
    assertThat(fp.fingerprint().family()).isEqualTo("ios-mail");
  }

  @Test
  void idLateInALongSessionIsStillSeen() {
    Fingerprinter fp = new Fingerprinter(catalog, Protocol.IMAP);
    for (int i = 1; i <= 100; i++) {
      fp.client(i + " NOOP");
    }
    fp.client("101 ID (\"name\" \"NeoMutt\")");
    assertThat(fp.fingerprint().family()).isEqualTo("neomutt");
  }

  @Test
  void pop3IsToldFromTheLinesAndMatchedByItsPattern() {
    Fingerprinter fp = new Fingerprinter(catalog, null);
    for (String l : List.of("CAPA", "USER a", "PASS b", "STAT", "UIDL", "UIDL 1", "TOP 1 10")) {
      fp.client(l);
    }
    assertThat(fp.protocol()).isEqualTo(Protocol.POP3);
    assertThat(fp.observations().features())
        .contains("first:CAPA", "auth:USER", "after-auth:STAT", "uidl-arg");
    assertThat(fp.fingerprint().family()).isEqualTo("aosp-email");
    assertThat(fp.observations().tags().kind()).isEqualTo(TagShape.Kind.NONE);
  }

  @Test
  void nothingSeenIsUnknown() {
    Fingerprint f = new Fingerprinter(catalog, Protocol.IMAP).fingerprint();
    assertThat(f.family()).isEqualTo(Fingerprint.UNKNOWN);
    assertThat(f.confidence()).isZero();
    assertThat(f.version()).isNull();
  }

  @Test
  void outlookIsNeverConfident() {
    Fingerprinter fp =
        imap(
            "A1 CAPABILITY",
            "A2 LOGIN a b",
            "A3 CAPABILITY",
            "A4 XLIST \"\" \"*\"",
            "A5 UID FETCH 1:* (UID FLAGS)");
    Fingerprint f = fp.fingerprint();
    assertThat(f.family()).isEqualTo("outlook");
    assertThat(f.confidence()).isLessThanOrEqualTo(0.45);
    assertThat(f.evidence()).anyMatch(e -> e.detail().contains("weak evidence"));
  }

  @Test
  void steadyPathCostsAboutAMicrosecondAtMost() {
    Fingerprinter fp = new Fingerprinter(catalog, Protocol.IMAP);
    for (int i = 1; i <= Fingerprinter.FULL_COMMANDS; i++) {
      fp.client(i + " NOOP");
    }
    String[] lines = new String[1024];
    for (int i = 0; i < lines.length; i++) {
      lines[i] = (1000 + i) + " UID FETCH " + i + " (UID FLAGS BODY.PEEK[])";
    }
    for (int i = 0; i < 200_000; i++) {
      fp.client(lines[i & 1023]);
    }
    int n = 1_000_000;
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      fp.client(lines[i & 1023]);
    }
    double perCommand = (System.nanoTime() - t0) / (double) n;
    System.out.printf(Locale.ROOT, "fingerprinter steady path: %.0f ns per command%n", perCommand);
    // 1 µs is the target; the bound is loose so a busy CI machine does not fail the build.
    assertThat(perCommand).isLessThan(5_000);
  }

  @Test
  void openingPathIsCheapToo() {
    String[] session = {
      "1 CAPABILITY",
      "2 AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==",
      "3 ID (\"name\" \"K-9 Mail\" \"version\" \"6.712\")",
      "4 ENABLE UTF8=ACCEPT",
      "5 NAMESPACE",
      "6 LIST \"\" \"*\" RETURN (SPECIAL-USE)",
      "7 SELECT \"INBOX\"",
      "8 UID FETCH 1:100 (UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER])"
    };
    int rounds = 20_000;
    long t0 = 0;
    for (int r = 0; r < rounds * 2; r++) {
      if (r == rounds) {
        t0 = System.nanoTime();
      }
      Fingerprinter fp = new Fingerprinter(catalog, Protocol.IMAP);
      for (String l : session) {
        fp.client(l);
      }
    }
    double perCommand = (System.nanoTime() - t0) / (double) (rounds * session.length);
    System.out.printf(Locale.ROOT, "fingerprinter opening path: %.0f ns per command%n", perCommand);
    assertThat(perCommand).isLessThan(50_000);
  }
}
