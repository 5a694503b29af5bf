package dev.quirkproxy.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LimitsTest {

  private static final Duration T = Duration.ofMinutes(1);

  @Test
  void defaults() {
    Limits l = Limits.defaults();
    assertThat(l.maxLineLength()).isEqualTo(65536);
    assertThat(l.maxServerLineLength()).isEqualTo(16 * 1024 * 1024);
    assertThat(l.maxLiteralSize()).isEqualTo(256L * 1024 * 1024);
    assertThat(l.maxLiteralSizeBeforeAuth()).isEqualTo(65536);
    assertThat(l.maxServerLiteralSize()).isEqualTo(16L * 1024 * 1024 * 1024);
    assertThat(l.idleTimeout()).isEqualTo(Duration.ofMinutes(30));
    assertThat(l.loginTimeout()).isEqualTo(Duration.ofMinutes(3));
  }

  @Test
  void refusesNonsense() {
    assertThatThrownBy(() -> new Limits(63, 64, 0, 0, 0, T, T))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 64");
    assertThatThrownBy(() -> new Limits(64, 63, 0, 0, 0, T, T))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Limits(64, 64, -1, 0, 0, T, T)).hasMessageContaining("negative");
    assertThatThrownBy(() -> new Limits(64, 64, 0, 0, 0, Duration.ZERO, T))
        .hasMessageContaining("positive");
    assertThatThrownBy(() -> new Limits(64, 64, 0, 0, 0, T, Duration.ofSeconds(-1)))
        .hasMessageContaining("positive");
    assertThat(new Limits(64, 64, 0, 0, 0, T, T).maxLiteralSize()).isZero();
  }
}
