package dev.bale.registry;

import java.time.Duration;

/**
 * How often and how patiently a request is repeated after a dropped connection, a 5xx or a 429: the
 * delay doubles from {@code firstDelay} up to {@code maxDelay}, and a registry's {@code
 * Retry-After} is honoured up to {@code maxDelay}.
 *
 * @param attempts the number of attempts in all, at least 1
 * @param firstDelay the delay before the second attempt
 * @param maxDelay the longest delay between two attempts
 */
public record RetryPolicy(int attempts, Duration firstDelay, Duration maxDelay) {
  /** Five attempts, waiting 0.5 s, 1 s, 2 s, 4 s; at most 30 s when the registry asks. */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(30));

  /** Checks the numbers. */
  public RetryPolicy {
    if (attempts < 1 || firstDelay.isNegative() || maxDelay.compareTo(firstDelay) < 0) {
      throw new IllegalArgumentException("bad retry policy " + attempts + " " + firstDelay);
    }
  }

  /** Returns the delay after failed attempt {@code attempt} (from 1). */
  Duration delay(int attempt) {
    Duration delay = firstDelay.multipliedBy(1L << Math.min(attempt - 1, 20));
    return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
  }

  /** Returns the delay a {@code Retry-After} of {@code seconds} asks for, bounded. */
  Duration retryAfter(long seconds) {
    Duration delay = Duration.ofSeconds(Math.max(0, seconds));
    return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
  }
}
