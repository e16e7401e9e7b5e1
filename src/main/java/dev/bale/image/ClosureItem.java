package dev.bale.image;

import dev.bale.store.PathInfo;
import dev.bale.store.Store;
import dev.bale.store.StoreException;
import dev.bale.store.StorePath;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A store item as a layer needs it: its store path, where its tree is on this machine, the items it
 * refers to and its size (the NAR size serves), which layer planning weighs.
 */
public record ClosureItem(StorePath path, Path tree, SortedSet<StorePath> references, long size) {
  /** Copies the references into an unmodifiable sorted set. */
  public ClosureItem {
    Objects.requireNonNull(path);
    Objects.requireNonNull(tree);
    references = Collections.unmodifiableSortedSet(new TreeSet<>(references));
    if (size < 0) {
      throw new IllegalArgumentException("size " + size + " of '" + path + "' is negative");
    }
  }

  /**
   * Returns the closure of {@code roots} in {@code store}, each item with its references and NAR
   * size, sorted by store path.
   */
  public static List<ClosureItem> closureOf(Store store, Collection<StorePath> roots)
      throws StoreException {
    List<ClosureItem> items = new ArrayList<>();
    for (StorePath path : store.requisites(roots)) {
      PathInfo info =
          store
              .pathInfo(path)
              .orElseThrow(() -> new StoreException("'" + path + "' is not valid in the store"));
      items.add(new ClosureItem(path, store.physicalPath(path), info.references(), info.narSize()));
    }
    return List.copyOf(items);
  }
}
