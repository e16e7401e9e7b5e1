package dev.bale.store;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;

/**
 * A store of items: a logical store directory (the path images show, such as {@code /gnu/store}),
 * the physical place its items live on this machine, and a database of valid items and their
 * references.
 *
 * <p>Implementations are the embedded store, which bale may write, and read-only views of the
 * machine's Guix or Nix store.
 */
public interface Store extends AutoCloseable {

  /** Returns the URI the store was opened with, such as {@code nix} or {@code local?root=DIR}. */
  String uri();

  /** Returns the logical store directory, such as {@code /gnu/store}. */
  String directory();

  /** Tells whether this store refuses writes (foreign stores always do). */
  boolean isReadOnly();

  /** Returns where the tree of {@code path} is on this machine. */
  Path physicalPath(StorePath path);

  /** Returns what the database records of {@code path}, or empty when it is not valid. */
  Optional<PathInfo> pathInfo(StorePath path) throws StoreException;

  /** Returns every valid item, sorted. */
  SortedSet<StorePath> validPaths() throws StoreException;

  /** Returns the items that {@code path} refers to directly. */
  SortedSet<StorePath> references(StorePath path) throws StoreException;

  /** Returns the valid items that refer to {@code path} directly. */
  SortedSet<StorePath> referrers(StorePath path) throws StoreException;

  /**
   * Returns the closure of {@code paths}: every item they refer to, transitively, and themselves,
   * sorted.
   */
  SortedSet<StorePath> requisites(Collection<StorePath> paths) throws StoreException;

  /**
   * Orders {@code paths} so that every item comes after the items it refers to (ties broken by
   * path), as exports list them.
   */
  List<StorePath> topologicalOrder(Collection<StorePath> paths) throws StoreException;

  /**
   * Resolves what a user typed as an ITEM: a full store path, a base name {@code HASH-NAME}, or a
   * package name ({@code hello}, {@code hello-2.12}) that matches exactly one valid item.
   *
   * @throws StoreException if nothing or several items match; the message lists candidates
   */
  StorePath resolve(String item) throws StoreException;

  @Override
  void close() throws StoreException;
}
