package dev.bale.archive;

import dev.bale.store.LocalStore;
import dev.bale.store.PathInfo;
import dev.bale.store.StoreException;
import dev.bale.store.StorePath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Everything an import could change in an embedded store: the database's valid items with their
 * path info, and every file under the store's root except the database files, with its type, mode,
 * size and time (except the time of {@code tmp} itself). Two equal states mean the store was left
 * exactly as it was.
 */
record StoreState(List<PathInfo> validItems, List<String> files) {

  static StoreState of(LocalStore store) throws StoreException, IOException {
    List<PathInfo> items = new ArrayList<>();
    for (StorePath path : store.validPaths()) {
      items.add(store.pathInfo(path).orElseThrow());
    }
    return new StoreState(items, files(store.root()));
  }

  private static List<String> files(Path root) throws IOException {
    List<String> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path file : (Iterable<Path>) walk.sorted()::iterator) {
        String relative = root.relativize(file).toString();
        if (relative.startsWith("db")) {
          // SQLite rewrites its files on every read; the rows above are what counts.
          continue;
        }
        PosixFileAttributes attributes =
            Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        files.add(
            relative
                + " "
                + (attributes.isDirectory() ? "d" : attributes.isSymbolicLink() ? "l" : "f")
                + PosixFilePermissions.toString(attributes.permissions())
                + " "
                + attributes.size()
                + " "
                // Creating and deleting a temporary directory touches its parent; nothing else.
                + (relative.equals("tmp") ? "" : attributes.lastModifiedTime()));
      }
    }
    return files;
  }
}
