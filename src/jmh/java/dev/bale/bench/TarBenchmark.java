package dev.bale.bench;

import dev.bale.image.ClosureItem;
import dev.bale.image.Compression;
import dev.bale.image.Layer;
import dev.bale.image.LayerWriter;
import dev.bale.image.WrittenLayer;
import dev.bale.store.StorePath;
import dev.bale.tar.TarEntry;
import dev.bale.tar.TarWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
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
 * Writes a {@link BenchTree}, as one store item, as a layer tar: the tar alone to a null stream,
 * and the whole uncompressed layer (tar and its SHA-256 diff ID) as {@code pack} writes it.
 * Their baselines are {@code NarBenchmark.readAndHashFiles}, which reads and hashes the same
 * files without any framing, and {@code NarBenchmark.summarize}, the NAR of the same tree.
 * Scanning the tree, which a pack does once per layer, is timed too.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@OperationsPerInvocation(BenchTree.BYTES)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class TarBenchmark {
  private Path tree;
  private Layer layer;

  @Setup
  public void createTree() throws IOException {
    tree = BenchTree.create();
    StorePath path = StorePath.fromBaseName("/gnu/store", "0".repeat(32) + "-bench-tree");
    layer = new Layer(List.of(new ClosureItem(path, tree, new TreeSet<>(), 0)), null);
  }

  @TearDown
  public void deleteTree() throws IOException {
    BenchTree.delete(tree);
  }

  /** The layer's tar, to a null stream. */
  @Benchmark
  public long tar(CpuMeter meter) throws IOException {
    Layer.Content content = layer.scan();
    try (TarWriter writer = new TarWriter(OutputStream.nullOutputStream())) {
      for (TarEntry entry : content.entries()) {
        writer.write(entry);
      }
    }
    meter.add(BenchTree.BYTES);
    return content.tarSize();
  }

  /** The uncompressed layer with its diff ID, to a null stream. */
  @Benchmark
  public WrittenLayer layerUncompressed(CpuMeter meter) throws IOException {
    WrittenLayer written =
        LayerWriter.write(layer.scan(), Compression.NONE, OutputStream.nullOutputStream());
    meter.add(BenchTree.BYTES);
    return written;
  }
}
