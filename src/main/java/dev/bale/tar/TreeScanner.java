package dev.bale.tar;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/** Lists a tree on disk as tar entries, with the modes and sizes the file system reports. */
public final class TreeScanner {
  private TreeScanner() {}

  /**
   * Returns the entries of the file, directory or symbolic link at {@code root}, named {@code
   * name} in the archive and its descendants below that name, in no particular order.
   *
   * @throws IOException if the tree cannot be read or holds a device, socket or pipe
   */
  public static List<TarEntry> scan(Path root, String name) throws IOException {
    List<TarEntry> entries = new ArrayList<>();
    scan(root, name, entries);
    return entries;
  }

  private static void scan(Path path, String name, List<TarEntry> entries) throws IOException {
    BasicFileAttributes attributes =
        Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (attributes.isSymbolicLink()) {
      entries.add(TarEntry.symlink(name, Files.readSymbolicLink(path).toString()));
      return;
    }
    int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    if (attributes.isRegularFile()) {
      entries.add(TarEntry.file(name, mode, attributes.size(), path));
      return;
    }
    if (!attributes.isDirectory()) {
      throw new IOException(
          "cannot archive '" + path + "': only files, directories and symbolic links can be");
    }
    entries.add(TarEntry.directory(name, mode));
    try (DirectoryStream<Path> children = Files.newDirectoryStream(path)) {
      for (Path child : children) {
        scan(child, name + "/" + child.getFileName(), entries);
      }
    }
  }
}
