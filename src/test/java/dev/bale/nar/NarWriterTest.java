package dev.bale.nar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bale.hash.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NarWriterTest {
  @TempDir Path temp;

  @Test
  void summarize_givesDigestAndSizeOfWhatWriteWrites() throws IOException {
    Files.createDirectories(temp.resolve("tree/sub"));
    Files.writeString(temp.resolve("tree/sub/file"), "contents");
    Files.createSymbolicLink(temp.resolve("tree/link"), Path.of("sub/file"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    NarWriter.write(temp.resolve("tree"), out);

    byte[] nar = out.toByteArray();
    assertThat(NarWriter.summarize(temp.resolve("tree")))
        .isEqualTo(new NarSummary(Digest.of(nar), nar.length));
  }

  @Test
  void write_nameNotUtf8_isRefused() throws Exception {
    Files.createDirectory(temp.resolve("tree"));
    shell("touch \"$1\"/$(printf 'caf\\351')", temp.resolve("tree"));

    assertThatThrownBy(() -> NarWriter.write(temp.resolve("tree"), OutputStream.nullOutputStream()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("its name is not valid UTF-8");
  }

  @Test
  void write_symlinkTargetNotUtf8_isRefused() throws Exception {
    shell("ln -s $(printf 'caf\\351') \"$1\"", temp.resolve("link"));

    assertThatThrownBy(() -> NarWriter.write(temp.resolve("link"), OutputStream.nullOutputStream()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("its symlink target is not valid UTF-8");
  }

  @Test
  void write_validReplacementCharacter_isKept() throws IOException {
    Files.createDirectory(temp.resolve("tree"));
    Files.writeString(temp.resolve("tree").resolve("\ufffd"), "");
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    NarWriter.write(temp.resolve("tree"), out);

    byte[] expected =
        NarBytes.nar().add("(", "type", "directory").entry("\ufffd").file("").end().end().bytes();
    assertThat(out.toByteArray()).isEqualTo(expected);
  }

  @Test
  void write_fifo_isRefused() throws Exception {
    shell("mkfifo \"$1\"", temp.resolve("fifo"));

    assertThatThrownBy(() -> NarWriter.write(temp.resolve("fifo"), OutputStream.nullOutputStream()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("only files, directories and symlinks are allowed");
  }

  /** Runs {@code script} with {@code path} as $1: Java cannot make these files itself. */
  private static void shell(String script, Path path) throws Exception {
    Process process =
        new ProcessBuilder("sh", "-c", script, "sh", path.toString()).inheritIO().start();
    assertThat(process.waitFor()).as(script).isZero();
  }
}
