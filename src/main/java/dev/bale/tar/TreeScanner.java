package dev.bale.tar;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Lists a tree on disk as tar entries, with the modes and sizes the file system reports. */
public final class TreeScanner {
  private static final int TYPE_MASK = 0170000;
  private static final int DIRECTORY = 0040000;
  private static final int REGULAR = 0100000;
  private static final int SYMLINK = 0120000;

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
    // One stat per entry: the type, permission bits and size all come from the same call.
    Map<String, Object> attributes =
        Files.readAttributes(path, "unix:mode,size", LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) attributes.get("mode");
    int type = mode & TYPE_MASK;
    if (type == SYMLINK) {
      entries.add(TarEntry.symlink(name, Files.readSymbolicLink(path).toString()));
      return;
    }
    if (type == REGULAR) {
      entries.add(TarEntry.file(name, mode & 07777, (Long) attributes.get("size"), path));
      return;
    }
    if (type != DIRECTORY) {
      throw new IOException(
          "cannot archive '" + path + "': only files, directories and symbolic links can be");
    }
    entries.add(TarEntry.directory(name, mode & 07777));
    try (DirectoryStream<Path> children = Files.newDirectoryStream(path)) {
      for (Path child : children) {
        scan(child, name + "/" + child.getFileName(), entries);
      }
    }
  }
}
