package dev.bale.archive;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads the little-endian numbers and padded strings of the export format, and counts every byte
 * read through it (including the NARs that others read from it) so that errors can say where the
 * archive went wrong.
 */
final class WireInput extends FilterInputStream {
  private long offset;

  WireInput(InputStream in) {
    super(in);
  }

  /** Returns the number of bytes read so far. */
  long offset() {
    return offset;
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
    offset += bytes.length;
    if (bytes.length < length) {
      throw new ExportFormatException(offset, "the archive ends inside " + what);
    }
    return bytes;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      offset++;
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n > 0) {
      offset += n;
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = in.skip(n);
    offset += skipped;
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false;
  }
}
