package dev.bale.compress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.PriorityQueue;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class HuffmanCodeTest {
  @Property(tries = 300)
  void lengths_withinTheLimit_formACompleteCodeOfUsedSymbols(
      @ForAll @Size(min = 2, max = 286) int[] rawFrequencies, @ForAll boolean codeLengthCode) {
    int maxBits = codeLengthCode ? 7 : 15;
    int count = Math.min(rawFrequencies.length, codeLengthCode ? 19 : 286);
    int[] frequencies = new int[count];
    for (int i = 0; i < count; i++) {
      // Many zeros and a wide spread, so that some codes reach the limit.
      frequencies[i] = Math.max(0, rawFrequencies[i] % 100_000);
    }
    byte[] lengths = new byte[count];

    new HuffmanCode().lengths(frequencies, count, maxBits, lengths);

    long used = java.util.Arrays.stream(frequencies).filter(f -> f != 0).count();
    for (int i = 0; i < count; i++) {
      assertThat((int) lengths[i]).isBetween(0, maxBits);
      if (used >= 2) {
        assertThat(lengths[i] == 0).isEqualTo(frequencies[i] == 0);
      }
    }
    if (used >= 1) {
      assertThat(kraftSum(lengths, maxBits)).isEqualTo(1L << maxBits);
    }
  }

  @Property(tries = 300)
  void lengths_whenTheLimitCannotBind_costWhatHuffmansAlgorithmCosts(
      @ForAll @Size(min = 2, max = 30) int[] rawFrequencies) {
    int count = rawFrequencies.length;
    int[] frequencies = new int[count];
    for (int i = 0; i < count; i++) {
      frequencies[i] = 1 + Math.abs(rawFrequencies[i] % 1_000_000);
    }
    byte[] lengths = new byte[count];

    // No Huffman code of n symbols is deeper than n - 1.
    new HuffmanCode().lengths(frequencies, count, count - 1, lengths);

    assertThat(cost(frequencies, lengths)).isEqualTo(huffmanCost(frequencies));
  }

  @Property(tries = 100)
  void lengths_underALimit_costNoLessThanHuffmanAndGiveFrequentSymbolsShorterCodes(
      @ForAll @Size(min = 2, max = 286) int[] rawFrequencies,
      @ForAll @IntRange(min = 9, max = 15) int maxBits) {
    int count = rawFrequencies.length;
    int[] frequencies = new int[count];
    for (int i = 0; i < count; i++) {
      frequencies[i] = 1 + Math.abs(rawFrequencies[i] % 1_000_000);
    }
    byte[] lengths = new byte[count];

    new HuffmanCode().lengths(frequencies, count, maxBits, lengths);

    assertThat(cost(frequencies, lengths)).isGreaterThanOrEqualTo(huffmanCost(frequencies));
    for (int a = 0; a < count; a++) {
      for (int b = 0; b < count; b++) {
        if (frequencies[a] > frequencies[b]) {
          assertThat(lengths[a]).isLessThanOrEqualTo(lengths[b]);
        }
      }
    }
  }

  @Test
  void lengths_fibonacciFrequencies_areCutToTheLimitAndStayComplete() {
    // Unlimited, these would make a code 29 bits deep.
    int[] frequencies = new int[30];
    frequencies[0] = 1;
    frequencies[1] = 1;
    for (int i = 2; i < frequencies.length; i++) {
      frequencies[i] = frequencies[i - 1] + frequencies[i - 2];
    }
    byte[] lengths = new byte[30];

    new HuffmanCode().lengths(frequencies, 30, 15, lengths);

    assertThat(lengths[0]).isEqualTo((byte) 15);
    assertThat(kraftSum(lengths, 15)).isEqualTo(1L << 15);
  }

  @Test
  void lengths_oneSymbolUsed_getsAPartnerSoTheCodeHasTwo() {
    int[] frequencies = new int[30];
    frequencies[0] = 5;
    byte[] lengths = new byte[30];

    new HuffmanCode().lengths(frequencies, 30, 15, lengths);

    assertThat(lengths[0]).isEqualTo((byte) 1);
    assertThat(lengths[1]).isEqualTo((byte) 1);
    assertThat(kraftSum(lengths, 15)).isEqualTo(1L << 15);
  }

  @Test
  void codes_followTheCanonicalRuleOfRfc1951() {
    // The example of RFC 1951 section 3.2.2: lengths (3, 3, 3, 3, 3, 2, 4, 4) for A to H give
    // 010, 011, 100, 101, 110, 00, 1110 and 1111.
    byte[] lengths = {3, 3, 3, 3, 3, 2, 4, 4};
    int[] codes = new int[8];

    HuffmanCode.codes(lengths, 8, codes);

    int[] expected = {0b010, 0b011, 0b100, 0b101, 0b110, 0b00, 0b1110, 0b1111};
    for (int i = 0; i < 8; i++) {
      int reversed = Integer.reverse(codes[i]) >>> (32 - lengths[i]);
      assertThat(reversed).as("code of symbol %d", i).isEqualTo(expected[i]);
    }
  }

  private static long kraftSum(byte[] lengths, int maxBits) {
    long sum = 0;
    for (byte length : lengths) {
      if (length != 0) {
        sum += 1L << (maxBits - length);
      }
    }
    return sum;
  }

  private static long cost(int[] frequencies, byte[] lengths) {
    long bits = 0;
    for (int i = 0; i < frequencies.length; i++) {
      bits += (long) frequencies[i] * lengths[i];
    }
    return bits;
  }

  /** The size of an optimal code, unlimited: the sum of the weights of its inner nodes. */
  private static long huffmanCost(int[] frequencies) {
    PriorityQueue<Long> queue = new PriorityQueue<>();
    for (int frequency : frequencies) {
      queue.add((long) frequency);
    }
    long total = 0;
    while (queue.size() > 1) {
      long merged = queue.poll() + queue.poll();
      total += merged;
      queue.add(merged);
    }
    return total;
  }
}
