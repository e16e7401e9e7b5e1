package dev.bale.store;

import dev.bale.hash.Digest;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a store's database records of one valid item: its NAR hash and NAR size, the items it refers
 * to, the derivation that built it (if any) and when it was registered.
 *
 * @param deriver the deriver's full path, or empty when none is recorded
 * @param registrationTime seconds since the epoch
 */
public record PathInfo(
    StorePath path,
    Digest narHash,
    long narSize,
    SortedSet<StorePath> references,
    String deriver,
    long registrationTime) {

  /** Copies the references into an unmodifiable sorted set. */
  public PathInfo {
    references = Collections.unmodifiableSortedSet(new TreeSet<>(references));
    if (narSize < 0) {
      throw new IllegalArgumentException("NAR size " + narSize + " is negative");
    }
  }

  /** Returns the deriver, when one is recorded. */
  public Optional<String> deriverPath() {
    return deriver.isEmpty() ? Optional.empty() : Optional.of(deriver);
  }
}
