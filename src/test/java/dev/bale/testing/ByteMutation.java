package dev.bale.testing;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * A change to the bytes of an archive, at a position given as a fraction of its length, for the
 * properties that feed damaged NARs and exports to the readers.
 *
 * @param kind what the change does
 * @param where the position, from 0 (the first byte) to 1 (the last)
 * @param value the byte to put in, or for {@link Kind#OVERWRITE_WORD} the u64 to write
 */
public record ByteMutation(Kind kind, double where, long value) {
  /** The kinds of change. */
  public enum Kind {
    FLIP,
    INSERT,
    DELETE,
    TRUNCATE,
    OVERWRITE_WORD
  }

  /**
   * Returns mutations of every kind, with values that are often lengths near the formats' limits.
   */
  public static Arbitrary<ByteMutation> any() {
    Arbitrary<Long> values =
        Arbitraries.oneOf(
            Arbitraries.longs().between(0, 300),
            Arbitraries.longs(),
            Arbitraries.of(-1L, Long.MIN_VALUE, 255L, 256L, 4095L, 4096L));
    return Combinators.combine(
            Arbitraries.of(Kind.class), Arbitraries.doubles().between(0, 1), values)
        .as(ByteMutation::new);
  }

  /** Returns a changed copy of {@code bytes}, which must not be empty. */
  public byte[] apply(byte[] bytes) {
    int at = Math.min(bytes.length - 1, (int) (where * bytes.length));
    byte[] changed;
    switch (kind) {
      case FLIP -> {
        changed = bytes.clone();
        changed[at] ^= (byte) (value | 1);
      }
      case INSERT -> {
        changed = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, changed, 0, at);
        changed[at] = (byte) value;
        System.arraycopy(bytes, at, changed, at + 1, bytes.length - at);
      }
      case DELETE -> {
        changed = new byte[bytes.length - 1];
        System.arraycopy(bytes, 0, changed, 0, at);
        System.arraycopy(bytes, at + 1, changed, at, bytes.length - at - 1);
      }
      case TRUNCATE -> changed = Arrays.copyOf(bytes, at);
      case OVERWRITE_WORD -> {
        // Every length in a NAR or an export is an aligned u64, so this mostly changes a length.
        changed = bytes.clone();
        int word = Math.min(at & ~7, bytes.length - 8);
        for (int i = 0; i < 8 && word + i >= 0; i++) {
          changed[word + i] = (byte) (value >>> (8 * i));
        }
      }
      default -> throw new IllegalStateException(kind.toString());
    }
    return changed;
  }
}
