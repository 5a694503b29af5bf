package dev.quirkproxy.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code delete-to-trash} and {@code move-detection} over the translated view. */
class DeleteToTrashTest {

  private static final String TRASH =
      """
      {"id": "trash", "action": {"type": "delete-to-trash", "trash": "Trash"}}""";
  private static final String MOVES =
      """
      {"id": "moves", "action": {"type": "move-detection"}}""";

  private RuleHarness h;

  @AfterEach
  void close() {
    if (h != null) {
      h.close();
    }
  }

  private RuleHarness inbox(String... rules) {
    h = RuleHarness.imap(RuleHarness.file(rules)).selected("INBOX", 4);
    h.client("f0 FETCH 1:4 (UID FLAGS)\r\n");
    for (int i = 1; i <= 4; i++) {
      h.server("* " + i + " FETCH (UID " + (i * 10) + " FLAGS ())\r\n");
    }
    h.server("f0 OK done\r\n");
    return h.drain();
  }

  @Test
  void aDeleteBecomesAMoveToTrashWhileTheClientSeesItFlagged() {
    inbox(TRASH);
    h.client("a1 STORE 2 +FLAGS (\\Deleted)\r\n");
    assertThat(h.toServer()).isEqualTo("a1 MOVE 2 \"Trash\"\r\n");
    h.server("* OK [COPYUID 7 20 1] Moved\r\n");
    h.server("* 2 EXPUNGE\r\n");
    h.server("a1 OK Move completed\r\n");
    assertThat(h.toClient())
        .isEqualTo(
            "* OK [COPYUID 7 20 1] Moved\r\n"
                + "* 2 FETCH (FLAGS (\\Deleted))\r\n"
                + "a1 OK STORE completed (quirkproxy: moved to Trash)\r\n");
    // The client still counts 4 messages; its 3 is the upstream's 2.
    h.client("a2 FETCH 3 (FLAGS)\r\n");
    assertThat(h.toServer()).isEqualTo("a2 FETCH 2 (FLAGS)\r\n");
    h.server("* 2 FETCH (FLAGS ())\r\n");
    h.server("a2 OK done\r\n");
    assertThat(h.toClient()).isEqualTo("* 3 FETCH (FLAGS ())\r\na2 OK done\r\n");
    // A SEARCH answers in the client's numbers too.
    h.client("a2s SEARCH ALL\r\n");
    assertThat(h.toServer()).isEqualTo("a2s SEARCH ALL\r\n");
    h.server("* SEARCH 1 2 3\r\n");
    h.server("a2s OK done\r\n");
    assertThat(h.toClient()).isEqualTo("* SEARCH 1 3 4\r\na2s OK done\r\n");
    // Its EXPUNGE tells it the message is gone.
    h.client("a3 EXPUNGE\r\n");
    assertThat(h.toServer()).isEqualTo("a3 EXPUNGE\r\n");
    h.server("a3 OK Expunge completed\r\n");
    assertThat(h.toClient()).isEqualTo("* 2 EXPUNGE\r\na3 OK Expunge completed\r\n");
    h.client("a4 FETCH 3 (FLAGS)\r\n");
    assertThat(h.toServer()).isEqualTo("a4 FETCH 3 (FLAGS)\r\n");
  }

  @Test
  void aUidStoreBecomesAUidMoveAndASilentOneGetsNoFetch() {
    inbox(TRASH);
    h.client("a1 UID STORE 30 +FLAGS.SILENT (\\Deleted)\r\n");
    assertThat(h.toServer()).isEqualTo("a1 UID MOVE 30 \"Trash\"\r\n");
    h.server("* 3 EXPUNGE\r\n");
    h.server("a1 OK Move completed\r\n");
    assertThat(h.toClient())
        .isEqualTo("a1 OK UID STORE completed (quirkproxy: moved to Trash)\r\n");
  }

