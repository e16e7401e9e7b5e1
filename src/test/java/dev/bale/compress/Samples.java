package dev.bale.compress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/** Inputs for compression tests, each a pure function of its seed. */
final class Samples {
  private static final String[] WORDS = {
    "store", "item", "closure", "reference", "/gnu/store/", "lib", "-1.2.3", ".so", "\n", "(",
    ")", "the", "of", "and", "layer", "digest", "=", "0x", " ", " ", " ", "\t",
  };

  private Samples() {}

  /** Returns {@code size} bytes that do not compress. */
  static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /** Returns {@code size} bytes of text-like data that compress about as well as source code. */
  static byte[] text(int size, long seed) {
    Random random = new Random(seed);
    StringBuilder text = new StringBuilder(size + 64);
    while (text.length() < size) {
      if (random.nextInt(8) == 0) {
        text.append(Integer.toHexString(random.nextInt()));
      } else {
        text.append(WORDS[random.nextInt(WORDS.length)]);
      }
    }
    byte[] bytes = text.toString().getBytes(StandardCharsets.US_ASCII);
    return Arrays.copyOf(bytes, size);
  }

  /** Writes {@code data} through a new stream from {@code open}, in writes of {@code chunk}. */
  static byte[] compress(Opener open, byte[] data, int chunk) throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (OutputStream out = open.open(sink)) {
      for (int offset = 0; offset < data.length; offset += chunk) {
        out.write(data, offset, Math.min(chunk, data.length - offset));
      }
    }
    return sink.toByteArray();
  }

  /** Opens a compressing stream over a sink. */
  interface Opener {
    OutputStream open(OutputStream sink) throws IOException;
  }

  /** Accepts {@code limit} bytes, then fails every write: a disk that fills up. */
  static final class FailingStream extends OutputStream {
    private final int limit;
    private int written;
    boolean closed;

    FailingStream(int limit) {
      this.limit = limit;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (written + len > limit) {
        throw new IOException("no space left on device");
      }
      written += len;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
