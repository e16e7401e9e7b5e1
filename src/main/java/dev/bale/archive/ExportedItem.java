package dev.bale.archive;

import dev.bale.hash.Digest;
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
 * @param recordHash the SHA-256 of the item's record from its NAR to its deriver, which a signature
 *     covers (see {@link ItemSignature})
 * @param signature the signature's text, or empty when the item is unsigned
 */
public record ExportedItem(
    StorePath path,
    NarSummary nar,
    SortedSet<StorePath> references,
    String deriver,
    Digest recordHash,
    String signature) {

  /** Copies the references into an unmodifiable sorted set. */
  public ExportedItem {
    references = Collections.unmodifiableSortedSet(new TreeSet<>(references));
  }
}
