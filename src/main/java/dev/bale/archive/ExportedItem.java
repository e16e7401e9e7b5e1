package dev.bale.archive;

import dev.bale.nar.NarSummary;
import dev.bale.store.StorePath;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What an export archive says of one item, with the NAR hash and NAR size computed while its NAR
 * was read (the archive itself records neither).
 *
 * @param deriver the deriver's full path, or empty when the archive names none
 */
public record ExportedItem(
    StorePath path, NarSummary nar, SortedSet<StorePath> references, String deriver) {

  /** Copies the references into an unmodifiable sorted set. */
  public ExportedItem {
    references = Collections.unmodifiableSortedSet(new TreeSet<>(references));
  }
}
