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
 * its 32 characters are base32, and a 60-bit key of its first 12 characters is checked first so
 * that long runs of letters do not build a string per position.
 */
final class ReferenceScanner extends OutputStream {
  private static final int HASH_LENGTH = StorePath.HASH_LENGTH;
  private static final int KEY_LENGTH = 12;
  private static final byte[] DIGIT_VALUES = digitValues();

  private final Map<String, StorePath> candidates = new HashMap<>();
  private final Set<Long> keys = new HashSet<>();
  private final SortedSet<StorePath> found = new TreeSet<>();

  /** Up to 31 base32 bytes that ended the previous write, which a hash may continue. */
  private byte[] carry = new byte[0];

  /** Creates a scanner looking for references to any of {@code candidates}. */
  ReferenceScanner(Collection<StorePath> candidates) {
    for (StorePath candidate : candidates) {
      this.candidates.put(candidate.hash(), candidate);
      byte[] hash = candidate.hash().getBytes(StandardCharsets.US_ASCII);
      keys.add(key(hash, 0));
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
      if (keys.contains(key(data, i))) {
        String hash = new String(data, i, HASH_LENGTH, StandardCharsets.US_ASCII);
        StorePath path = candidates.get(hash);
        if (path != null) {
          found.add(path);
        }
      }
      i++;
    }
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
