package dev.bale.cli;

import dev.bale.store.ProcessTag;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

/**
 * A file or directory being written under a temporary name beside its destination, renamed into
 * place only when complete, and removed if the command fails or the process is interrupted, so that
 * no one ever sees a partial output.
 *
 * <p>The temporary name {@code .NAME.TAG.tmp} carries a {@link ProcessTag}: a process killed
 * outright (SIGKILL, power loss) runs no cleanup, so the next output to the same destination
 * deletes the temporaries of processes that have ended.
 */
final class OutputTarget implements AutoCloseable {
  private final Path destination;
  private final Path temporary;
  private final Thread cleanup;
  private boolean committed;
  private boolean abandoned;

  /** What creates the temporary file or directory. */
  @FunctionalInterface
  private interface Creation {
    void create(Path temporary) throws IOException;
  }

  /**
   * Registers the cleanup, then creates the temporary: in the other order an interruption between
   * the two would leave it behind. The cleanup may run while this thread goes on (shutdown hooks
   * do), so the two take turns: once it has run, nothing is created.
   */
  private OutputTarget(Path destination, Path temporary, Creation creation) throws IOException {
    this.destination = destination;
    this.temporary = temporary;
    this.cleanup = new Thread(this::deleteQuietly, "bale-output-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    synchronized (this) {
      try {
        if (abandoned) {
          throw new IOException("cannot write '" + destination + "': bale is being stopped");
        }
        creation.create(temporary);
      } catch (IOException e) {
        close();
        throw e;
      }
    }
  }

  /** Starts writing the file {@code destination}. */
  static OutputTarget file(Path destination) throws IOException {
    return file(destination, ".tmp");
  }

  /**
   * Starts writing the file {@code destination} under a temporary name ending in {@code suffix}.
   */
  static OutputTarget file(Path destination, String suffix) throws IOException {
    Path absolute = destination.toAbsolutePath().normalize();
    return new OutputTarget(
        absolute,
        temporaryName(absolute, suffix),
        temporary ->
            Files.createFile(
                temporary,
                PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-r--r--"))));
  }

  /** Starts writing the directory {@code destination}, which must not exist. */
  static OutputTarget directory(Path destination) throws IOException {
    Path absolute = destination.toAbsolutePath().normalize();
    return new OutputTarget(
        absolute,
        temporaryName(absolute, ".tmp"),
        temporary ->
            Files.createDirectory(
                temporary,
                PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwxr-xr-x"))));
  }

  /**
   * Returns a new temporary name {@code .NAME.TAG SUFFIX} beside {@code destination}, after
   * deleting the temporaries that ended processes left there under the same scheme.
   */
  static Path temporaryName(Path destination, String suffix) throws IOException {
    Path directory = destination.getParent();
    String prefix = "." + destination.getFileName() + ".";
    try (Stream<Path> siblings = Files.list(directory)) {
      for (Path sibling : (Iterable<Path>) siblings::iterator) {
        String name = sibling.getFileName().toString();
        if (name.startsWith(prefix) && name.endsWith(suffix)) {
          String tag = name.substring(prefix.length(), name.length() - suffix.length());
          if (ProcessTag.isStale(tag)) {
            delete(sibling);
          }
        }
      }
    } catch (NoSuchFileException e) {
      // The caller reports the missing directory when it creates the temporary.
    }
    return freshName(destination, suffix);
  }

  private static Path freshName(Path destination, String suffix) {
    return destination.resolveSibling(
        "." + destination.getFileName() + "." + ProcessTag.next() + suffix);
  }

  /** Returns where to write. */
  Path temporary() {
    return temporary;
  }

  /** Returns the final name. */
  Path destination() {
    return destination;
  }

  /** Renames the finished output to its destination, unless the cleanup has begun. */
  synchronized void commit() throws IOException {
    if (abandoned) {
      throw new IOException("cannot write '" + destination + "': bale is being stopped");
    }
    if (Files.isDirectory(temporary)) {
      Files.move(temporary, destination, StandardCopyOption.ATOMIC_MOVE);
    } else {
      Files.move(
          temporary,
          destination,
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    }
    committed = true;
  }

  /** Removes the temporary output unless it was committed. */
  @Override
  public void close() {
    if (!committed) {
      deleteQuietly();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException e) {
      // The JVM is shutting down; the hook runs anyway and finds nothing left to delete.
    }
  }

  private synchronized void deleteQuietly() {
    abandoned = true;
    if (committed) {
      return;
    }
    try {
      delete(withdrawn(temporary));
    } catch (IOException e) {
      // Nothing more can be done while failing or shutting down; the name starts with a dot.
    }
  }

  /**
   * Moves a temporary directory to a new temporary name of this process, and returns that name, so
   * that the threads still writing into it (those of an interrupted pack go on while the shutdown
   * hook runs) can no longer add a file to it: one added behind the deletion's walk would leave the
   * directory behind. A file, or a directory that cannot be moved, stays where it is.
   */
  private Path withdrawn(Path temporary) {
    if (!Files.isDirectory(temporary, LinkOption.NOFOLLOW_LINKS)) {
      return temporary;
    }
    Path moved = freshName(destination, ".tmp");
    try {
      Files.move(temporary, moved, StandardCopyOption.ATOMIC_MOVE);
      return moved;
    } catch (IOException e) {
      return temporary;
    }
  }

  private static void delete(Path temporary) throws IOException {
    if (!Files.exists(temporary, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        temporary,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            Files.delete(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
