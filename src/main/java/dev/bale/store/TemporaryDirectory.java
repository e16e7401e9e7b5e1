package dev.bale.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A private directory under the embedded store's {@code tmp} directory, on the same file system as
 * the items so that moving a finished tree into place is one atomic rename. Closing it deletes
 * whatever is left in it.
 *
 * <p>Its name is a {@link ProcessTag} of the process that made it: when a store opens, directories
 * of processes that no longer run are deleted, so a killed process leaves nothing behind for long,
 * and a running one never loses its trees. Two containers sharing one store root could take each
 * other's directories for stale ones (see {@link ProcessTag}), making an add fail, never corrupting
 * the store.
 */
public final class TemporaryDirectory implements AutoCloseable {
  private final Path path;

  private TemporaryDirectory(Path path) {
    this.path = path;
  }

  /** Creates a new temporary directory under {@code parent}. */
  static TemporaryDirectory create(Path parent) throws IOException {
    return new TemporaryDirectory(Files.createDirectory(parent.resolve(ProcessTag.next())));
  }

  /** Returns the directory, in which the caller creates the trees it will register. */
  public Path path() {
    return path;
  }

  /** Deletes the directory and everything still in it. */
  @Override
  public void close() throws StoreException {
    try {
      ItemTree.delete(path);
    } catch (IOException e) {
      throw new StoreException("cannot delete the temporary directory '" + path + "'", e);
    }
  }

  /**
   * Deletes the temporary directories under {@code parent} whose processes no longer run; those
   * that cannot be deleted now are left for the next time.
   */
  static void deleteStale(Path parent) throws IOException {
    try (Stream<Path> children = Files.list(parent)) {
      for (Path child : (Iterable<Path>) children::iterator) {
        if (ProcessTag.isStale(child.getFileName().toString())) {
          try {
            ItemTree.delete(child);
          } catch (IOException e) {
            // Another process may be deleting it at the same time; either way it goes.
          }
        }
      }
    }
  }
}
