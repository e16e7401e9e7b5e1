package dev.bale.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.nar.NarSummary;
import dev.bale.nar.NarWriter;
import dev.bale.store.ContentAddress;
import dev.bale.store.LocalStore;
import dev.bale.store.PathInfo;
import dev.bale.store.StorePath;
import dev.bale.store.Stores;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Imports and verifies an export of about 300 MB in a JVM whose heap is 48 MB: archives are
 * streamed, never held whole in memory.
 */
class LargeImportIT {
  private static final String HEAP = "-Xmx48m";
  private static final int BIG_FILE_MB = 280;
  private static final int SMALL_FILES = 4000;

  @TempDir Path dir;

  @Test
  void importAndVerify_300MegabyteExport_succeedInA48MegabyteHeap() throws Exception {
    Path tree = bigTree(dir.resolve("big"));
    NarSummary nar = NarWriter.summarize(tree);
    StorePath path = ContentAddress.sourcePath("/nix/store", "big-1.0", nar.hash(), List.of());
    String uri = "local?root=" + dir.resolve("store") + "&store-dir=/nix/store";

    Child imported = bale(tree, path, uri, "archive", "--import", "--allow-unsigned");
    Child verified = bale(null, null, uri, "verify", path.toString());

    assertThat(nar.size()).isGreaterThan(300_000_000L);
    assertThat(imported.err()).isEmpty();
    assertThat(imported.code()).isZero();
    assertThat(imported.out()).isEqualTo(path + "\n");
    assertThat(verified.err()).isEmpty();
    assertThat(verified.code()).isZero();
    try (LocalStore store = Stores.openLocal(uri)) {
      PathInfo info = store.pathInfo(path).orElseThrow();
      assertThat(info.narHash()).isEqualTo(nar.hash());
      assertThat(info.narSize()).isEqualTo(nar.size());
    }
  }

  /** One large file of pseudo-random bytes and many small files in subdirectories. */
  private static Path bigTree(Path root) throws IOException {
    Files.createDirectories(root.resolve("share"));
    Random random = new Random(48);
    byte[] chunk = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(root.resolve("share/big.dat"))) {
      for (int i = 0; i < BIG_FILE_MB; i++) {
        random.nextBytes(chunk);
        out.write(chunk);
      }
    }
    byte[] small = new byte[5000];
    for (int i = 0; i < SMALL_FILES; i++) {
      Path directory = Files.createDirectories(root.resolve("lib/d" + i % 40));
      random.nextBytes(small);
      Files.write(directory.resolve("f" + i), small);
    }
    return root;
  }

  private record Child(int code, String out, String err) {}

  /**
   * Runs the packaged bale in a JVM with a 48 MB heap; when {@code tree} is given, streams an
   * export of it as {@code path}, without references, to its standard input.
   */
  private static Child bale(Path tree, StorePath path, String uri, String... args)
      throws Exception {
    Path jar = Path.of("target/bale.jar");
    assertThat(jar).as("the packaged jar, built before integration tests").exists();
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                HEAP,
                "-XX:+UseSerialGC",
                "-jar",
                jar.toString(),
                "--store",
                uri));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).start();
    CompletableFuture<byte[]> out = drain(process.getInputStream());
    CompletableFuture<byte[]> err = drain(process.getErrorStream());
    try (OutputStream in = new BufferedOutputStream(process.getOutputStream(), 1 << 16)) {
      if (tree != null) {
        writeExport(tree, path, in);
      }
    }
    if (!process.waitFor(300, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("bale " + String.join(" ", args) + " did not finish in 300 s");
    }
    return new Child(
        process.exitValue(),
        new String(out.join(), StandardCharsets.UTF_8),
        new String(err.join(), StandardCharsets.UTF_8));
  }

  /** Writes the export format for one unsigned item without references or deriver. */
  private static void writeExport(Path tree, StorePath path, OutputStream out) throws IOException {
    WireOutput wire = new WireOutput(out);
    wire.writeLong(ExportFormat.ITEM);
    NarWriter.write(tree, out);
    wire.writeLong(ExportFormat.MAGIC);
    wire.writeString(path.toString());
    wire.writeLong(0);
    wire.writeString("");
    wire.writeLong(ExportFormat.UNSIGNED);
    wire.writeLong(ExportFormat.END);
  }

  private static CompletableFuture<byte[]> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (stream) {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }
}
