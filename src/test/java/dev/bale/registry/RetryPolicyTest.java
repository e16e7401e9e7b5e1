package dev.bale.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy policy =
      new RetryPolicy(8, Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofSeconds(60));

  @Test
  void delay_doublesFromFirstDelay_untilTheCap() {
    List<Duration> delays = new ArrayList<>();
    for (int attempt = 1; attempt <= 7; attempt++) {
      delays.add(policy.delay(attempt));
    }

    assertThat(delays)
        .containsExactly(
            Duration.ofMillis(500),
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(5),
            Duration.ofSeconds(5),
            Duration.ofSeconds(5));
  }

  @Test
  void delay_afterVeryManyAttempts_staysAtTheCapWithoutOverflow() {
    assertThat(policy.delay(64)).isEqualTo(Duration.ofSeconds(5));
    assertThat(policy.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void retryAfter_isHonouredUpToTheCap() {
    assertThat(policy.retryAfter(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(policy.retryAfter(3600)).isEqualTo(Duration.ofSeconds(5));
    assertThat(policy.retryAfter(-1)).isEqualTo(Duration.ZERO);
  }

  @Test
  void responseTimeout_growsOneSecondPer256KiBOfBody() {
    assertThat(policy.responseTimeout(0)).isEqualTo(Duration.ofSeconds(60));
    assertThat(policy.responseTimeout(10L * 256 * 1024)).isEqualTo(Duration.ofSeconds(70));
  }

  @Test
  void constructor_refusesNoAttemptsAndACapBelowTheFirstDelay() {
    assertThatThrownBy(
            () ->
                new RetryPolicy(
                    0, Duration.ofMillis(1), Duration.ofSeconds(1), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                new RetryPolicy(
                    3, Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