  @Test
  void inTrashOrWithOtherFlagsTheStoreGoesOnUnchanged() {
    inbox(TRASH);
    h.client("a1 STORE 1 +FLAGS (\\Seen)\r\n");
    assertThat(h.toServer()).isEqualTo("a1 STORE 1 +FLAGS (\\Seen)\r\n");
    h.server("a1 OK done\r\n");
    h.client("a2 SELECT Trash\r\n");
    h.server("* 1 EXISTS\r\n");
    h.server("a2 OK [READ-WRITE] done\r\n");
    h.drain();
    h.client("a3 STORE 1 +FLAGS (\\Deleted)\r\n");
    assertThat(h.toServer()).isEqualTo("a3 STORE 1 +FLAGS (\\Deleted)\r\n");
  }

  @Test
  void withoutMoveButWithUidplusItIsCopyStoreAndUidExpungeOfExactlyThoseMessages() {
    h = RuleHarness.imap(RuleHarness.file(TRASH));
    h.server("* OK [CAPABILITY IMAP4rev1 UIDPLUS] ready\r\n");
    h.client("a0 LOGIN bob pw\r\n");
    h.server("a0 OK [CAPABILITY IMAP4rev1 UIDPLUS] Logged in\r\n");
    h.client("s1 SELECT INBOX\r\n");
    h.server("* 3 EXISTS\r\n");
    h.server("s1 OK [READ-WRITE] done\r\n");
    h.client("f0 FETCH 1:3 (UID FLAGS)\r\n");
    h.server("* 1 FETCH (UID 10 FLAGS ())\r\n");
    h.server("* 2 FETCH (UID 20 FLAGS (\\Seen))\r\n");
    h.server("* 3 FETCH (UID 30 FLAGS ())\r\n");
    h.server("f0 OK done\r\n");
    h.drain();
    h.client("a1 STORE 2 +FLAGS (\\Deleted)\r\n");
    assertThat(h.toServer())
        .isEqualTo(
            "a1-qp1 UID COPY 20 \"Trash\"\r\n"
                + "a1-qp3 UID STORE 20 +FLAGS.SILENT (\\Deleted)\r\n"
                + "a1 UID EXPUNGE 20\r\n");
    h.server("a1-qp1 OK [COPYUID 7 20 5] Copied\r\n");
    h.server("a1-qp3 OK Stored\r\n");
    h.server("* 2 EXPUNGE\r\n");
    h.server("a1 OK Expunged\r\n");
    assertThat(h.toClient())
        .isEqualTo(
            "* 2 FETCH (FLAGS (\\Seen \\Deleted))\r\n"
                + "a1 OK STORE completed (quirkproxy: moved to Trash)\r\n");
    h.client("a2 EXPUNGE\r\n");
    h.server("a2 OK done\r\n");
    assertThat(h.toClient()).isEqualTo("* 2 EXPUNGE\r\na2 OK done\r\n");
  }

  @Test
  void withNeitherMoveNorUidplusOtherDeletedMessagesAreUnflaggedAroundThePlainExpunge() {
    h = RuleHarness.imap(RuleHarness.file(TRASH));
    h.server("* OK [CAPABILITY IMAP4rev1] ready\r\n");
    h.client("a0 LOGIN bob pw\r\n");
    h.server("a0 OK Logged in\r\n");
    h.client("s1 SELECT INBOX\r\n");
    h.server("* 3 EXISTS\r\n");
    h.server("s1 OK [READ-WRITE] done\r\n");
    h.client("f0 FETCH 1:3 (UID FLAGS)\r\n");
    h.server("* 1 FETCH (UID 10 FLAGS (\\Deleted))\r\n");
    h.server("* 2 FETCH (UID 20 FLAGS ())\r\n");
    h.server("* 3 FETCH (UID 30 FLAGS ())\r\n");
    h.server("f0 OK done\r\n");
    h.drain();
    h.client("a1 STORE 2 +FLAGS (\\Deleted)\r\n");
    assertThat(h.toServer())
        .isEqualTo(
            "a1-qp1 UID COPY 20 \"Trash\"\r\n"
                + "a1-qp2 UID STORE 10 -FLAGS.SILENT (\\Deleted)\r\n"
                + "a1-qp3 UID STORE 20 +FLAGS.SILENT (\\Deleted)\r\n"
                + "a1 EXPUNGE\r\n"
                + "a1-qp4 UID STORE 10 +FLAGS.SILENT (\\Deleted)\r\n");
    h.server("a1-qp1 OK done\r\n");
    h.server("a1-qp2 OK done\r\n");
    h.server("a1-qp3 OK done\r\n");
    h.server("* 2 EXPUNGE\r\n");
    h.server("a1 OK Expunged\r\n");
    h.server("a1-qp4 OK done\r\n");
    assertThat(h.toClient())
        .isEqualTo(
            "* 2 FETCH (FLAGS (\\Deleted))\r\n"
                + "a1 OK STORE completed (quirkproxy: moved to Trash)\r\n");
  }

