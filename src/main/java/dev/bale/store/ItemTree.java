package dev.bale.store;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Copies, canonicalises and deletes the file trees of store items.
 *
 * <p>A canonical tree is what every store holds, so that its NAR and its layers are the same
 * everywhere: regular files mode 0444, or 0555 when their owner may execute them, directories 0555,
 * and modification time 1 (one second after the epoch) on everything, symbolic links included.
 */
final class ItemTree {
  /** The modification time of every file in the store, as Guix and Nix set it. */
  static final FileTime CANONICAL_TIME = FileTime.fromMillis(1000);

  private static final Set<PosixFilePermission> READ_ONLY =
      PosixFilePermissions.fromString("r--r--r--");
  private static final Set<PosixFilePermission> EXECUTABLE =
      PosixFilePermissions.fromString("r-xr-xr-x");

  /** The mode a directory needs for its owner to delete entries or move it elsewhere. */
  static final Set<PosixFilePermission> WRITABLE_DIRECTORY =
      PosixFilePermissions.fromString("rwxr-xr-x");

  private ItemTree() {}

  /**
   * Copies the file, directory or symbolic link {@code source} to {@code target}, which must not
   * exist; symbolic links are copied, not followed, and a file keeps its owner's execute bit.
   *
   * @throws IOException if the tree holds anything but files, directories and symbolic links
   */
  static void copy(Path source, Path target) throws IOException {
    Files.walkFileTree(
        source,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes)
              throws IOException {
            Files.createDirectory(target.resolve(source.relativize(dir).toString()));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
              throws IOException {
            Path copy = target.resolve(source.relativize(file).toString());
            if (attributes.isSymbolicLink()) {
              // LIMITATION: a link whose target climbs above the item's root is copied as it
              // is, although an import refuses it; so such an item exports but does not import
              // again. Refusing it here would also refuse trees that Guix and Nix add.
              Files.createSymbolicLink(copy, Files.readSymbolicLink(file));
            } else if (attributes.isRegularFile()) {
              Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
            } else {
              throw new IOException(
                  "'" + file + "' is neither a file, a directory nor a symbolic link");
            }
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /** Gives every file under {@code root}, and {@code root} itself, its canonical mode and time. */
  static void canonicalize(Path root) throws IOException {
    if (Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      try (Stream<Path> children = Files.list(root)) {
        for (Path child : (Iterable<Path>) children::iterator) {
          canonicalize(child);
        }
      }
    }
    canonicalizeTop(root);
  }

  /** Gives {@code path} itself, not what is inside it, its canonical mode and time. */
  static void canonicalizeTop(Path path) throws IOException {
    PosixFileAttributes attributes =
        Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (attributes.isDirectory()) {
      Files.setPosixFilePermissions(path, EXECUTABLE);
    } else if (attributes.isRegularFile()) {
      boolean executable = attributes.permissions().contains(PosixFilePermission.OWNER_EXECUTE);
      Files.setPosixFilePermissions(path, executable ? EXECUTABLE : READ_ONLY);
    } else if (!attributes.isSymbolicLink()) {
      throw new IOException("'" + path + "' is neither a file, a directory nor a symbolic link");
    }
    setCanonicalTime(path);
  }

  /** Sets the time of {@code path} itself, not of what a symbolic link points to. */
  static void setCanonicalTime(Path path) throws IOException {
    Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
        .setTimes(CANONICAL_TIME, CANONICAL_TIME, null);
  }

  /**
   * Deletes the tree at {@code root}, if it exists, making its read-only directories writable
   * first.
   */
  static void delete(Path root) throws IOException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(root, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return;
    }
    if (attributes.isDirectory()) {
      Files.setPosixFilePermissions(root, WRITABLE_DIRECTORY);
      try (Stream<Path> children = Files.list(root)) {
        for (Path child : (Iterable<Path>) children::iterator) {
          delete(child);
        }
      }
    }
    Files.deleteIfExists(root);
  }
}
