package dev.bale.bench;

import dev.bale.nar.NarSummary;
import dev.bale.nar.NarWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Hashes a {@link BenchTree} as a NAR, beside the floors it cannot beat: reading every file once
 * and SHA-256-ing it, and SHA-256 over as many bytes already in memory. Files are in the page
 * cache, so this measures the CPU side of hashing, not the disk.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@OperationsPerInvocation(BenchTree.BYTES)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class NarBenchmark {
  private Path tree;
  private List<Path> files;
  private final byte[] buffer = new byte[1 << 16];
  private byte[] memory;

  @Setup
  public void createTree() throws IOException {
    tree = BenchTree.create();
    try (Stream<Path> paths = Files.walk(tree)) {
      files = paths.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
    }
    memory = new byte[BenchTree.BYTES];
  }

  @TearDown
  public void deleteTree() throws IOException {
    BenchTree.delete(tree);
  }

  /** Returns the NAR hash of the tree: what adding a store item costs beyond copying. */
  @Benchmark
  public NarSummary summarize(CpuMeter meter) throws IOException {
    NarSummary summary = NarWriter.summarize(tree);
    meter.add(BenchTree.BYTES);
    return summary;
  }

  /** Reads and hashes every file once, with no NAR framing: the floor for {@link #summarize}. */
  @Benchmark
  public byte[] readAndHashFiles(CpuMeter meter) throws IOException, NoSuchAlgorithmException {
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    for (Path file : files) {
      try (InputStream in = Files.newInputStream(file)) {
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          sha256.update(buffer, 0, n);
        }
      }
    }
    meter.add(BenchTree.BYTES);
    return sha256.digest();
  }

  /** Hashes the same number of bytes from memory: SHA-256 alone. */
  @Benchmark
  public byte[] sha256Memory(CpuMeter meter) throws NoSuchAlgorithmException {
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    for (int offset = 0; offset < memory.length; offset += buffer.length) {
      sha256.update(memory, offset, Math.min(buffer.length, memory.length - offset));
    }
    meter.add(BenchTree.BYTES);
    return sha256.digest();
  }
}
