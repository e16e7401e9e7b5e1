package dev.bale.store;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The read side shared by every kind of store: queries answered from a {@link Database}, with item
 * trees under a physical store directory. Methods are synchronised because one database connection
 * serves them all.
 */
abstract class DatabaseStore implements Store {
  private final String uri;
  private final String directory;
  private final Path physicalDirectory;
  final Database database;

  DatabaseStore(String uri, String directory, Path physicalDirectory, Database database) {
    this.uri = uri;
    this.directory = directory;
    this.physicalDirectory = physicalDirectory;
    this.database = database;
  }

  @Override
  public String uri() {
    return uri;
  }

  @Override
  public String directory() {
    return directory;
  }

  @Override
  public Path physicalPath(StorePath path) {
    if (!path.directory().equals(directory)) {
      throw new IllegalArgumentException(
          "'" + path + "' is not in the store directory '" + directory + "'");
    }
    return physicalDirectory.resolve(path.baseName());
  }

  @Override
  public synchronized Optional<PathInfo> pathInfo(StorePath path) throws StoreException {
    try {
      return database.pathInfo(path);
    } catch (SQLException e) {
      throw queryFailed("read the path info of '" + path + "'", e);
    }
  }

  @Override
  public synchronized SortedSet<StorePath> validPaths() throws StoreException {
    try {
      return Collections.unmodifiableSortedSet(database.validPaths());
    } catch (SQLException e) {
      throw queryFailed("list the valid items", e);
    }
  }

  @Override
  public synchronized SortedSet<StorePath> references(StorePath path) throws StoreException {
    try {
      return Collections.unmodifiableSortedSet(database.references(validId(path)));
    } catch (SQLException e) {
      throw queryFailed("read the references of '" + path + "'", e);
    }
  }

  @Override
  public synchronized SortedSet<StorePath> referrers(StorePath path) throws StoreException {
    try {
      return Collections.unmodifiableSortedSet(database.referrers(validId(path)));
    } catch (SQLException e) {
      throw queryFailed("read the referrers of '" + path + "'", e);
    }
  }

  @Override
  public synchronized SortedSet<StorePath> requisites(Collection<StorePath> paths)
      throws StoreException {
    SortedSet<StorePath> closure = new TreeSet<>();
    Deque<StorePath> pending = new ArrayDeque<>(paths);
    try {
      while (!pending.isEmpty()) {
        StorePath path = pending.pop();
        if (closure.add(path)) {
          pending.addAll(database.references(validId(path)));
        }
      }
    } catch (SQLException e) {
      throw queryFailed("compute the closure of " + paths, e);
    }
    return Collections.unmodifiableSortedSet(closure);
  }

  /**
   * {@inheritDoc}
   *
   * <p>This is a depth-first post-order over the paths in sorted order, visiting references in
   * sorted order, which is the order {@code nix-store --export} writes.
   */
  @Override
  public synchronized List<StorePath> topologicalOrder(Collection<StorePath> paths)
      throws StoreException {
    SortedSet<StorePath> items = new TreeSet<>(paths);
    List<StorePath> order = new ArrayList<>();
    Set<StorePath> visited = new HashSet<>();
    Set<StorePath> visiting = new HashSet<>();
    try {
      for (StorePath path : items) {
        visit(path, items, visited, visiting, order);
      }
    } catch (SQLException e) {
      throw queryFailed("sort " + paths + " topologically", e);
    }
    return Collections.unmodifiableList(order);
  }

  private void visit(
      StorePath path,
      Set<StorePath> items,
      Set<StorePath> visited,
      Set<StorePath> visiting,
      List<StorePath> order)
      throws SQLException, StoreException {
    if (visiting.contains(path)) {
      throw new StoreException(
          "cannot sort the items of store '%s': '%s' refers to itself through other items"
              .formatted(uri, path));
    }
    if (!visited.add(path)) {
      return;
    }
    visiting.add(path);
    for (StorePath reference : database.references(validId(path))) {
      if (!reference.equals(path) && items.contains(reference)) {
        visit(reference, items, visited, visiting, order);
      }
    }
    visiting.remove(path);
    order.add(path);
  }

  @Override
  public synchronized StorePath resolve(String item) throws StoreException {
    try {
      return ItemQuery.resolve(this, item);
    } catch (SQLException e) {
      throw queryFailed("look up '" + item + "'", e);
    }
  }

  /** Returns the valid items whose full path starts with {@code prefix}. */
  synchronized SortedSet<StorePath> validPathsStartingWith(String prefix)
      throws SQLException, StoreException {
    return database.validPathsStartingWith(prefix);
  }

  /** Returns the row id of {@code path}, failing when it is not valid. */
  long validId(StorePath path) throws SQLException, StoreException {
    Optional<Long> id = database.id(path);
    if (id.isEmpty()) {
      throw notValid(path);
    }
    return id.get();
  }

  /** Returns the error for {@code path} not being valid here. */
  StoreException notValid(StorePath path) {
    return new StoreException("'" + path + "' is not a valid item of store '" + uri + "'");
  }

  /** Wraps a database failure while doing {@code what}. */
  StoreException queryFailed(String what, SQLException e) {
    return new StoreException("cannot " + what + " in store '" + uri + "'", e);
  }

  @Override
  public synchronized void close() throws StoreException {
    database.close();
  }
}
