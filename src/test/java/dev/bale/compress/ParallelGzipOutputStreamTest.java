package dev.bale.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParallelGzipOutputStreamTest {
  private static final int BLOCK = ParallelGzipOutputStream.BLOCK_SIZE;

  private static ExecutorService fourThreads;

  @BeforeAll
  static void startPool() {
    fourThreads = Executors.newFixedThreadPool(4);
  }

  @AfterAll
  static void stopPool() throws InterruptedException {
    fourThreads.shutdown();
    assertThat(fourThreads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 100, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK, 5 * BLOCK + 17})
  void roundTrip_textOfManySizes_givesInputBack(int size) throws IOException {
    byte[] data = Samples.text(size, size);

    byte[] compressed = gzip(data, 6, 4096);

    assertThat(gunzip(compressed)).isEqualTo(data);
  }

  @Test
  void roundTrip_largeRandom_givesInputBack() throws IOException {
    byte[] data = Samples.random(3 * 1024 * 1024 + 5, 1);

    byte[] compressed = gzip(data, 6, 100_000);

    assertThat(gunzip(compressed)).isEqualTo(data);
    assertThat(compressed.length).isLessThan(data.length + data.length / 100);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 9})
  void roundTrip_everyLevelKind_givesInputBack(int level) throws IOException {
    byte[] data = Samples.text(2 * BLOCK + 3, level);

    assertThat(gunzip(gzip(data, level, 65536))).isEqualTo(data);
  }

  @Test
  void bytes_anyThreadCountOrWriteSize_areIdentical() throws IOException {
    byte[] data = Samples.text(9 * BLOCK + 1234, 7);
    byte[] reference = compress(data, 6, Runnable::run, 1, data.length);

    for (int threads : new int[] {1, 2, 4}) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        for (int chunk : new int[] {1000, 65536, BLOCK, 3 * BLOCK + 1}) {
          for (int inFlight : new int[] {1, 3, 16}) {
            byte[] compressed = compress(data, 6, pool, inFlight, chunk);
            assertThat(compressed)
                .as("threads %d, writes of %d, %d in flight", threads, chunk, inFlight)
                .isEqualTo(reference);
          }
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void write_executorThatNeverRuns_stillCompletes() throws IOException {
    byte[] data = Samples.text(5 * BLOCK + 1, 10);
    Executor idle = task -> {};

    byte[] compressed = compress(data, 6, idle, 2, 65536);

    assertThat(compressed).isEqualTo(gzip(data, 6, data.length));
  }

  @Test
  void write_fromTheExecutorsOnlyThread_doesNotDeadlock() throws Exception {
    byte[] data = Samples.text(5 * BLOCK + 1, 11);
    ExecutorService single = Executors.newSingleThreadExecutor();
    try {
      byte[] compressed =
          single.submit(() -> compress(data, 6, single, 2, 65536)).get(30, TimeUnit.SECONDS);

      assertThat(compressed).isEqualTo(gzip(data, 6, data.length));
    } finally {
      single.shutdownNow();
    }
  }

  @Test
  void bytes_flushBetweenWrites_areUnchanged() throws IOException {
    byte[] data = Samples.text(3 * BLOCK, 8);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();

    try (OutputStream out = new ParallelGzipOutputStream(sink, 6, fourThreads)) {
      for (int offset = 0; offset < data.length; offset += 50_000) {
        out.write(data, offset, Math.min(50_000, data.length - offset));
        out.flush();
      }
    }

    assertThat(sink.toByteArray()).isEqualTo(gzip(data, 6, data.length));
  }

  @Test
  void header_hasNoNameNoTimeAndUnknownOs() throws IOException {
    byte[] compressed = gzip(Samples.text(1000, 2), 6, 1000);

    byte[] expected = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 255};
    assertThat(Arrays.copyOf(compressed, 10)).isEqualTo(expected);
  }

  @Test
  void trailer_holdsCrcAndSize() throws IOException {
    byte[] data = Samples.text(BLOCK + 99, 3);
    byte[] compressed = gzip(data, 6, 4096);

    byte[] reference = plainGzip(data, 6);
    int n = compressed.length;
    int m = reference.length;
    assertThat(Arrays.copyOfRange(compressed, n - 8, n))
        .isEqualTo(Arrays.copyOfRange(reference, m - 8, m));
  }

  @Test
  void size_compressibleInput_cutsCostLessThanHalfAPercent() throws IOException {
    byte[] data = Samples.text(4 * 1024 * 1024, 4);

    int parallel = gzip(data, 6, 65536).length;
    // The same encoder over the whole input as one piece: no cut, all history.
    BitWriter whole = new BitWriter(16);
    new DeflateEncoder().encode(data, 0, data.length, 6, true, whole);

    assertThat((double) parallel).isLessThan(whole.size() * 1.005);
  }

  @Test
  void write_underlyingStreamFails_propagatesAndClosesIt() throws InterruptedException {
    Samples.FailingStream sink = new Samples.FailingStream(100);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    byte[] data = Samples.random(40 * BLOCK, 5);

    assertThatThrownBy(
            () -> {
              try (OutputStream out = new ParallelGzipOutputStream(sink, 6, pool, 2)) {
                out.write(data);
              }
            })
        .isInstanceOf(IOException.class)
        .hasMessage("no space left on device");

    assertThat(sink.closed).isTrue();
    pool.shutdown();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void write_afterFailure_isRefused() throws IOException {
    Samples.FailingStream sink = new Samples.FailingStream(0);
    OutputStream out = new ParallelGzipOutputStream(sink, 6, Runnable::run, 1);

    assertThatThrownBy(() -> out.write(new byte[2 * BLOCK])).hasMessage("no space left on device");
    assertThatThrownBy(() -> out.write(1))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("earlier write failed");
    out.close();
    assertThatThrownBy(() -> out.write(1)).hasMessageContaining("closed");
  }

  @Test
  void write_executorShutDown_failsWithIOException() {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    pool.shutdown();
    ByteArrayOutputStream sink = new ByteArrayOutputStream();

    assertThatThrownBy(
            () -> {
              try (OutputStream out = new ParallelGzipOutputStream(sink, 6, pool)) {
                out.write(new byte[BLOCK]);
              }
            })
        .isInstanceOf(IOException.class)
        .hasMessageContaining("executor refused");
  }

  @Test
  void constructor_levelOutOfRange_isRejected() {
    OutputStream sink = new ByteArrayOutputStream();

    assertThatThrownBy(() -> new ParallelGzipOutputStream(sink, 10, Runnable::run))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10");
  }

  @Test
  void sharedExecutor_defaultConstructor_roundTrips() throws IOException {
    byte[] data = Samples.text(2 * BLOCK, 6);
    ByteArrayOutputStream sink = new ByteArrayOutputStream();

    try (OutputStream out = new ParallelGzipOutputStream(sink)) {
      out.write(data);
    }

    assertThat(sink.toByteArray()).isEqualTo(gzip(data, 6, data.length));
  }

  @Test
  void bytes_withReusedBuffersAndEncoders_matchBlocksEncodedOneByOneFromScratch()
      throws IOException {
    // Mixed text and random data, so that blocks compress differently and an encoder or buffer
    // carrying anything over from an earlier block would show.
    ByteArrayOutputStream mixed = new ByteArrayOutputStream();
    for (int i = 0; i < 12; i++) {
      mixed.write(i % 3 == 0 ? Samples.random(BLOCK / 2 + i, i) : Samples.text(BLOCK + 7 * i, i));
    }
    byte[] data = mixed.toByteArray();

    for (int round = 0; round < 3; round++) {
      assertThat(gzip(data, 6, 50_000)).isEqualTo(encodedOneByOne(data, 6));
    }
  }

  /** The stream's definition spelt out: every block through an encoder of its own. */
  private static byte[] encodedOneByOne(byte[] data, int level) throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    sink.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 255});
    int offset = 0;
    do {
      int length = Math.min(BLOCK, data.length - offset);
      boolean last = offset + length == data.length;
      int history = Math.min(offset, DeflateEncoder.HISTORY);
      byte[] window = Arrays.copyOfRange(data, offset - history, offset + length);
      BitWriter bits = new BitWriter(16);
      new DeflateEncoder().encode(window, history, window.length, level, last, bits);
      sink.write(bits.bytes(), 0, bits.size());
      offset += length;
    } while (offset < data.length);

    CRC32 crc = new CRC32();
    crc.update(data);
    ByteBuffer trailer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    trailer.putInt((int) crc.getValue()).putInt(data.length);
    sink.write(trailer.array());
    return sink.toByteArray();
  }

  private static byte[] gzip(byte[] data, int level, int chunk) throws IOException {
    return compress(data, level, fourThreads, 8, chunk);
  }

  private static byte[] compress(byte[] data, int level, Executor executor, int inFlight, int chunk)
      throws IOException {
    return Samples.compress(
        sink -> new ParallelGzipOutputStream(sink, level, executor, inFlight), data, chunk);
  }

  private static byte[] plainGzip(byte[] data, int level) throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (OutputStream out =
        new GZIPOutputStream(sink) {
          {
            def.setLevel(level);
          }
        }) {
      out.write(data);
    }
    return sink.toByteArray();
  }

  private static byte[] gunzip(byte[] compressed) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
      return in.readAllBytes();
    }
  }
}
