package dev.bale.archive;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Writes the little-endian numbers and padded strings of the export format. */
final class WireOutput {
  private static final byte[] ZEROS = new byte[8];

  private final OutputStream out;
  private final byte[] number = new byte[8];

  WireOutput(OutputStream out) {
    this.out = out;
  }

  void writeLong(long value) throws IOException {
    for (int i = 0; i < 8; i++) {
      number[i] = (byte) (value >>> (8 * i));
    }
    out.write(number);
  }

  void writeString(String value) throws IOException {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    writeLong(bytes.length);
    out.write(bytes);
    out.write(ZEROS, 0, (8 - bytes.length % 8) % 8);
  }
}
