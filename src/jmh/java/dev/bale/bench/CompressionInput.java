package dev.bale.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads {@value #BYTES} bytes of the running JDK's {@code lib/modules}: class files and native
 * code, about as compressible as a typical layer.
 */
final class CompressionInput {
  static final int BYTES = 24 * 1024 * 1024;

  private CompressionInput() {}

  static byte[] load() throws IOException {
    Path modules = Path.of(System.getProperty("java.home"), "lib", "modules");
    try (InputStream in = Files.newInputStream(modules)) {
      byte[] bytes = in.readNBytes(BYTES);
      if (bytes.length != BYTES) {
        throw new IOException("cannot benchmark compression: '" + modules + "' is too small");
      }
      return bytes;
    }
  }

  /** Writes {@code input} in 64 KiB writes, as a tar writer would, then closes {@code out}. */
  static void writeAll(byte[] input, OutputStream out) throws IOException {
    try (out) {
      for (int offset = 0; offset < input.length; offset += 1 << 16) {
        out.write(input, offset, Math.min(1 << 16, input.length - offset));
      }
    }
  }

  /** Counts and drops what it is given, so that compressed sizes can be returned. */
  static final class Counter extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }
}
