package dev.bale.tar;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;

/**
 * Lists a tree on disk as tar entries, with the permission bits and sizes the file system reports.
 *
 * <p>Only the nine permission bits are read: no store can hold set-user-ID, set-group-ID or sticky
 * bits, since a NAR has no way to say them.
 */
public final class TreeScanner {
  private TreeScanner() {}

  /**
   * Returns the entries of the file, directory or symbolic link at {@code root}, named {@code name}
   * in the archive and its descendants below that name, in no particular order.
   *
   * @throws IOException if the tree cannot be read or holds a device, socket or pipe
   */
  public static List<TarEntry> scan(Path root, String name) throws IOException {
    List<TarEntry> entries = new ArrayList<>();
    scan(root, name, entries);
    return entries;
  }

  private static void scan(Path path, String name, List<TarEntry> entries) throws IOException {
    // One stat per entry: the type, permission bits and size all come from the same call, read
    // as typed attributes rather than through the slower map of named ones.
    PosixFileAttributes attributes =
        Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (attributes.isSymbolicLink()) {
      entries.add(TarEntry.symlink(name, Files.readSymbolicLink(path).toString()));
      return;
    }
    if (attributes.isRegularFile()) {
      entries.add(TarEntry.file(name, mode(attributes), attributes.size(), path));
      return;
    }
    if (!attributes.isDirectory()) {
      throw new IOException(
          "cannot archive '" + path + "': only files, directories and symbolic links can be");
    }
    entries.add(TarEntry.directory(name, mode(attributes)));
    try (DirectoryStream<Path> children = Files.newDirectoryStream(path)) {
      for (Path child : children) {
        scan(child, name + "/" + child.getFileName(), entries);
      }
    }
  }

  /** Returns the permission bits of {@code attributes} as a number, 0755 for rwxr-xr-x. */
  private static int mode(PosixFileAttributes attributes) {
    int mode = 0;
    for (PosixFilePermission permission : attributes.permissions()) {
      // The values run from OWNER_READ (0400) down to OTHERS_EXECUTE (0001).
      mode |= 0400 >> permission.ordinal();
    }
    return mode;
  }
}
