package dev.bale.store;

import dev.bale.hash.NixBase32;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Finds references to store items in the bytes written to it, usually an item's NAR: every run of
 * Nix base32 characters is searched for the 32-character hash parts of the candidate items.
 *
 * <p>Scanning the NAR rather than the files covers file contents, symbolic link targets and file
 * names, as Guix and Nix do. Most bytes are ruled out cheaply: a window is only looked up when all
 * its 32 characters are base32, which is checked from its end so that one other byte skips every
 * window that holds it. Inside a long run of base32 letters the window slides one byte at a time
 * and a 60-bit key of its last 12 characters rolls along; a bit filter and then a set of the
 * candidates' keys are asked before any string is built.
 */
final class ReferenceScanner extends OutputStream {
  private static final int HASH_LENGTH = StorePath.HASH_LENGTH;
  private static final int KEY_LENGTH = 12;
  private static final long KEY_MASK = (1L << (5 * KEY_LENGTH)) - 1;
  private static final int FILTER_BITS = 1 << 20;
  private static final byte[] DIGIT_VALUES = digitValues();

  private final Map<String, StorePath> candidates = new HashMap<>();
  private final Set<Long> keys = new HashSet<>();
  private final long[] filter = new long[FILTER_BITS / Long.SIZE];
  private final SortedSet<StorePath> found = new TreeSet<>();

  /** Up to 31 base32 bytes that ended the previous write, which a hash may continue. */
  private byte[] carry = new byte[0];

  /** Creates a scanner looking for references to any of {@code candidates}. */
  ReferenceScanner(Collection<StorePath> candidates) {
    for (StorePath candidate : candidates) {
      this.candidates.put(candidate.hash(), candidate);
      byte[] hash = candidate.hash().getBytes(StandardCharsets.US_ASCII);
      long key = key(hash, HASH_LENGTH - KEY_LENGTH);
      keys.add(key);
      int bit = filterBit(key);
      filter[bit >>> 6] |= 1L << bit;
    }
  }

  /** Returns the candidates found so far, sorted. */
  SortedSet<StorePath> references() {
    return new TreeSet<>(found);
  }

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] bytes, int offset, int length) {
    if (candidates.isEmpty() || length == 0) {
      return;
    }
    byte[] data = new byte[carry.length + length];
    System.arraycopy(carry, 0, data, 0, carry.length);
    System.arraycopy(bytes, offset, data, carry.length, length);
    scan(data);
    carry = trailingDigits(data);
  }

  private void scan(byte[] data) {
    int i = 0;
    while (i + HASH_LENGTH <= data.length) {
      // Check the window from its end: a non-digit at j rules out every window up to it.
      int j = HASH_LENGTH - 1;
      while (j >= 0 && DIGIT_VALUES[data[i + j] & 0xff] >= 0) {
        j--;
      }
      if (j >= 0) {
        i += j + 1;
        continue;
      }
      i = slideAlongRun(data, i);
    }
  }

  /**
   * Looks up every window of the base32 run whose first full window starts at {@code start}, and
   * returns where the search for the next run resumes.
   */
  private int slideAlongRun(byte[] data, int start) {
    long key = key(data, start + HASH_LENGTH - KEY_LENGTH);
    for (int i = start; ; i++) {
      lookUp(data, i, key);
      int next = i + HASH_LENGTH;
      if (next == data.length) {
        return next;
      }
      int value = DIGIT_VALUES[data[next] & 0xff];
      if (value < 0) {
        return next + 1;
      }
      key = ((key << 5) | value) & KEY_MASK;
    }
  }

  private void lookUp(byte[] data, int start, long key) {
    int bit = filterBit(key);
    if ((filter[bit >>> 6] & (1L << bit)) == 0 || !keys.contains(key)) {
      return;
    }
    String hash = new String(data, start, HASH_LENGTH, StandardCharsets.US_ASCII);
    StorePath path = candidates.get(hash);
    if (path != null) {
      found.add(path);
    }
  }

  private static int filterBit(long key) {
    return (int) (key ^ (key >>> 20) ^ (key >>> 40)) & (FILTER_BITS - 1);
  }

  private static byte[] trailingDigits(byte[] data) {
    int start = data.length;
    while (start > 0
        && data.length - start < HASH_LENGTH - 1
        && DIGIT_VALUES[data[start - 1] & 0xff] >= 0) {
      start--;
    }
    byte[] tail = new byte[data.length - start];
    System.arraycopy(data, start, tail, 0, tail.length);
    return tail;
  }

  private static long key(byte[] data, int offset) {
    long key = 0;
    for (int k = 0; k < KEY_LENGTH; k++) {
      key = (key << 5) | DIGIT_VALUES[data[offset + k] & 0xff];
    }
    return key;
  }

  private static byte[] digitValues() {
    byte[] values = new byte[256];
    Arrays.fill(values, (byte) -1);
    byte next = 0;
    for (char c = 0; c < 128; c++) {
      if (NixBase32.isDigit(c)) {
        values[c] = next++;
      }
    }
    return values;
  }
}
