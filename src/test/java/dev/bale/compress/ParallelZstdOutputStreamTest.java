package dev.bale.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParallelZstdOutputStreamTest {
  private static final int MIB = 1024 * 1024;

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 100, 128 * 1024, 3 * MIB + 1})
  void roundTrip_textOfManySizes_givesInputBack(int size) throws IOException {
    byte[] data = Samples.text(size, size);

    byte[] compressed = zstd(data, 3, 2, 4096);

    assertThat(unzstd(compressed)).isEqualTo(data);
  }

  @Test
  void roundTrip_largeRandom_givesInputBack() throws IOException {
    byte[] data = Samples.random(3 * MIB, 1);

    assertThat(unzstd(zstd(data, 3, 2, 100_000))).isEqualTo(data);
  }

  @Test
  void bytes_anyWorkerCountOrWriteSize_areIdentical() throws IOException {
    // Large enough for several multithreaded jobs at level 3.
    byte[] data = Samples.text(24 * MIB, 2);
    byte[] reference = zstd(data, 3, 1, data.length);

    for (int workers : new int[] {0, 2, 4}) {
      for (int chunk : new int[] {1000, 65536 + 3}) {
        assertThat(zstd(data, 3, workers, chunk))
            .as("%d workers, writes of %d", workers, chunk)
            .isEqualTo(reference);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 100, 128 * 1024 - 1, 128 * 1024, 128 * 1024 + 1, 10 * MIB + 7})
  void bytes_equalThoseOfZstdJnisOwnMultithreadedStream(int size) throws IOException {
    // zstd-jni's stream over heap arrays, with the same parameters: the bytes do not depend on
    // how the input reaches zstd.
    byte[] data = Samples.text(size, 5);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (ZstdOutputStreamNoFinalizer out = new ZstdOutputStreamNoFinalizer(sink, 3)) {
      out.setWorkers(2);
      out.setChecksum(true);
      out.write(data);
    }

    assertThat(zstd(data, 3, 2, 50_000)).isEqualTo(sink.toByteArray());
  }

  @Test
  void bytes_singleThreadedZstd_differ() throws IOException {
    // Why this stream never runs zstd with 0 workers: its single-threaded mode has other bytes.
    byte[] data = Samples.text(24 * MIB, 2);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (OutputStream out = new ZstdOutputStreamNoFinalizer(sink, 3).setChecksum(true)) {
      out.write(data);
    }

    assertThat(sink.toByteArray()).isNotEqualTo(zstd(data, 3, 1, data.length));
  }

  @Test
  void bytes_flushBetweenWrites_areUnchanged() throws IOException {
    byte[] data = Samples.text(6 * MIB, 3);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();

    try (OutputStream out = new ParallelZstdOutputStream(sink, 3, 2)) {
      for (int offset = 0; offset < data.length; offset += MIB) {
        out.write(data, offset, MIB);
        out.flush();
      }
    }

    assertThat(sink.toByteArray()).isEqualTo(zstd(data, 3, 2, data.length));
  }

  @Test
  void frame_declaresContentChecksum() throws IOException {
    byte[] compressed = zstd(Samples.text(1000, 4), 3, 1, 1000);

    // Magic number, then the frame header descriptor whose bit 2 is the checksum flag.
    assertThat(compressed).startsWith(0x28, 0xb5, 0x2f, 0xfd);
    assertThat(compressed[4] & 0x04).isEqualTo(0x04);
  }

  @Test
  void write_underlyingStreamFails_propagatesAndClosesIt() {
    Samples.FailingStream sink = new Samples.FailingStream(10);
    byte[] data = Samples.random(8 * MIB, 5);

    assertThatThrownBy(
            () -> {
              try (OutputStream out = new ParallelZstdOutputStream(sink, 3, 2)) {
                out.write(data);
              }
            })
        .isInstanceOf(IOException.class)
        .hasMessage("no space left on device");

    assertThat(sink.closed).isTrue();
  }

  @Test
  void constructor_levelOutOfRange_isRejected() {
    OutputStream sink = new ByteArrayOutputStream();

    assertThatThrownBy(() -> new ParallelZstdOutputStream(sink, 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0");
  }

  private static byte[] zstd(byte[] data, int level, int workers, int chunk) throws IOException {
    Samples.Opener open = sink -> new ParallelZstdOutputStream(sink, level, workers);
    return Samples.compress(open, data, chunk);
  }

  private static byte[] unzstd(byte[] compressed) throws IOException {
    try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(compressed))) {
      return in.readAllBytes();
    }
  }
}
