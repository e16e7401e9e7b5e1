package dev.bale.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class PipelinedDigestingOutputStreamTest {
  @Property(tries = 60)
  void digest_anySizeAndWritePattern_isTheDigestOfTheBytesPassedOn(
      @ForAll @IntRange(min = 0, max = 5_000_000) int length,
      @ForAll @IntRange(min = 1, max = 3_000_000) int largestWrite,
      @ForAll long seed)
      throws IOException {
    byte[] data = new byte[length];
    Random random = new Random(seed);
    random.nextBytes(data);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();

    PipelinedDigestingOutputStream out = new PipelinedDigestingOutputStream(sink);
    for (int at = 0; at < length; ) {
      int n = Math.min(length - at, 1 + random.nextInt(largestWrite));
      out.write(data, at, n);
      at += n;
    }
    out.close();

    assertThat(sink.toByteArray()).isEqualTo(data);
    assertThat(out.size()).isEqualTo(length);
    assertThat(out.digest()).isEqualTo(Digest.of(data));
  }

  @Test
  void digest_singleByteWritesAndNoClose_areHashedInOrder() throws IOException {
    byte[] data = {3, 1, 4, 1, 5, 9, 2, 6};
    PipelinedDigestingOutputStream out =
        new PipelinedDigestingOutputStream(OutputStream.nullOutputStream());
    for (byte b : data) {
      out.write(b);
    }

    assertThat(out.digest()).isEqualTo(Digest.of(data));
    assertThat(out.digest()).isEqualTo(Digest.of(data));
  }

  @Test
  void write_afterDigest_isRefused() throws IOException {
    PipelinedDigestingOutputStream out =
        new PipelinedDigestingOutputStream(OutputStream.nullOutputStream());
    out.digest();

    assertThatThrownBy(() -> out.write(new byte[1], 0, 1)).isInstanceOf(IOException.class);
  }

  @Test
  void close_inAnInterruptedThread_stillEndsTheHashingThread() throws Exception {
    PipelinedDigestingOutputStream out =
        new PipelinedDigestingOutputStream(OutputStream.nullOutputStream());
    out.write(new byte[3 << 20], 0, 3 << 20);

    Thread.currentThread().interrupt();
    try {
      out.close();
    } finally {
      Thread.interrupted();
    }

    assertThat(out.digest()).isEqualTo(Digest.of(new byte[3 << 20]));
  }

  @Test
  void write_failingDownstream_passesTheFailureOnAndCloseEndsTheThread() throws IOException {
    OutputStream broken =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            throw new IOException("disk full");
          }
        };
    PipelinedDigestingOutputStream out = new PipelinedDigestingOutputStream(broken);

    assertThatThrownBy(() -> out.write(new byte[10], 0, 10)).hasMessage("disk full");
    out.close();
    assertThat(out.digest()).isEqualTo(Digest.of(new byte[0]));
  }
}
