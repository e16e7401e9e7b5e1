package dev.bale.bench;

import java.lang.management.ManagementFactory;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Counts the input bytes a benchmark processed and the CPU time the whole JVM spent meanwhile (all
 * threads: pool threads, zstd's workers, GC), reported by JMH beside each score. Their ratio, MB
 * per CPU-second, does not depend on what else runs on the machine, unlike the score. Compressors
 * also count the bytes they wrote, so that speed is read beside the size it bought.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class CpuMeter {
  /** The input bytes processed this iteration. */
  public long bytes;

  /** The bytes a compressor wrote this iteration; 0 for other benchmarks. */
  public long outputBytes;

  /** The process CPU time this iteration, in nanoseconds. */
  public long cpuNanos;

  private long start;

  @Setup(Level.Iteration)
  public void reset() {
    bytes = 0;
    outputBytes = 0;
    cpuNanos = 0;
    start = processCpuNanos();
  }

  /** Records that {@code count} more input bytes were processed. */
  public void add(long count) {
    bytes += count;
    cpuNanos = processCpuNanos() - start;
  }

  /** Records that {@code count} more input bytes were compressed into {@code output} bytes. */
  public void add(long count, long output) {
    outputBytes += output;
    add(count);
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
