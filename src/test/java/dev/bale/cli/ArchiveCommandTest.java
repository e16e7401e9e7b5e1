package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveCommandTest {
  @TempDir Path temp;

  private record Bale(int code, String out, String err) {}

  private static Bale bale(Object... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] strings = Arrays.stream(args).map(String::valueOf).toArray(String[]::new);
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), strings);
    return new Bale(code, out.toString(), err.toString());
  }

  private String store(String name) {
    return "local?root=" + temp.resolve(name);
  }

  @Test
  void archive_exportAndImport_roundTripThroughFile() throws Exception {
    Path source = Files.writeString(temp.resolve("greeting"), "hello\n");
    String path = bale("--store", store("a"), "add", source).out().strip();
    Path file = temp.resolve("greeting.export");

    Bale exported = bale("--store", store("a"), "archive", "--export", path, "-o", file);
    Bale imported = bale("--store", store("b"), "archive", "--import", "--allow-unsigned", file);

    assertThat(exported.code()).isZero();
    assertThat(exported.out()).isEmpty();
    assertThat(imported.err()).isEmpty();
    assertThat(imported.out()).isEqualTo(path + "\n");
    assertThat(bale("--store", store("b"), "verify", path).code()).isZero();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-r--r--");
  }

  @Test
  void archive_exportFails_keepsTheOldFileAndLeavesNoTemporaryFile() throws Exception {
    Files.createDirectories(temp.resolve("out"));
    Path file = Files.writeString(temp.resolve("out/old.export"), "old");
    String unknown = "/gnu/store/00000000000000000000000000000000-none";

    Bale result = bale("--store", store("a"), "archive", "--export", unknown, "-o", file);

    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo("bale: '" + unknown + "' is not a valid item of store '" + store("a") + "'\n");
    assertThat(Files.readString(file)).isEqualTo("old");
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void archive_exportIntoMissingDirectory_isOneLineError() throws Exception {
    Path file = temp.resolve("missing/x.export");
    Path source = Files.writeString(temp.resolve("greeting"), "hello\n");
    String path = bale("--store", store("a"), "add", source).out().strip();

    Bale result = bale("--store", store("a"), "archive", "--export", path, "-o", file);

    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo(
            "bale: cannot write '"
                + file
                + "': its directory '"
                + file.getParent()
                + "' does not exist\n");
    assertThat(file.getParent()).doesNotExist();
  }

  @Test
  void archive_importMissingFile_isOneLineError() {
    Path file = temp.resolve("nothing.export");

    Bale result = bale("--store", store("a"), "archive", "--import", file);

    assertThat(result.code()).isEqualTo(1);
    String expected = "bale: cannot import '" + file + "': there is no such file\n";
    assertThat(result.err()).isEqualTo(expected);
  }

  @Test
  void archive_importIntoNixStore_isRefused() {
    Bale result = bale("--store", "nix?root=" + temp, "archive", "--import", temp.resolve("x"));

    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err()).startsWith("bale: cannot write to store 'nix?root=");
  }

  @Test
  void archive_badOptionMixes_areUsageErrors() {
    assertThat(bale("archive").code()).isEqualTo(2);
    assertThat(bale("archive", "--export", "--import").err())
        .startsWith(
            "bale: give exactly one of --export, --import, --generate-key, --authorize and"
                + " --deauthorize\n");
    assertThat(bale("archive", "--import", "-r").code()).isEqualTo(2);
    assertThat(bale("archive", "--import", "a", "b").code()).isEqualTo(2);
    assertThat(bale("archive", "--export").err())
        .startsWith("bale: --export needs at least one ITEM\n");
  }
}
