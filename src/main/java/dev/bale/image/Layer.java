package dev.bale.image;

import dev.bale.tar.TarEntry;
import dev.bale.tar.TarWriter;
import dev.bale.tar.TreeScanner;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One planned layer: some store items, each with the store directory and its parents, and possibly
 * the image's customisation. Its content is read from disk only when it is written.
 *
 * @param items the store items, in the order the plan chose
 * @param customisation the non-store entries, or null for a layer of store items only
 */
public record Layer(List<ClosureItem> items, Customisation customisation) {
  /** Copies the items. */
  public Layer {
    items = List.copyOf(items);
    if (items.isEmpty() && customisation == null) {
      throw new IllegalArgumentException("a layer needs items or the customisation");
    }
  }

  /** Tells whether this layer holds the customisation. */
  public boolean hasCustomisation() {
    return customisation != null;
  }

  /** Returns a short description for the image history and the layer plan. */
  public String description() {
    List<String> parts = new ArrayList<>();
    if (items.size() == 1) {
      parts.add(items.get(0).path().toString());
    } else if (!items.isEmpty()) {
      parts.add(items.size() + " store items");
    }
    if (customisation != null) {
      parts.add("customisation");
    }
    return String.join(" + ", parts);
  }

  /**
   * Returns a text that names this layer's content: equal texts mean equal layers, since store
   * items never change. Formats that must name a layer before writing it use this.
   */
  public String identity() {
    StringBuilder text = new StringBuilder("bale layer\n");
    for (ClosureItem item : items) {
      text.append(item.path()).append('\n');
    }
    if (customisation != null) {
      for (TarEntry entry : customisation.entries()) {
        text.append(entry.name())
            .append(' ')
            .append(Integer.toOctalString(entry.mode()))
            .append(' ')
            .append(Objects.toString(entry.linkTarget(), ""))
            .append('\n');
      }
    }
    return text.toString();
  }

  /**
   * Reads the layer's trees from disk: every entry, in byte order of path, and the size of the
   * uncompressed tar.
   */
  public Content scan() throws IOException {
    Map<String, TarEntry> byName = new LinkedHashMap<>();
    String storeDirectory = storeDirectory();
    for (TarEntry parent : Customisation.parentDirectories(storeDirectory.substring(1) + "/")) {
      byName.putIfAbsent(parent.name(), parent);
    }
    for (ClosureItem item : items) {
      String name = item.path().toString().substring(1);
      for (TarEntry entry : scan(item, name)) {
        byName.putIfAbsent(entry.name(), entry);
      }
    }
    if (customisation != null) {
      for (TarEntry entry : customisation.entries()) {
        byName.putIfAbsent(entry.name(), entry);
      }
    }
    List<TarEntry> entries = new ArrayList<>(byName.values());
    entries.sort(TarEntry.BYTE_ORDER);
    return new Content(List.copyOf(entries), TarWriter.archiveSize(entries));
  }

  /** Scans the tree of {@code item}, naming the item when part of its tree cannot be read. */
  private static List<TarEntry> scan(ClosureItem item, String name) throws IOException {
    try {
      return TreeScanner.scan(item.tree(), name);
    } catch (FileSystemException e) {
      throw new IOException("cannot read store item '" + item.path() + "': " + why(e), e);
    }
  }

  /** Says why a file could not be read, naming it: the JDK's messages name it only. */
  private static String why(FileSystemException e) {
    String file = "'" + e.getFile() + "'";
    if (e instanceof NoSuchFileException) {
      return file + " does not exist";
    }
    if (e instanceof AccessDeniedException) {
      return file + " cannot be read: permission denied";
    }
    return file + ": " + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName());
  }

  private String storeDirectory() {
    return customisation != null ? customisation.storeDirectory() : items.get(0).path().directory();
  }

  /**
   * A layer's entries, as read from disk, and the size of its uncompressed tar.
   *
   * @param entries the entries in the order they are written
   * @param tarSize the size of the uncompressed tar
   */
  public record Content(List<TarEntry> entries, long tarSize) {}
}
