package dev.bale.testing;

import dev.bale.hash.Digest;
import dev.bale.hash.NixBase32;
import dev.bale.image.ClosureItem;
import dev.bale.store.StorePath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Store items as plain directories under a temporary root, with the modes a store gives them, for
 * testing image code without a store database. Item hashes come from their names.
 */
public final class TestStore {
  /** The logical store directory of test items. */
  public static final String DIRECTORY = "/gnu/store";

  private final Path root;
  private final List<ClosureItem> items = new ArrayList<>();

  /** Creates an empty store whose items live under {@code root}. */
  public TestStore(Path root) {
    this.root = root;
  }

  /** Returns the store path an item named {@code name} gets. */
  public static StorePath pathOf(String name) {
    byte[] hash = Arrays.copyOf(Digest.of(name.getBytes(StandardCharsets.UTF_8)).bytes(), 20);
    return new StorePath(DIRECTORY, NixBase32.encode(hash), name);
  }

  /** Returns where the tree of {@code path} lives. */
  public Path physical(StorePath path) {
    return root.resolve(path.toString().substring(1));
  }

  /** Returns the items added so far. */
  public List<ClosureItem> items() {
    return List.copyOf(items);
  }

  /**
   * Adds an item named {@code name} whose tree {@code builder} fills, referring to {@code
   * references}, then makes it read-only the way a store does.
   */
  public ClosureItem add(String name, TreeBuilder builder, StorePath... references)
      throws IOException {
    StorePath path = pathOf(name);
    Path tree = physical(path);
    Files.createDirectories(tree);
    builder.build(tree);
    normalise(tree);
    long size;
    try (Stream<Path> files = Files.walk(tree)) {
      size = files.filter(Files::isRegularFile).mapToLong(TestStore::sizeOf).sum();
    }
    ClosureItem item = new ClosureItem(path, tree, new TreeSet<>(List.of(references)), size);
    items.add(item);
    return item;
  }

  /** Adds the static busybox as {@code bin/busybox} with {@code bin/sh} linking to it. */
  public ClosureItem addBusybox() throws IOException {
    Path busybox = Program.require("busybox", "busybox-static");
    return add(
        "busybox-static",
        tree -> {
          Files.createDirectories(tree.resolve("bin"));
          Files.copy(busybox, tree.resolve("bin/busybox"));
          Files.createSymbolicLink(tree.resolve("bin/sh"), Path.of("busybox"));
          Files.createSymbolicLink(tree.resolve("bin/cat"), Path.of("busybox"));
          Files.createSymbolicLink(tree.resolve("bin/ls"), Path.of("busybox"));
        });
  }

  /** Adds an item whose {@code bin/hello} script, run by busybox's shell, prints {@code text}. */
  public ClosureItem addHello(ClosureItem busybox, String text) throws IOException {
    String script = "#!" + busybox.path() + "/bin/sh\necho '" + text + "'\n";
    return add(
        "hello-1.0",
        tree -> {
          Files.createDirectories(tree.resolve("bin"));
          Path hello = tree.resolve("bin/hello");
          Files.writeString(hello, script);
          Files.setPosixFilePermissions(hello, PosixFilePermissions.fromString("rwxr-xr-x"));
          Files.writeString(tree.resolve("README"), "a greeting\n");
        },
        busybox.path());
  }

  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Gives files mode 444 or 555 and directories 555, deepest first, as stores do. */
  private static void normalise(Path tree) throws IOException {
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(tree)) {
      paths = walk.sorted(Comparator.reverseOrder()).toList();
    }
    for (Path path : paths) {
      if (Files.isSymbolicLink(path)) {
        continue;
      }
      boolean executable =
          Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)
              || Files.getPosixFilePermissions(path).stream()
                  .anyMatch(p -> p.name().endsWith("EXECUTE"));
      Files.setPosixFilePermissions(
          path, PosixFilePermissions.fromString(executable ? "r-xr-xr-x" : "r--r--r--"));
    }
  }

  /** Fills a new item's tree. */
  @FunctionalInterface
  public interface TreeBuilder {
    /** Creates the item's files under {@code tree}. */
    void build(Path tree) throws IOException;
  }
}
