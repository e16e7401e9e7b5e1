package dev.bale.bench;

import dev.bale.compress.ParallelZstdOutputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/** Compresses {@link CompressionInput} at zstd level 3 with one and two workers. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@OperationsPerInvocation(CompressionInput.BYTES)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class ZstdBenchmark {
  @Param({"1", "2"})
  public int workers;

  private byte[] input;

  @Setup
  public void load() throws IOException {
    input = CompressionInput.load();
  }

  /** Returns the compressed size. */
  @Benchmark
  public long zstd(CpuMeter meter) throws IOException {
    CompressionInput.Counter counter = new CompressionInput.Counter();
    CompressionInput.writeAll(input, new ParallelZstdOutputStream(counter, 3, workers));
    meter.add(CompressionInput.BYTES, counter.count);
    return counter.count;
  }
}
