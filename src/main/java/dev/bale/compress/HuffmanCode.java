package dev.bale.compress;

import java.util.Arrays;

/**
 * Builds the prefix codes of deflate (RFC 1951, section 3.2.2): code lengths from symbol
 * frequencies, limited to a number of bits, and the canonical codes those lengths define.
 *
 * <p>Lengths come from the package-merge algorithm, which gives the code of least total size among
 * those whose lengths stay within the limit, and always a complete one: every bit pattern of the
 * longest length starts some code. Ties are broken by symbol number, so the lengths are a function
 * of the frequencies alone.
 *
 * <p>An instance keeps the work arrays of {@link #lengths} from one call to the next (a deflate
 * block needs three codes), so it is for one thread at a time.
 */
final class HuffmanCode {
  private long[] leaves = new long[0];
  private long[] weight = new long[0];
  private long[] deeperWeight = new long[0];

  /** For each list, whether each of its first items is a leaf (true) or a pair. */
  private boolean[][] isLeaf = new boolean[0][];

  /**
   * Sets {@code lengths[0, count)} to the code lengths, at most {@code maxBits}, of the code of
   * least total size for {@code frequencies[0, count)}. A symbol of frequency 0 gets length 0. As
   * deflate decoders want codes of two or more symbols, one used symbol is given a partner of
   * length 1; no symbol used gives every length 0.
   */
  void lengths(int[] frequencies, int count, int maxBits, byte[] lengths) {
    Arrays.fill(lengths, 0, count, (byte) 0);
    int used = 0;
    for (int symbol = 0; symbol < count; symbol++) {
      if (frequencies[symbol] != 0) {
        used++;
      }
    }
    if (used == 0) {
      return;
    }
    if (used == 1) {
      for (int symbol = 0; symbol < count; symbol++) {
        if (frequencies[symbol] != 0) {
          lengths[symbol] = 1;
          lengths[symbol == 0 ? 1 : 0] = 1;
        }
      }
      return;
    }

    // Leaves by increasing frequency; a long packs the frequency above the symbol number, so one
    // sort orders by both.
    reserve(used, maxBits);
    int next = 0;
    for (int symbol = 0; symbol < count; symbol++) {
      if (frequencies[symbol] != 0) {
        leaves[next++] = ((long) frequencies[symbol] << 16) | symbol;
      }
    }
    Arrays.sort(leaves, 0, used);
    packageMerge(used, maxBits, lengths);
  }

  private void reserve(int used, int maxBits) {
    if (leaves.length < used) {
      leaves = new long[used];
      weight = new long[2 * used];
      deeperWeight = new long[2 * used];
      isLeaf = new boolean[0][];
    }
    if (isLeaf.length < maxBits) {
      isLeaf = new boolean[maxBits][2 * leaves.length];
    }
  }

  /**
   * The coin collector's form of package-merge: list 1 is the cheapest 2n - 2 items among the
   * leaves and the pairs of list 2, list 2 those among the leaves and the pairs of list 3, and so
   * on to list {@code maxBits}, the leaves alone. A leaf's code length is the number of lists whose
   * chosen items (the first 2n - 2 of list 1, then the items that its chosen pairs stand for,
   * always a prefix of the next list) contain it.
   */
  private void packageMerge(int n, int maxBits, byte[] lengths) {
    long[] leaves = this.leaves;
    long[] weight = this.weight;
    long[] deeperWeight = this.deeperWeight;
    boolean[][] isLeaf = this.isLeaf;
    int keep = 2 * n - 2;

    // The deepest list: the leaves alone, cheapest first.
    int deeperSize = Math.min(n, keep);
    for (int i = 0; i < deeperSize; i++) {
      deeperWeight[i] = leaves[i] >>> 16;
      isLeaf[maxBits - 1][i] = true;
    }

    for (int list = maxBits - 2; list >= 0; list--) {
      int pairs = deeperSize / 2;
      int leaf = 0;
      int pair = 0;
      int size = 0;
      while (size < keep && (leaf < n || pair < pairs)) {
        long pairWeight =
            pair < pairs ? deeperWeight[2 * pair] + deeperWeight[2 * pair + 1] : Long.MAX_VALUE;
        long leafWeight = leaf < n ? leaves[leaf] >>> 16 : Long.MAX_VALUE;
        if (leafWeight <= pairWeight) {
          weight[size] = leafWeight;
          isLeaf[list][size++] = true;
          leaf++;
        } else {
          weight[size] = pairWeight;
          isLeaf[list][size++] = false;
          pair++;
        }
      }
      long[] swap = deeperWeight;
      deeperWeight = weight;
      weight = swap;
      deeperSize = size;
    }

    int chosen = keep;
    for (int list = 0; list < maxBits && chosen > 0; list++) {
      int leavesChosen = 0;
      for (int i = 0; i < chosen; i++) {
        if (isLeaf[list][i]) {
          leavesChosen++;
        }
      }
      // The chosen leaves of a list are its cheapest ones.
      for (int i = 0; i < leavesChosen; i++) {
        lengths[(int) (leaves[i] & 0xffff)]++;
      }
      chosen = 2 * (chosen - leavesChosen);
    }
  }

  /**
   * Sets {@code codes[0, count)} to the canonical code of each symbol with a non-zero length in
   * {@code lengths}, bit-reversed, since deflate writes codes from their most significant bit into
   * a stream filled from the least significant one.
   */
  static void codes(byte[] lengths, int count, int[] codes) {
    int[] lengthCount = new int[16];
    for (int symbol = 0; symbol < count; symbol++) {
      lengthCount[lengths[symbol]]++;
    }
    lengthCount[0] = 0;

    int[] nextCode = new int[16];
    int code = 0;
    for (int bits = 1; bits < 16; bits++) {
      code = (code + lengthCount[bits - 1]) << 1;
      nextCode[bits] = code;
    }

    for (int symbol = 0; symbol < count; symbol++) {
      int length = lengths[symbol];
      codes[symbol] = length == 0 ? 0 : Integer.reverse(nextCode[length]++) >>> (32 - length);
    }
  }
}
