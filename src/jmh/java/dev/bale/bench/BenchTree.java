package dev.bale.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Writes a store-item-like tree: {@value #FILES} files, most of them small, a few large ones, some
 * executables and symbolic links, holding exactly {@value #BYTES} bytes of file contents.
 */
public final class BenchTree {
  public static final int FILES = 3000;
  public static final int BYTES = 40_000_000;

  private static final int LARGE_FILES = 60;
  private static final int FILES_PER_DIRECTORY = 40;

  private BenchTree() {}

  /** Creates the tree in a new temporary directory and returns that directory. */
  public static Path create() throws IOException {
    Path root = Files.createTempDirectory("bale-bench-tree");
    Random random = new Random(42);
    int[] sizes = sizes(random);

    byte[] chunk = new byte[1 << 16];
    random.nextBytes(chunk);
    for (int i = 0; i < FILES; i++) {
      Path directory = root.resolve("lib" + (i / FILES_PER_DIRECTORY));
      Files.createDirectories(directory);
      Path file = directory.resolve("file-" + i + (i % 7 == 0 ? ".so" : ".py"));
      try (OutputStream out = Files.newOutputStream(file)) {
        for (int left = sizes[i]; left > 0; left -= chunk.length) {
          out.write(chunk, 0, Math.min(left, chunk.length));
        }
      }
      if (i % 11 == 0) {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      if (i % 50 == 0) {
        Files.createSymbolicLink(directory.resolve("link-" + i), file.getFileName());
      }
    }
    return root;
  }

  /** Deletes a tree made by {@link #create()}. */
  public static void delete(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(path);
      }
    }
  }

  /** Returns file sizes, small ones up to 16 KiB and large ones sharing the rest of the bytes. */
  private static int[] sizes(Random random) {
    int[] sizes = new int[FILES];
    int small = 0;
    for (int i = LARGE_FILES; i < FILES; i++) {
      sizes[i] = 1 + random.nextInt(16 * 1024);
      small += sizes[i];
    }

    int rest = BYTES - small;
    for (int i = 0; i < LARGE_FILES; i++) {
      sizes[i] = rest / LARGE_FILES;
    }
    sizes[0] += rest % LARGE_FILES;
    return sizes;
  }
}