  @Test
  void withNeitherAndUnknownFlagsTheStoreGoesOnUnchanged() {
    h = RuleHarness.imap(RuleHarness.file(TRASH));
    h.server("* OK [CAPABILITY IMAP4rev1] ready\r\n");
    h.client("a0 LOGIN bob pw\r\n");
    h.server("a0 OK Logged in\r\n");
    h.client("s1 SELECT INBOX\r\n");
    h.server("* 3 EXISTS\r\n");
    h.server("s1 OK [READ-WRITE] done\r\n");
    h.client("f0 FETCH 2 (UID)\r\n");
    h.server("* 2 FETCH (UID 20)\r\n");
    h.server("f0 OK done\r\n");
    h.drain();
    h.client("a1 STORE 2 +FLAGS (\\Deleted)\r\n");
    assertThat(h.toServer()).isEqualTo("a1 STORE 2 +FLAGS (\\Deleted)\r\n");
  }

  @Test
  void deletingWhatWasJustCopiedIsOneUidMoveWhenTheUpstreamHasMove() {
    inbox(TRASH, MOVES);
    h.client("a1 COPY 2 Archive\r\n");
    // Held: the client is answered, nothing goes upstream yet.
    assertThat(h.toServer()).isEmpty();
    assertThat(h.toClient())
        .isEqualTo(
            "a1 OK COPY completed (quirkproxy: held, sent as a MOVE if these messages are deleted"
                + " next)\r\n");
    h.client("a2 STORE 2 +FLAGS.SILENT (\\Deleted)\r\n");
    assertThat(h.toServer()).isEqualTo("a2 UID MOVE 20 Archive\r\n");
    h.server("* OK [COPYUID 7 20 1] Moved\r\n");
    h.server("* 2 EXPUNGE\r\n");
    h.server("a2 OK Move completed\r\n");
    assertThat(h.toClient())
        .isEqualTo(
            "* OK [COPYUID 7 20 1] Moved\r\n"
                + "a2 OK STORE completed (quirkproxy: moved to Archive)\r\n");
    // The client's EXPUNGE: nothing left to expunge upstream, the client learns of its message.
    h.client("a3 EXPUNGE\r\n");
    assertThat(h.toServer()).isEqualTo("a3 EXPUNGE\r\n");
    h.server("a3 OK Expunge completed\r\n");
    assertThat(h.toClient()).isEqualTo("* 2 EXPUNGE\r\na3 OK Expunge completed\r\n");
    h.client("a4 FETCH 2 (UID)\r\n");
    assertThat(h.toServer()).isEqualTo("a4 FETCH 2 (UID)\r\n");
  }

  @Test
  void aUidCopyAndAUidStoreOfTheSameMessagesAreOneUidMove() {
    inbox(MOVES);
    h.client("a1 UID COPY 20:30 \"Deleted Items\"\r\n");
    assertThat(h.toClient()).startsWith("a1 OK UID COPY completed");
    h.client("a2 UID STORE 20,30 +FLAGS (\\Deleted)\r\n");
    assertThat(h.toServer()).isEqualTo("a2 UID MOVE 20,30 \"Deleted Items\"\r\n");
    h.server("* 2 EXPUNGE\r\n");
    h.server("* 2 EXPUNGE\r\n");
    h.server("a2 OK Move completed\r\n");
    assertThat(h.toClient())
        .isEqualTo(
            "* 2 FETCH (UID 20 FLAGS (\\Deleted))\r\n"
                + "* 3 FETCH (UID 30 FLAGS (\\Deleted))\r\n"
                + "a2 OK UID STORE completed (quirkproxy: moved to Deleted Items)\r\n");
  }

