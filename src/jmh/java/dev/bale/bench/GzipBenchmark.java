package dev.bale.bench;

import dev.bale.compress.ParallelGzipOutputStream;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** Compresses {@link CompressionInput} at level 6 with bale's parallel gzip and the JDK's. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@OperationsPerInvocation(CompressionInput.BYTES)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class GzipBenchmark {
  private byte[] input;

  @Setup
  public void load() throws IOException {
    input = CompressionInput.load();
  }

  /**
   * A pool of compression threads; only the parallel benchmark uses it. The writing thread helps
   * with blocks the pool has not started, so {@code threads} 0 (everything on the writing thread)
   * is the single-threaded case and {@code threads} N uses up to N + 1 threads.
   */
  @State(Scope.Benchmark)
  public static class Pool {
    @Param({"0", "1", "2"})
    public int threads;

    Executor executor;
    private ExecutorService pool;

    @Setup
    public void start() {
      if (threads == 0) {
        executor = task -> {};
      } else {
        pool = Executors.newFixedThreadPool(threads);
        executor = pool;
      }
    }

    @TearDown
    public void stop() {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
  }

  /** Returns the compressed size from bale's parallel gzip. */
  @Benchmark
  public long parallelGzip(Pool pool, CpuMeter meter) throws IOException {
    CompressionInput.Counter counter = new CompressionInput.Counter();
    CompressionInput.writeAll(input, new ParallelGzipOutputStream(counter, 6, pool.executor));
    meter.add(CompressionInput.BYTES, counter.count);
    return counter.count;
  }

  /** Returns the compressed size from {@link GZIPOutputStream}: the single-threaded baseline. */
  @Benchmark
  public long jdkGzip(CpuMeter meter) throws IOException {
    CompressionInput.Counter counter = new CompressionInput.Counter();
    CompressionInput.writeAll(input, new LevelGzipOutputStream(counter, 6));
    meter.add(CompressionInput.BYTES, counter.count);
    return counter.count;
  }

  /** The JDK's gzip stream at a chosen level, which its constructors do not offer. */
  private static final class LevelGzipOutputStream extends GZIPOutputStream {
    LevelGzipOutputStream(CompressionInput.Counter out, int level) throws IOException {
      super(out, 1 << 16);
      def.setLevel(level);
    }
  }
}
