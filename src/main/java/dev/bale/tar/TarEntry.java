package dev.bale.tar;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;

/**
 * One entry of a tar archive: a directory, a regular file whose bytes come from a file on disk, or
 * a symbolic link.
 *
 * @param name the path inside the archive, relative, without a leading or trailing slash
 * @param kind what the entry is
 * @param mode the permission bits, including set-user-ID, set-group-ID and sticky bits
 * @param size the number of content bytes (0 for directories and symbolic links)
 * @param source where the content of a regular file is read from, or null
 * @param linkTarget the target of a symbolic link, or null
 */
public record TarEntry(
    String name, Kind kind, int mode, long size, Path source, String linkTarget) {

  /** Orders entries by the bytes of their names, the order reproducible archives use. */
  public static final Comparator<TarEntry> BYTE_ORDER =
      (a, b) ->
          Arrays.compareUnsigned(
              a.name.getBytes(StandardCharsets.UTF_8), b.name.getBytes(StandardCharsets.UTF_8));

  /** What a tar entry is. */
  public enum Kind {
    DIRECTORY,
    FILE,
    SYMLINK
  }

  /** Checks that the fields fit the kind. */
  public TarEntry {
    Objects.requireNonNull(kind);
    if (name.isEmpty() || name.startsWith("/") || name.endsWith("/")) {
      throw new IllegalArgumentException("tar entry name '" + name + "' must be relative");
    }
    if ((mode & ~07777) != 0) {
      throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " has type bits");
    }
    if (size < 0 || (kind != Kind.FILE && size != 0)) {
      throw new IllegalArgumentException("tar entry '" + name + "' has size " + size);
    }
    if ((kind == Kind.SYMLINK) != (linkTarget != null)) {
      throw new IllegalArgumentException("only symbolic links have a target: '" + name + "'");
    }
  }

  /** Returns a directory entry. */
  public static TarEntry directory(String name, int mode) {
    return new TarEntry(name, Kind.DIRECTORY, mode, 0, null, null);
  }

  /** Returns a regular file entry whose {@code size} bytes are read from {@code source}. */
  public static TarEntry file(String name, int mode, long size, Path source) {
    return new TarEntry(name, Kind.FILE, mode, size, Objects.requireNonNull(source), null);
  }

  /** Returns a symbolic link entry. */
  public static TarEntry symlink(String name, String target) {
    return new TarEntry(name, Kind.SYMLINK, 0777, 0, null, target);
  }
}