  @Test
  void withoutMoveUpstreamTheCopyGoesOnAndTheDeleteIsLeftToTheClient() {
    h = RuleHarness.imap(RuleHarness.file(TRASH, MOVES));
    h.server("* OK [CAPABILITY IMAP4rev1 UIDPLUS] ready\r\n");
    h.client("a0 LOGIN bob pw\r\n");
    h.server("a0 OK [CAPABILITY IMAP4rev1 UIDPLUS] Logged in\r\n");
    h.client("s1 SELECT INBOX\r\n");
    h.server("* 2 EXISTS\r\n");
    h.server("s1 OK [READ-WRITE] done\r\n");
    h.client("f0 FETCH 1:2 (UID FLAGS)\r\n");
    h.server("* 1 FETCH (UID 10 FLAGS ())\r\n");
    h.server("* 2 FETCH (UID 20 FLAGS ())\r\n");
    h.server("f0 OK done\r\n");
    h.drain();
    h.client("a1 COPY 2 Archive\r\n");
    h.server("a1 OK [COPYUID 7 20 1] done\r\n");
    h.client("a2 STORE 2 +FLAGS.SILENT (\\Deleted)\r\n");
    assertThat(h.toServer())
        .isEqualTo("a1 COPY 2 Archive\r\na2 STORE 2 +FLAGS.SILENT (\\Deleted)\r\n");
  }

  @Test
  void withAsMoveOffTheCopyAndTheDeleteGoOnAsSent() {
    inbox(
        TRASH,
        """
        {"id": "moves", "action": {"type": "move-detection", "asMove": false}}""");
    h.client("a1 COPY 2 Archive\r\n");
    h.server("a1 OK [COPYUID 7 20 1] done\r\n");
    h.client("a2 STORE 2 +FLAGS.SILENT (\\Deleted)\r\n");
    assertThat(h.toServer())
        .isEqualTo("a1 COPY 2 Archive\r\na2 STORE 2 +FLAGS.SILENT (\\Deleted)\r\n");
  }

  @Test
  void aRefreshAfterAHeldCopySendsTheCopyFirstAndTheDeleteGoesToTrash() {
    inbox(TRASH, MOVES);
    h.client("a1 COPY 2 Archive\r\n");
    h.drain();
    h.client("a2 NOOP\r\n");
    assertThat(h.toServer()).isEqualTo("a1-qp0 UID COPY 20 Archive\r\na2 NOOP\r\n");
    h.server("a1-qp0 OK [COPYUID 7 20 1] done\r\n");
    h.server("a2 OK done\r\n");
    assertThat(h.toClient()).isEqualTo("a2 OK done\r\n");
    h.client("a3 STORE 2 +FLAGS.SILENT (\\Deleted)\r\n");
    assertThat(h.toServer()).isEqualTo("a3 MOVE 2 \"Trash\"\r\n");
  }

  @Test
  void aHeldCopyThatFailsLateIsToldToTheClient() {
    inbox(MOVES);
    h.client("a1 COPY 2 Nowhere\r\n");
    h.drain();
    h.client("a2 STORE 3 +FLAGS (\\Seen)\r\n");
    assertThat(h.toServer())
        .isEqualTo("a1-qp0 UID COPY 20 Nowhere\r\na2 STORE 3 +FLAGS (\\Seen)\r\n");
    h.server("a1-qp0 NO [TRYCREATE] Mailbox doesn't exist: Nowhere\r\n");
    assertThat(h.toClient())
        .isEqualTo(
            "* NO [ALERT] quirkproxy: the COPY answered OK earlier failed on the server:"
                + " Mailbox doesn't exist: Nowhere\r\n");
  }
}
