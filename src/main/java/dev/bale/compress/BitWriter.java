package dev.bale.compress;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Writes bits into a growing byte array the way deflate packs them: each value from its least
 * significant bit, the first bits into the low bits of each byte.
 */
final class BitWriter {
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private byte[] bytes;
  private int position;

  /** Bits not yet in {@code bytes}, the oldest lowest; always fewer than 32 between calls. */
  private long pending;

  private int pendingCount;

  BitWriter(int capacity) {
    bytes = new byte[capacity];
  }

  /** Empties the writer, keeping its array. */
  void reset() {
    position = 0;
    pending = 0;
    pendingCount = 0;
  }

  /** Makes room for {@code count} more bytes without growing in between. */
  void reserve(int count) {
    // Beyond the bytes asked for: the pending bits, and an int stored whole at the end.
    int needed = position + count + 8;
    if (needed > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(needed, bytes.length + (bytes.length >> 1)));
    }
  }

  /** Writes the low {@code count} bits of {@code value} (at most 32, the rest zero). */
  void write(int value, int count) {
    pending |= (value & 0xffffffffL) << pendingCount;
    pendingCount += count;
    if (pendingCount >= 32) {
      INT.set(bytes, position, (int) pending);
      position += 4;
      pending >>>= 32;
      pendingCount -= 32;
    }
  }

  /** Pads with zero bits to the next byte boundary and moves every pending bit to the array. */
  void alignToByte() {
    while (pendingCount > 0) {
      bytes[position++] = (byte) pending;
      pending >>>= 8;
      pendingCount -= 8;
    }
    pending = 0;
    pendingCount = 0;
  }

  /** Copies bytes as they are; the writer must be at a byte boundary. */
  void writeBytes(byte[] source, int offset, int length) {
    System.arraycopy(source, offset, bytes, position, length);
    position += length;
  }

  /** Returns the array holding the bytes written, valid up to {@link #size()} once aligned. */
  byte[] bytes() {
    return bytes;
  }

  /** Returns the number of whole bytes in the array. */
  int size() {
    return position;
  }
}
