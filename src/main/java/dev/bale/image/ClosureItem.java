package dev.bale.image;

import dev.bale.store.StorePath;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A store item as a layer needs it: its store path, where its tree is on this machine, the items
 * it refers to and its size (the NAR size serves), which layer planning weighs.
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
}
