package dev.bale.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

class PushResultTest {
  @Test
  void summaryRoundsMegabytesToTenthsAsAFormatterWould() {
    long[] sizes = {0, 49_999, 50_000, 1_449_999, 1_450_000, 999_999_999, 12_345_678_901L};

    for (long bytes : sizes) {
      String summary = new PushResult(null, 2, 1, 3, bytes).summary();

      assertThat(summary)
          .isEqualTo(
              String.format(
                  Locale.ROOT, "2 blobs sent (%.1f MB), 1 mounted, 3 skipped", bytes / 1e6));
    }
  }
}
