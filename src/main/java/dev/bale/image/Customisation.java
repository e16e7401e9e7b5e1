package dev.bale.image;

import dev.bale.tar.TarEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an image holds besides store items: the store directory and its parents, {@code /tmp} with
 * mode 1777, and the requested symbolic links with their parent directories.
 */
public final class Customisation {
  static final int DIRECTORY_MODE = 0755;
  private static final int TMP_MODE = 01777;

  private final String storeDirectory;
  private final List<Symlink> symlinks;

  private Customisation(String storeDirectory, List<Symlink> symlinks) {
    this.storeDirectory = storeDirectory;
    this.symlinks = List.copyOf(symlinks);
  }

  /**
   * Returns the customisation of an image of items under {@code storeDirectory} with {@code
   * symlinks}.
   *
   * @throws ImageException if a link would replace or hide the store, {@code /tmp}, another link,
   *     or a directory another link needs
   */
  public static Customisation of(String storeDirectory, List<Symlink> symlinks)
      throws ImageException {
    Map<String, Symlink> byLink = new LinkedHashMap<>();
    for (Symlink symlink : symlinks) {
      String link = symlink.link();
      if (isAtOrUnder(storeDirectory, link) || isAtOrUnder(link, storeDirectory)) {
        throw new ImageException(
            "cannot add symbolic link '"
                + link
                + "': it would clash with the store directory '"
                + storeDirectory
                + "'");
      }
      if (isAtOrUnder(link, "/tmp") || isAtOrUnder("/tmp", link)) {
        throw new ImageException(
            "cannot add symbolic link '" + link + "': the image has a /tmp directory");
      }
      for (String other : byLink.keySet()) {
        if (isAtOrUnder(link, other) || isAtOrUnder(other, link)) {
          throw new ImageException(
              "cannot add symbolic link '" + link + "': it clashes with '" + other + "'");
        }
      }
      byLink.put(link, symlink);
    }
    return new Customisation(storeDirectory, symlinks);
  }

  /** Returns the logical store directory. */
  public String storeDirectory() {
    return storeDirectory;
  }

  /** Returns the symbolic links. */
  public List<Symlink> symlinks() {
    return symlinks;
  }

  /** Returns the tar entries, unsorted, without the store directory's parents. */
  List<TarEntry> entries() {
    List<TarEntry> entries = new ArrayList<>();
    entries.add(TarEntry.directory("tmp", TMP_MODE));
    for (Symlink symlink : symlinks) {
      String name = symlink.link().substring(1);
      entries.addAll(parentDirectories(name));
      entries.add(TarEntry.symlink(name, symlink.target()));
    }
    return entries;
  }

  /** Returns directory entries for every proper parent of the relative path {@code name}. */
  static List<TarEntry> parentDirectories(String name) {
    List<TarEntry> parents = new ArrayList<>();
    for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
      parents.add(TarEntry.directory(name.substring(0, slash), DIRECTORY_MODE));
    }
    return parents;
  }

  /** Tells whether {@code path} is {@code ancestor} or below it. */
  private static boolean isAtOrUnder(String path, String ancestor) {
    return path.equals(ancestor) || path.startsWith(ancestor + "/");
  }
}
