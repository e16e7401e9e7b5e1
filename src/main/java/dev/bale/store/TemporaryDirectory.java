package dev.bale.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A private directory under the embedded store's {@code tmp} directory, on the same file system as
 * the items so that moving a finished tree into place is one atomic rename. Closing it deletes
 * whatever is left in it.
 *
 * <p>Its name records the process that made it, {@code PID-START-RANDOM} with START the process's
 * start time in milliseconds: when a store opens, directories of processes that no longer run
 * (no process with that id, or one that started at another time) are deleted, so a killed
 * process leaves nothing behind for long, and a running one never loses its trees.
 *
 * <p>LIMITATION: process ids are those of the opener's PID namespace; two containers sharing one
 * store root through a volume could each take the other's live directories for stale ones and
 * delete them, making the other's add fail (never corrupting the store). A lock file per
 * directory, held while in use, would make this independent of PIDs.
 */
public final class TemporaryDirectory implements AutoCloseable {
  private static final Pattern NAME = Pattern.compile("(\\d+)-(\\d+)-[0-9a-f]+");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path path;

  private TemporaryDirectory(Path path) {
    this.path = path;
  }

  /** Creates a new temporary directory under {@code parent}. */
  static TemporaryDirectory create(Path parent) throws IOException {
    byte[] random = new byte[8];
    RANDOM.nextBytes(random);
    ProcessHandle self = ProcessHandle.current();
    String name =
        self.pid() + "-" + startMillis(self).orElse(0L) + "-" + HexFormat.of().formatHex(random);
    return new TemporaryDirectory(Files.createDirectory(parent.resolve(name)));
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
        if (isStale(child.getFileName().toString())) {
          try {
            ItemTree.delete(child);
          } catch (IOException e) {
            // Another process may be deleting it at the same time; either way it goes.
          }
        }
      }
    }
  }

  /** Tells whether the directory named {@code name} belongs to a process that has ended. */
  static boolean isStale(String name) {
    Matcher matcher = NAME.matcher(name);
    if (!matcher.matches()) {
      return false;
    }
    long pid = Long.parseLong(matcher.group(1));
    long start = Long.parseLong(matcher.group(2));
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty() || !process.get().isAlive()) {
      return true;
    }
    Optional<Long> actualStart = startMillis(process.get());
    return actualStart.isPresent() && start != 0 && actualStart.get() != start;
  }

  private static Optional<Long> startMillis(ProcessHandle process) {
    return process.info().startInstant().map(Instant::toEpochMilli);
  }
}
