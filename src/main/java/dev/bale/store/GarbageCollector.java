package dev.bale.store;

import dev.bale.event.EventSink;
import dev.bale.event.Level;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Deletes the items of the embedded store that no root reaches: its garbage collector.
 *
 * <p>The roots are the items named by the symbolic links in {@code ROOT/var/bale/gcroots} (each
 * link's target is a store path, logical or physical; its own name is free) and those the caller
 * gives. Every item in the closure of a root stays; every other valid item is garbage, and so is
 * every tree in {@code store/} without a database row, the leftover of a killed writer.
 *
 * <p>A collection runs in two write transactions, which exclude every other writer of the store
 * (any process) while they last. The first computes the garbage and makes it invalid; a writer that
 * scanned a reference to one of those items before then finds it invalid inside its own transaction
 * and fails, so no valid item ever refers to a deleted one. The second moves each tree that has no
 * row (the garbage, unless a writer registered it again in between) into a temporary directory with
 * one atomic rename; the trees are deleted only after that, so a process killed at any moment
 * leaves no half tree in {@code store/}, and the next store opening deletes what it left in {@code
 * tmp/}.
 *
 * <p>LIMITATION: readers take no lock, so an unrooted item that a running {@code pack}, {@code
 * push} or {@code archive --export} is reading can be deleted under it, and that command fails (the
 * store stays consistent). Rooting what such commands read (a link in {@code var/bale/gcroots}, or
 * {@code --root}) avoids it; read leases recorded in the database would fix it.
 */
public final class GarbageCollector {
  private GarbageCollector() {}

  /** What a collection deleted, or would delete on a dry run, and the bytes of their files. */
  public record Report(SortedSet<StorePath> deleted, long bytes) {
    /** Copies {@code deleted}. */
    public Report {
      deleted = new TreeSet<>(deleted);
    }
  }

  /**
   * Deletes (or with {@code dryRun} only finds) the items of {@code store} that neither its {@code
   * var/bale/gcroots} links nor {@code roots} reach; reports roots that name no valid item to
   * {@code events} as warnings.
   *
   * @throws StoreException if a root given is not valid, or the store cannot be read or written
   */
  public static Report collect(
      LocalStore store, Collection<StorePath> roots, boolean dryRun, EventSink events)
      throws StoreException {
    // Roots were once kept in ROOT/gcroots: collecting without them would delete rooted items.
    Path formerRoots = store.root().resolve("gcroots");
    if (Files.exists(formerRoots, LinkOption.NOFOLLOW_LINKS)) {
      throw new StoreException(
          ("cannot collect garbage in store '%s': '%s' is where earlier versions of bale kept gc"
                  + " roots; move its links to '%s'")
              .formatted(store.uri(), formerRoots, store.gcRootsDirectory()));
    }

    synchronized (store) {
      Set<StorePath> dead;
      try {
        dead = store.database.inTransaction(() -> invalidateGarbage(store, roots, dryRun, events));
      } catch (SQLException e) {
        throw new StoreException("cannot collect garbage in store '" + store.uri() + "'", e);
      }
      return dryRun ? plan(store, dead) : deleteTrees(store, dead);
    }
  }

  /** Finds the items no root reaches and, unless {@code dryRun}, makes them invalid. */
  private static Set<StorePath> invalidateGarbage(
      LocalStore store, Collection<StorePath> roots, boolean dryRun, EventSink events)
      throws SQLException, StoreException {
    Map<StorePath, Long> ids = store.database.validIds();
    Map<Long, List<Long>> graph = store.database.referenceGraph();
    Deque<Long> pending = new ArrayDeque<>();
    for (StorePath root : roots) {
      Long id = ids.get(root);
      if (id == null) {
        throw new StoreException(
            "cannot collect garbage in store '%s': root '%s' is not a valid item"
                .formatted(store.uri(), root));
      }
      pending.add(id);
    }
    for (StorePath root : linkedRoots(store, events)) {
      Long id = ids.get(root);
      if (id == null) {
        events.log(Level.WARN, "gc root '" + root + "' is not a valid item; ignoring it");
      } else {
        pending.add(id);
      }
    }

    Set<Long> live = new HashSet<>();
    while (!pending.isEmpty()) {
      long id = pending.pop();
      if (live.add(id)) {
        pending.addAll(graph.getOrDefault(id, List.of()));
      }
    }

    Set<StorePath> dead = new TreeSet<>();
    List<Long> deadIds = new ArrayList<>();
    for (Map.Entry<StorePath, Long> entry : ids.entrySet()) {
      if (!live.contains(entry.getValue())) {
        dead.add(entry.getKey());
        deadIds.add(entry.getValue());
      }
    }
    if (!dryRun) {
      store.database.invalidate(deadIds);
    }
    return dead;
  }

  /** Returns the store paths that the links in {@code var/bale/gcroots} point to. */
  private static List<StorePath> linkedRoots(LocalStore store, EventSink events)
      throws StoreException {
    Path directory = store.gcRootsDirectory();
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    List<StorePath> roots = new ArrayList<>();
    try (Stream<Path> links = Files.list(directory)) {
      for (Path link : (Iterable<Path>) links::iterator) {
        Optional<StorePath> root = linkTarget(store, link);
        if (root.isPresent()) {
          roots.add(root.get());
        } else {
          events.log(Level.WARN, "gc root '" + link + "' does not point to a store path; ignoring");
        }
      }
    } catch (IOException e) {
      throw new StoreException("cannot read the gc roots in '" + directory + "'", e);
    }
    return roots;
  }

  private static Optional<StorePath> linkTarget(LocalStore store, Path link) throws IOException {
    if (!Files.isSymbolicLink(link)) {
      return Optional.empty();
    }
    Path target = Files.readSymbolicLink(link);
    Path parent = target.getParent();
    boolean inStore =
        parent != null
            && (parent.toString().equals(store.directory())
                || parent.equals(store.itemsDirectory()));
    if (!inStore) {
      return Optional.empty();
    }
    return parseBaseName(store, target.getFileName().toString());
  }

  private static Optional<StorePath> parseBaseName(LocalStore store, String baseName) {
    try {
      return Optional.of(StorePath.fromBaseName(store.directory(), baseName));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Returns what a collection would delete: the garbage and the trees without a row. */
  private static Report plan(LocalStore store, Set<StorePath> dead) throws StoreException {
    SortedMap<StorePath, Path> trees = new TreeMap<>();
    try {
      for (StorePath path : dead) {
        trees.put(path, store.physicalPath(path));
      }
      Set<StorePath> valid = store.validPaths();
      trees.putAll(treesWithout(store, valid));
      long bytes = 0;
      for (Path tree : trees.values()) {
        bytes += size(tree);
      }
      return new Report(new TreeSet<>(trees.keySet()), bytes);
    } catch (IOException e) {
      throw new StoreException("cannot measure the garbage of store '" + store.uri() + "'", e);
    }
  }

  /** Returns the item trees in {@code store/} whose paths are not among {@code valid}. */
  private static SortedMap<StorePath, Path> treesWithout(LocalStore store, Set<StorePath> valid)
      throws IOException {
    SortedMap<StorePath, Path> trees = new TreeMap<>();
    try (Stream<Path> entries = Files.list(store.itemsDirectory())) {
      for (Path tree : (Iterable<Path>) entries::iterator) {
        // Only names of store items are ours to delete; anything else stays untouched.
        Optional<StorePath> path = parseBaseName(store, tree.getFileName().toString());
        if (path.isPresent() && !valid.contains(path.get())) {
          trees.put(path.get(), tree);
        }
      }
    }
    return trees;
  }

  /**
   * Moves every tree without a row into a temporary directory, under the write lock so that no
   * writer registers one of them meanwhile, then deletes them.
   */
  private static Report deleteTrees(LocalStore store, Set<StorePath> dead) throws StoreException {
    try (TemporaryDirectory trash = store.newTemporaryDirectory()) {
      SortedMap<StorePath, Path> moved =
          store.database.inTransaction(
              () -> {
                try {
                  return moveTreesWithoutRow(store, trash.path());
                } catch (IOException e) {
                  throw new StoreException("cannot move garbage out of '" + store.uri() + "'", e);
                }
              });
      long bytes = 0;
      for (Path tree : moved.values()) {
        bytes += size(tree);
      }
      SortedSet<StorePath> deleted = new TreeSet<>(dead);
      deleted.addAll(moved.keySet());
      return new Report(deleted, bytes);
    } catch (SQLException | IOException e) {
      throw new StoreException("cannot delete garbage in store '" + store.uri() + "'", e);
    }
  }

  private static SortedMap<StorePath, Path> moveTreesWithoutRow(LocalStore store, Path trash)
      throws IOException, SQLException, StoreException {
    SortedMap<StorePath, Path> moved = new TreeMap<>();
    Set<StorePath> valid = store.database.validIds().keySet();
    for (Map.Entry<StorePath, Path> entry : treesWithout(store, valid).entrySet()) {
      Path tree = entry.getValue();
      Path target = trash.resolve(tree.getFileName());
      // A directory can only be moved to another parent while its owner may write to it.
      try {
        if (Files.isDirectory(tree, LinkOption.NOFOLLOW_LINKS)) {
          Files.setPosixFilePermissions(tree, ItemTree.WRITABLE_DIRECTORY);
        }
        Files.move(tree, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (NoSuchFileException e) {
        // Gone since the listing, which only a hand outside bale does while gc holds the write
        // lock: nothing is left to collect.
        continue;
      }
      moved.put(entry.getKey(), target);
    }
    return moved;
  }

  /** Returns the bytes of the regular files under {@code tree}, or 0 if it is missing. */
  private static long size(Path tree) throws IOException {
    long total = 0;
    try (Stream<Path> files = Files.walk(tree)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        BasicFileAttributes attributes =
            Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attributes.isRegularFile()) {
          total += attributes.size();
        }
      }
    } catch (NoSuchFileException e) {
      return total;
    }
    return total;
  }
}
