package dev.bale.archive;

import dev.bale.hash.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Reads the little-endian numbers and padded strings of the export format, and counts every byte
 * read through it (including the NARs that others read from it) so that errors can say where the
 * archive went wrong. Between {@link #startHashing} and {@link #finishHashing} it also hashes what
 * it reads, for an item's record hash.
 */
final class WireInput extends FilterInputStream {
  private final MessageDigest sha256 = Digest.newSha256();
  private long offset;
  private boolean hashing;

  WireInput(InputStream in) {
    super(in);
  }

  /** Returns the number of bytes read so far. */
  long offset() {
    return offset;
  }

  /** Starts hashing the bytes read from now on. */
  void startHashing() {
    sha256.reset();
    hashing = true;
  }

  /** Stops hashing and returns the SHA-256 of the bytes read since {@link #startHashing}. */
  Digest finishHashing() {
    hashing = false;
    return new Digest(sha256.digest());
  }

  /** Reads a u64; {@code what} names it in the error when the archive ends first. */
  long readLong(String what) throws IOException {
    byte[] bytes = readExactly(8, what);
    long value = 0;
    for (int i = 7; i >= 0; i--) {
      value = (value << 8) | (bytes[i] & 0xff);
    }
    return value;
  }

  /**
   * Reads a string of at most {@code maxLength} bytes as UTF-8.
   *
   * @throws ExportFormatException if it is longer or its padding is not zero
   */
  String readString(String what, int maxLength) throws IOException {
    long start = offset;
    long length = readLong(what);
    if (length < 0 || length > maxLength) {
      throw new ExportFormatException(
          start,
          what + " is " + Long.toUnsignedString(length) + " bytes long, more than " + maxLength);
    }
    byte[] bytes = readExactly((int) length, what);
    byte[] padding = readExactly((int) ((8 - length % 8) % 8), what);
    for (byte b : padding) {
      if (b != 0) {
        throw new ExportFormatException(offset, "the padding after " + what + " is not zero");
      }
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Tells whether the archive has no more bytes. */
  boolean atEnd() throws IOException {
    return read() < 0;
  }

  private byte[] readExactly(int length, String what) throws IOException {
    byte[] bytes = in.readNBytes(length);
    count(bytes, 0, bytes.length);
    if (bytes.length < length) {
      throw new ExportFormatException(offset, "the archive ends inside " + what);
    }
    return bytes;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      count(new byte[] {(byte) b}, 0, 1);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n > 0) {
      count(b, off, n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    // Skipped bytes must still be hashed, so they are read.
    byte[] buffer = new byte[(int) Math.min(Math.max(n, 0), 1 << 16)];
    return Math.max(read(buffer, 0, buffer.length), 0);
  }

  private void count(byte[] b, int off, int len) {
    offset += len;
    if (hashing) {
      sha256.update(b, off, len);
    }
  }

  @Override
  public boolean markSupported() {
    return false;
  }
}
