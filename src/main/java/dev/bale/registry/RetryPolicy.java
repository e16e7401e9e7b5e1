package dev.bale.registry;

import java.time.Duration;

/**
 * How often and how patiently a request is repeated after a dropped connection, a 5xx or a 429: the
 * delay doubles from {@code firstDelay} up to {@code maxDelay}, and a registry's {@code
 * Retry-After} is honoured up to {@code maxDelay}.
 *
 * <p>A request whose response does not start within its timeout counts as a dropped connection, so
 * a registry that accepts connections and never answers is given up on instead of waited for.
 *
 * @param attempts the number of attempts in all, at least 1
 * @param firstDelay the delay before the second attempt
 * @param maxDelay the longest delay between two attempts
 * @param responseTimeout the longest wait for the response to a request without a body; a request
 *     with a body gets one more second for every 256 KiB it sends, a rate any working link beats
 */
public record RetryPolicy(
    int attempts, Duration firstDelay, Duration maxDelay, Duration responseTimeout) {
  /**
   * Five attempts, waiting 0.5 s, 1 s, 2 s, 4 s; at most 30 s when the registry asks; a minute for
   * a response.
   */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(60));

  private static final long BYTES_PER_EXTRA_SECOND = 256 * 1024;

  /** Checks the numbers. */
  public RetryPolicy {
    if (attempts < 1
        || firstDelay.isNegative()
        || maxDelay.compareTo(firstDelay) < 0
        || responseTimeout.isNegative()
        || responseTimeout.isZero()) {
      throw new IllegalArgumentException("bad retry policy " + attempts + " " + firstDelay);
    }
  }

  /** Returns how long to wait for the response to a request that sends {@code bodyBytes}. */
  Duration responseTimeout(long bodyBytes) {
    return responseTimeout.plusSeconds(Math.max(0, bodyBytes) / BYTES_PER_EXTRA_SECOND);
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
