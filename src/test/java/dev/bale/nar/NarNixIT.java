package dev.bale.nar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.bale.hash.Digest;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compares bale's NAR writer and reader with Nix's own: {@code nix-store --dump} and {@code
 * nix-hash}, which read a directory and never touch a Nix store. Its {@link #trees} also serve
 * {@code NixStoreIT}, which adds them to stores.
 */
public class NarNixIT {
  private static final String INSTALL_NIX = "install nix-bin (apt-get install -y nix-bin)";

  @TempDir Path temp;

  /** Builds a tree to compare at the given path, which does not exist yet. */
  public interface Tree {
    void build(Path root) throws IOException;
  }

  @BeforeAll
  static void requireNixAndUtf8() {
    // The trees hold names that are not ASCII, which Java encodes as the locale says.
    assertThat(System.getProperty("sun.jnu.encoding"))
        .as("file name encoding; run with LC_ALL=C.UTF-8")
        .isEqualTo(StandardCharsets.UTF_8.name());
    for (String tool : List.of("nix-store", "nix-hash")) {
      boolean found =
          Stream.of(System.getenv("PATH").split(":"))
              .anyMatch(directory -> Files.isExecutable(Path.of(directory, tool)));
      assertThat(found).as(tool + " is missing: " + INSTALL_NIX).isTrue();
    }
  }

  /** Returns the trees to compare, each a name and a {@link Tree}. */
  public static Stream<Arguments> trees() {
    List<Arguments> trees = new ArrayList<>();
    trees.add(tree("empty file", root -> Files.createFile(root)));
    trees.add(tree("empty directory", root -> Files.createDirectory(root)));
    trees.add(tree("executable file", root -> file(root, "#!/bin/sh\necho hi\n", "rwxr-xr-x")));
    trees.add(tree("symlink as root", root -> Files.createSymbolicLink(root, Path.of("/etc"))));
    trees.add(tree("symlinks", NarNixIT::symlinks));
    trees.add(tree("modes", NarNixIT::modes));
    trees.add(tree("padding boundaries", NarNixIT::paddingBoundaries));
    trees.add(tree("100 levels deep", NarNixIT::deep));
    trees.add(tree("names with spaces and UTF-8", NarNixIT::names));
    trees.add(tree("names in byte order", NarNixIT::byteOrder));
    trees.add(tree("long names", NarNixIT::longNames));
    trees.add(tree("20 MB file", NarNixIT::largeFile));
    trees.add(tree("3000 small files", NarNixIT::manyFiles));
    trees.add(tree("mix", NarNixIT::mix));
    return trees.stream();
  }

  private static Arguments tree(String name, Tree tree) {
    return Arguments.of(name, tree);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("trees")
  void writerAndReader_matchNix(String name, Tree tree) throws Exception {
    Path root = temp.resolve("tree");
    tree.build(root);
    byte[] nixNar = run("nix-store", "--dump", root.toString());

    ByteArrayOutputStream baleNar = new ByteArrayOutputStream();
    NarWriter.write(root, baleNar);
    assertSameBytes(baleNar.toByteArray(), nixNar, "NarWriter against nix-store --dump");

    NarSummary summary = NarWriter.summarize(root);
    String nixHash = new String(run("nix-hash", "--type", "sha256", "--base32", root.toString()));
    assertThat(summary.hash().base32()).isEqualTo(nixHash.strip());
    assertThat(summary.size()).isEqualTo(nixNar.length);

    Path restored = temp.resolve("restored");
    NarSummary read = NarReader.restore(buffered(nixNar), restored);
    assertThat(read).isEqualTo(new NarSummary(Digest.of(nixNar), nixNar.length));
    byte[] redumped = run("nix-store", "--dump", restored.toString());
    assertSameBytes(redumped, nixNar, "nix-store --dump of the restored tree");
  }

  @Test
  void restore_targetWithRepeatedSlash_isRefusedThoughWriterMatchesNix() throws Exception {
    Path root = temp.resolve("tree");
    Files.createDirectory(root);
    // Java would normalise "lib//" to "lib", so the real tool makes the link.
    run("ln", "-s", "lib//", root.resolve("link").toString());
    byte[] nixNar = run("nix-store", "--dump", root.toString());

    ByteArrayOutputStream baleNar = new ByteArrayOutputStream();
    NarWriter.write(root, baleNar);
    assertSameBytes(baleNar.toByteArray(), nixNar, "NarWriter against nix-store --dump");

    Path restored = temp.resolve("restored");
    assertThatThrownBy(() -> NarReader.restore(buffered(nixNar), restored))
        .isInstanceOf(NarFormatException.class)
        .hasMessageContaining("symlink target 'lib//' has a repeated or trailing '/'");
    assertThat(restored).doesNotExist();
    assertThat(NarReader.verify(buffered(nixNar)).hash()).isEqualTo(Digest.of(nixNar));
  }

  @Test
  void restore_underUmaskRemovingOwnerWrite_stillGivesExactModes() throws Exception {
    Path root = temp.resolve("tree");
    mix(root);
    byte[] nixNar = run("nix-store", "--dump", root.toString());
    Path restored = temp.resolve("restored");

    // The umask belongs to the whole process, so a second JVM restores under it.
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process =
        new ProcessBuilder(
                "sh",
                "-c",
                "umask 0277 && exec \"$@\"",
                "sh",
                java,
                "-cp",
                System.getProperty("java.class.path"),
                RestoreStandardInput.class.getName(),
                restored.toString())
            .redirectErrorStream(true)
            .start();
    process.getOutputStream().write(nixNar);
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isZero();

    assertThat(Files.getPosixFilePermissions(restored.resolve("lib")))
        .isEqualTo(perms("rwxr-xr-x"));
    assertThat(Files.getPosixFilePermissions(restored.resolve("bin/tool")))
        .isEqualTo(perms("rwxr-xr-x"));
    assertThat(Files.getPosixFilePermissions(restored.resolve("lib/pkgconfig/thing.pc")))
        .isEqualTo(perms("rw-r--r--"));
    assertSameBytes(run("nix-store", "--dump", restored.toString()), nixNar, "re-dump");
  }

  /** Restores the NAR on standard input at the path given, for a test in another process. */
  static final class RestoreStandardInput {
    public static void main(String[] args) throws IOException {
      NarReader.restore(new BufferedInputStream(System.in), Path.of(args[0]));
    }
  }

  private static void symlinks(Path root) throws IOException {
    Files.createDirectories(root.resolve("dir/sub"));
    file(root.resolve("dir/file"), "data", "rw-r--r--");
    Files.createSymbolicLink(root.resolve("to-file"), Path.of("dir/file"));
    Files.createSymbolicLink(root.resolve("to-dir"), Path.of("dir/sub"));
    Files.createSymbolicLink(root.resolve("dir/up"), Path.of("../to-dir"));
    Files.createSymbolicLink(root.resolve("absolute-file"), Path.of("/etc/hostname"));
    Files.createSymbolicLink(root.resolve("absolute-dir"), Path.of("/usr/bin"));
    Files.createSymbolicLink(root.resolve("dangling"), Path.of("does/not/exist"));
    Files.createSymbolicLink(root.resolve("self"), Path.of("self"));
    Files.createSymbolicLink(root.resolve("dot"), Path.of("."));
    Files.createSymbolicLink(root.resolve("utf8 ☃"), Path.of("ünïcödé target"));
  }

  private static void modes(Path root) throws IOException {
    Files.createDirectory(root);
    file(root.resolve("owner-exec"), "x", "rwx------");
    file(root.resolve("read-only-exec"), "x", "r-x------");
    file(root.resolve("group-exec"), "x", "rw-r-xr-x");
    file(root.resolve("read-only"), "x", "r--r--r--");
    Files.createDirectory(root.resolve("private-dir"));
    file(root.resolve("private-dir/f"), "y", "rw-------");
    Files.setPosixFilePermissions(root.resolve("private-dir"), perms("rwx------"));
  }

  private static void paddingBoundaries(Path root) throws IOException {
    Files.createDirectory(root);
    for (int size = 0; size <= 17; size++) {
      String name = "n".repeat(size + 1);
      file(root.resolve(name), "c".repeat(size), size % 3 == 0 ? "rwxr-xr-x" : "rw-r--r--");
      Files.createSymbolicLink(root.resolve("l" + name), Path.of("t".repeat(size + 1)));
    }
  }

  private static void deep(Path root) throws IOException {
    Path directory = root;
    for (int level = 0; level < 100; level++) {
      directory = directory.resolve("d" + level % 10);
    }
    Files.createDirectories(directory);
    file(directory.resolve("bottom"), "deep", "rw-r--r--");
  }

  private static void names(Path root) throws IOException {
    Files.createDirectory(root);
    for (String name :
        List.of(
            "with space",
            " leading",
            "trailing ",
            "caf\u00e9",
            "\u65e5\u672c\u8a9e",
            "\ud83d\udce6",
            "tab\there",
            "new\nline",
            "quote'\"",
            "back\\slash",
            "-dash",
            "..dots",
            ".hidden")) {
      file(root.resolve(name), name, "rw-r--r--");
    }
    Files.createDirectory(root.resolve("r\u00e9pertoire \u00e0 moi"));
    file(root.resolve("r\u00e9pertoire \u00e0 moi/\u00fc"), "u", "rwxr-xr-x");
  }

  private static void byteOrder(Path root) throws IOException {
    Files.createDirectory(root);
    // Upper case before lower, punctuation between, and multi-byte UTF-8 after all ASCII.
    for (String name :
        List.of("a", "B", "z", "\u00e9", "a.b", "a-b", "a_b", "A", "aa", "_", "\u00c9")) {
      file(root.resolve(name), name, "rw-r--r--");
    }
  }

  private static void longNames(Path root) throws IOException {
    Files.createDirectory(root);
    file(root.resolve("x".repeat(101)), "101", "rw-r--r--");
    file(root.resolve("y".repeat(255)), "255", "rwxr-xr-x");
    Files.createDirectory(root.resolve("z".repeat(200)));
    Files.createSymbolicLink(
        root.resolve("z".repeat(200)).resolve("\u00e9".repeat(127)), Path.of("t".repeat(1000)));
  }

  private static void largeFile(Path root) throws IOException {
    byte[] data = new byte[20 * 1024 * 1024 + 3];
    new Random(20).nextBytes(data);
    Files.write(root, data);
  }

  private static void manyFiles(Path root) throws IOException {
    Files.createDirectory(root);
    for (int i = 0; i < 3000; i++) {
      Path directory = root.resolve("d" + i % 30);
      Files.createDirectories(directory);
      Files.writeString(directory.resolve("file" + i), "content " + i);
    }
  }

  private static void mix(Path root) throws IOException {
    Files.createDirectories(root.resolve("bin"));
    Files.createDirectories(root.resolve("lib/pkgconfig"));
    Files.createDirectories(root.resolve("share/doc/empty"));
    file(root.resolve("bin/tool"), "#!/bin/sh\nexit 0\n", "rwxr-xr-x");
    Files.createSymbolicLink(root.resolve("bin/alias"), Path.of("tool"));
    byte[] library = new byte[300_000];
    new Random(3).nextBytes(library);
    Files.write(root.resolve("lib/libthing.so.1.2"), library);
    Files.createSymbolicLink(root.resolve("lib/libthing.so"), Path.of("libthing.so.1.2"));
    file(root.resolve("lib/pkgconfig/thing.pc"), "Name: thing\n", "rw-r--r--");
    Files.createFile(root.resolve("share/doc/EMPTY"));
    Files.createSymbolicLink(root.resolve("share/self"), root.resolve("share"));
  }

  private static void file(Path path, String contents, String mode) throws IOException {
    Files.writeString(path, contents);
    Files.setPosixFilePermissions(path, perms(mode));
  }

  private static Set<PosixFilePermission> perms(String mode) {
    return PosixFilePermissions.fromString(mode);
  }

  private static InputStream buffered(byte[] nar) {
    return new BufferedInputStream(new ByteArrayInputStream(nar));
  }

  private static void assertSameBytes(byte[] actual, byte[] expected, String what) {
    int mismatch = Arrays.mismatch(actual, expected);
    assertThat(mismatch)
        .as("%s: first differing byte (sizes %d and %d)", what, actual.length, expected.length)
        .isEqualTo(-1);
  }

  private byte[] run(String... command) throws IOException, InterruptedException {
    Path errors = Files.createTempFile(temp, "stderr", ".txt");
    Process process;
    try {
      process = new ProcessBuilder(command).redirectError(errors.toFile()).start();
    } catch (IOException e) {
      return fail("cannot run " + command[0] + ": " + INSTALL_NIX, e);
    }
    process.getOutputStream().close();
    byte[] output = process.getInputStream().readAllBytes();
    int status = process.waitFor();
    assertThat(status)
        .as("%s failed: %s", String.join(" ", command), Files.readString(errors))
        .isZero();
    return output;
  }
}
