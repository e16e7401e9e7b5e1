package dev.bale.compress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Checks that the real gzip, pigz and zstd programs read what the streams write. */
class CompressionCliIT {
  private static final int BLOCK = ParallelGzipOutputStream.BLOCK_SIZE;

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(ints = {0, 1, BLOCK, 7 * BLOCK + 5})
  void gzip_decompressesWhatParallelGzipWrote(int size) throws Exception {
    byte[] data = Samples.text(size, size);
    byte[] compressed =
        Samples.compress(sink -> new ParallelGzipOutputStream(sink), data, 10_000);

    assertThat(run(compressed, "gzip", "-dc")).isEqualTo(data);
    assertThat(run(compressed, "pigz", "-dc")).isEqualTo(data);
  }

  @Test
  void gzip_testsLargeRandomInputClean() throws Exception {
    byte[] data = Samples.random(5 * 1024 * 1024, 9);
    Path file = dir.resolve("layer.gz");
    try (OutputStream out = new ParallelGzipOutputStream(Files.newOutputStream(file))) {
      out.write(data);
    }

    // gzip -t checks the CRC and size in the trailer against what it decompressed.
    run(new byte[0], "gzip", "-t", file.toString());
    assertThat(run(Files.readAllBytes(file), "gzip", "-dc")).isEqualTo(data);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 128 * 1024, 20 * 1024 * 1024 + 3})
  void zstd_decompressesWhatParallelZstdWrote(int size) throws Exception {
    byte[] data = Samples.text(size, size);
    byte[] compressed = Samples.compress(ParallelZstdOutputStream::new, data, 10_000);
    Path file = dir.resolve("layer.zst");
    Files.write(file, compressed);

    // zstd -t verifies the content checksum the frame carries.
    run(new byte[0], "zstd", "-q", "-t", file.toString());
    assertThat(run(compressed, "zstd", "-dc")).isEqualTo(data);
  }

  private static byte[] run(byte[] input, String... command) throws Exception {
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(false).start();
    } catch (IOException e) {
      throw new AssertionError(
          "cannot run " + command[0] + ": install it (apt-get install -y " + command[0] + ")", e);
    }

    CompletableFuture<Void> feeding =
        CompletableFuture.runAsync(
            () -> {
              try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(input);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    CompletableFuture<byte[]> errors = CompletableFuture.supplyAsync(() -> drain(process));
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    try (InputStream stdout = process.getInputStream()) {
      stdout.transferTo(output);
    }

    int exit = process.waitFor();
    feeding.join();
    String shown = String.join(" ", command);
    assertThat(exit).as("%s: %s", shown, new String(errors.join())).isZero();
    return output.toByteArray();
  }

  private static byte[] drain(Process process) {
    try (InputStream stderr = process.getErrorStream()) {
      return stderr.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
