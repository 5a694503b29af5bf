package dev.quirkproxy.translate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Pop3SnapshotTest {

  @Test
  void numbersFollowUidOrderAndUniqueIdsCarryUidValidity() {
    Pop3Snapshot s =
        Pop3Snapshot.of(
            42, new long[] {9, 3, 5}, new long[] {90, 30, 50}, Pop3Translation.Order.UID);
    assertThat(s.uid(1)).isEqualTo(3);
    assertThat(s.octets(1)).isEqualTo(30);
    assertThat(s.uniqueId(3)).isEqualTo("42.9");
    Pop3Snapshot desc =
        Pop3Snapshot.of(
            42, new long[] {9, 3, 5}, new long[] {90, 30, 50}, Pop3Translation.Order.UID_DESC);
    assertThat(desc.uid(1)).isEqualTo(9);
    assertThat(desc.uniqueId(3)).isEqualTo("42.3");
  }

  @Test
  void deletionsAreMarksUntilReset() {
    Pop3Snapshot s =
        Pop3Snapshot.of(
            1, new long[] {1, 2, 3}, new long[] {10, 20, 30}, Pop3Translation.Order.UID);
    s.delete(2);
    assertThat(s.live(2)).isFalse();
    assertThat(s.live(4)).isFalse();
    assertThat(s.liveCount()).isEqualTo(2);
    assertThat(s.liveOctets()).isEqualTo(40);
    assertThat(s.deletedUids()).containsExactly(2);
    s.undeleteAll();
    assertThat(s.deletedUids()).isEmpty();
    assertThat(s.liveOctets()).isEqualTo(60);
  }

  @Test
  void uidSetsJoinRuns() {
    assertThat(Pop3Snapshot.uidSet(new long[] {1, 2, 3, 5, 7, 8})).isEqualTo("1:3,5,7:8");
    assertThat(Pop3Snapshot.uidSet(new long[] {4})).isEqualTo("4");
  }

  @Test
  void orderNamesParse() {
    assertThat(Pop3Translation.Order.parse("uid-desc")).isEqualTo(Pop3Translation.Order.UID_DESC);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Pop3Translation.Order.parse("date"))
        .hasMessageContaining("uid, uid-desc");
  }
}
