package dev.bale.store;

import dev.bale.bench.BenchTree;
import dev.bale.bench.CpuMeter;
import dev.bale.hash.DigestingOutputStream;
import dev.bale.hash.PipelinedDigestingOutputStream;
import dev.bale.nar.NarWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SortedSet;
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
 * Scans for references as {@code bale add} does, beside the same work without the scan.
 *
 * <p>Two inputs: the NAR of a {@link BenchTree} (mostly binary bytes, the common case) and as many
 * bytes of text made only of Nix base32 characters and spaces, with a candidate's store path every
 * few kilobytes: the worst case for the scanner, which looks closer at every base32 run of 32
 * characters or more. It is benchmarked here, outside {@code dev.bale.bench}, because the scanner
 * is private to the store.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@OperationsPerInvocation(BenchTree.BYTES)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class ReferenceScanBenchmark {
  /** As many candidates as a large store offers an item being added. */
  private static final int CANDIDATES = 2000;

  private static final String BASE32 = "0123456789abcdfghijklmnpqrsvwxyz";
  private static final int CHUNK = 1 << 16;

  private Path tree;
  private List<StorePath> candidates;
  private byte[] text;

  @Setup
  public void createInputs() throws IOException {
    tree = BenchTree.create();
    Random random = new Random(7);
    candidates = new ArrayList<>();
    for (int i = 0; i < CANDIDATES; i++) {
      candidates.add(new StorePath("/gnu/store", word(random, StorePath.HASH_LENGTH), "item-" + i));
    }
    text = base32Text(random);
  }

  @TearDown
  public void deleteTree() throws IOException {
    BenchTree.delete(tree);
  }

  /** The NAR hash alone: the baseline for {@link #narHashAndScan}. */
  @Benchmark
  public Object narHash(CpuMeter meter) throws IOException {
    DigestingOutputStream digesting = new DigestingOutputStream(OutputStream.nullOutputStream());
    NarWriter.write(tree, digesting);
    meter.add(BenchTree.BYTES);
    return digesting.digest();
  }

  /**
   * The NAR hash and the reference scan in one pass, as {@code add} computes them: the scan on this
   * thread, the hash on the stream's own.
   */
  @Benchmark
  public SortedSet<StorePath> narHashAndScan(CpuMeter meter) throws IOException {
    ReferenceScanner scanner = new ReferenceScanner(candidates);
    try (PipelinedDigestingOutputStream nar = new PipelinedDigestingOutputStream(scanner)) {
      NarWriter.write(tree, nar);
      nar.digest();
    }
    meter.add(BenchTree.BYTES);
    return scanner.references();
  }

  /** The scan alone over base32 text, written in 64 KiB pieces. */
  @Benchmark
  public SortedSet<StorePath> scanBase32Text(CpuMeter meter) {
    ReferenceScanner scanner = new ReferenceScanner(candidates);
    for (int offset = 0; offset < text.length; offset += CHUNK) {
      scanner.write(text, offset, Math.min(CHUNK, text.length - offset));
    }
    meter.add(BenchTree.BYTES);
    return scanner.references();
  }

  /** SHA-256 of the same text: the baseline for {@link #scanBase32Text}. */
  @Benchmark
  public byte[] sha256Text(CpuMeter meter) throws NoSuchAlgorithmException {
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    for (int offset = 0; offset < text.length; offset += CHUNK) {
      sha256.update(text, offset, Math.min(CHUNK, text.length - offset));
    }
    meter.add(BenchTree.BYTES);
    return sha256.digest();
  }

  /** Words of 1 to 60 base32 characters between spaces, and a store path every 4 KiB or so. */
  private byte[] base32Text(Random random) {
    StringBuilder out = new StringBuilder(BenchTree.BYTES + 100);
    while (out.length() < BenchTree.BYTES) {
      if (random.nextInt(100) == 0) {
        out.append(candidates.get(random.nextInt(CANDIDATES))).append('\n');
      } else {
        out.append(word(random, 1 + random.nextInt(60))).append(' ');
      }
    }
    out.setLength(BenchTree.BYTES);
    return out.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static String word(Random random, int length) {
    StringBuilder word = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      word.append(BASE32.charAt(random.nextInt(BASE32.length())));
    }
    return word.toString();
  }
}
