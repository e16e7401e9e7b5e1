package dev.bale.store;

import dev.bale.hash.Digest;
import dev.bale.hash.PipelinedDigestingOutputStream;
import dev.bale.nar.NarWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;

/**
 * The embedded store: a physical root directory holding {@code store/HASH-NAME} for the items,
 * {@code db/db.sqlite} for the database in the Guix/Nix schema, and {@code tmp/} for trees being
 * built, under a logical store directory such as {@code /gnu/store}.
 *
 * <p>Several processes may share one store: every change happens in one SQLite write transaction
 * (WAL mode, waiting up to a minute for other writers), and a tree only moves into {@code store/}
 * inside the transaction that registers it, so an item is valid exactly when its tree is in place.
 * A tree found in {@code store/} without a database row is the leftover of a killed process and is
 * replaced.
 */
public final class LocalStore extends DatabaseStore {
  private final Path root;
  private final Path items;
  private final Path temporary;

  private LocalStore(String uri, String directory, Path root, Database database) {
    super(uri, directory, root.resolve("store"), database);
    this.root = root;
    this.items = root.resolve("store");
    this.temporary = root.resolve("tmp");
  }

  /** Opens or creates the store at physical {@code root} with logical {@code directory}. */
  static LocalStore open(String uri, Path root, String directory) throws StoreException {
    Path absolute = root.toAbsolutePath().normalize();
    try {
      Files.createDirectories(absolute.resolve("store"));
      Files.createDirectories(absolute.resolve("db"));
      Files.createDirectories(absolute.resolve("tmp"));
      TemporaryDirectory.deleteStale(absolute.resolve("tmp"));
    } catch (IOException e) {
      throw new StoreException("cannot open store '" + uri + "' at '" + absolute + "'", e);
    }
    Database database = Database.openWritable(absolute.resolve("db/db.sqlite"), directory);
    return new LocalStore(uri, directory, absolute, database);
  }

  /** Returns the physical root directory. */
  public Path root() {
    return root;
  }

  /** Returns the directory of the item trees, {@code ROOT/store}. */
  Path itemsDirectory() {
    return items;
  }

  /**
   * Returns the directory of the garbage collector's roots, {@code ROOT/var/bale/gcroots} (shaped
   * like Guix's {@code /var/guix/gcroots} and Nix's {@code /nix/var/nix/gcroots}): each symbolic
   * link in it to a store path keeps that item and its closure.
   */
  public Path gcRootsDirectory() {
    return root.resolve("var").resolve("bale").resolve("gcroots");
  }

  @Override
  public boolean isReadOnly() {
    return false;
  }

  /**
   * Adds a copy of the file, directory or symbolic link {@code source} as an item named {@code
   * name}, referring to the valid items whose hash parts appear in it, and returns its store path.
   * Adding the same content under the same name again returns the same path and changes nothing.
   *
   * <p>The store path is the one {@code nix-store --add} and Guix's {@code add-to-store} give a
   * recursive SHA-256 item. On failure the store is left as it was.
   *
   * @throws StoreException if {@code name} is not a valid item name, {@code source} holds anything
   *     but files, directories and symbolic links, or the store cannot be written
   */
  public StorePath add(Path source, String name) throws StoreException {
    if (!StorePath.isValidName(name)) {
      throw new StoreException(
          String.format(
              "cannot add '%s' as '%s': not a valid store item name (1 to 211 of A-Z a-z 0-9"
                  + " + - . _ ? =, not starting with a dot); choose another name",
              source, name));
    }
    if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
      throw new StoreException("cannot add '" + source + "': no such file or directory");
    }
    checkNotAncestorOfRoot(source);
    // Hashing the source where it lies costs one read, and spares content that is valid already
    // a copy, a hash and a delete: re-adding a tree of 5,000 small files takes 1 s instead of 12.
    // Its NAR is the canonical copy's, as a NAR keeps only the owner's execute bit of modes.
    try {
      StorePath path = describe(source, name).path();
      if (pathInfo(path).isPresent()) {
        return path;
      }
    } catch (IOException e) {
      throw new StoreException("cannot add '" + source + "' to store '" + uri() + "'", e);
    }

    // The copy is hashed again: that is what gets registered, whatever the source did meanwhile.
    try (TemporaryDirectory staging = newTemporaryDirectory()) {
      Path tree = staging.path().resolve(name);
      PathInfo info;
      try {
        ItemTree.copy(source, tree);
        ItemTree.canonicalize(tree);
        info = describe(tree, name);
      } catch (IOException e) {
        throw new StoreException("cannot add '" + source + "' to store '" + uri() + "'", e);
      }
      String ca = "fixed:r:sha256:" + info.narHash().base32();
      register(List.of(new Registration(info, tree)), Map.of(info.path(), ca));
      return info.path();
    }
  }

  /** Refuses a source that holds the store itself, which a copy would chase into its own tmp. */
  private void checkNotAncestorOfRoot(Path source) throws StoreException {
    try {
      Path real = source.toRealPath();
      if (Files.isDirectory(real) && root.toRealPath().startsWith(real)) {
        throw new StoreException(
            "cannot add '"
                + source
                + "': it holds the store's root '"
                + root
                + "'; add a directory that does not contain the store");
      }
    } catch (IOException e) {
      throw new StoreException("cannot add '" + source + "' to store '" + uri() + "'", e);
    }
  }

  /**
   * Adds {@code source} as {@link #add} does and makes the link {@code ROOT_NAME} in {@link
   * #gcRootsDirectory} replacing a link of that name, so that the garbage collector keeps the item.
   *
   * @throws StoreException if {@code rootName} is not a plain file name, or as {@link #add} does
   */
  public StorePath addRooted(Path source, String name, String rootName) throws StoreException {
    if (!StorePath.isValidName(rootName)) {
      throw new StoreException(
          String.format(
              "cannot make gc root '%s': not a valid name (A-Z a-z 0-9 + - . _ ? =, not starting"
                  + " with a dot); choose another name",
              rootName));
    }
    // A collection between the add and the link would delete the new item. The check after the
    // link takes the write lock, so it waits for a collection that read the roots before the link
    // existed, and sees what it made invalid.
    while (true) {
      StorePath path = add(source, name);
      Path link = gcRootsDirectory().resolve(rootName);
      try {
        Files.createDirectories(gcRootsDirectory());
        Path staged = temporary.resolve(rootName + "-" + ProcessHandle.current().pid() + ".link");
        Files.deleteIfExists(staged);
        Files.createSymbolicLink(staged, Path.of(path.toString()));
        Files.move(staged, link, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new StoreException("cannot make gc root '" + link + "' for '" + path + "'", e);
      }
      if (isValidAfterWriters(path)) {
        return path;
      }
    }
  }

  private synchronized boolean isValidAfterWriters(StorePath path) throws StoreException {
    try {
      return database.inTransaction(() -> database.id(path).isPresent());
    } catch (SQLException e) {
      throw new StoreException("cannot read '" + path + "' from store '" + uri() + "'", e);
    }
  }

  /** Hashes and scans {@code tree} and returns what registering it as {@code name} records. */
  private PathInfo describe(Path tree, String name) throws IOException, StoreException {
    ReferenceScanner scanner = new ReferenceScanner(validPaths());
    Digest narHash;
    long narSize;
    // One pass over the files: the scan on this thread and the hash on the stream's own, so that
    // scanning adds no time to hashing.
    try (PipelinedDigestingOutputStream nar = new PipelinedDigestingOutputStream(scanner)) {
      NarWriter.write(tree, nar);
      narHash = nar.digest();
      narSize = nar.size();
    }
    SortedSet<StorePath> references = scanner.references();
    StorePath path = ContentAddress.sourcePath(directory(), name, narHash, references);
    long now = Instant.now().getEpochSecond();
    return new PathInfo(path, narHash, narSize, references, "", now);
  }

  /**
   * Creates a private directory on the store's file system in which to build or restore trees
   * before {@link #registerAll registering} them; close it when done.
   */
  public TemporaryDirectory newTemporaryDirectory() throws StoreException {
    try {
      return TemporaryDirectory.create(temporary);
    } catch (IOException e) {
      throw new StoreException(
          "cannot create a temporary directory in store '" + uri() + "' under '" + temporary + "'",
          e);
    }
  }

  /**
   * Registers restored trees as valid items, all or none, as an import needs: each tree is
   * canonicalised, then in one transaction the items that are valid already are skipped (their
   * trees stay where they are, for the caller's temporary directory to delete) and the others are
   * moved into place and recorded with their references. If anything fails, the moved trees are
   * deleted and the database is unchanged.
   *
   * <p>The caller vouches for each {@link PathInfo}: this checks neither NAR hashes nor that the
   * references appear in the trees. Every reference must be valid already or among {@code
   * registrations}; each tree must lie in a {@link TemporaryDirectory} of this store.
   *
   * @return the paths that were newly registered, in the order given
   * @throws StoreException if a reference is neither valid nor registered here, a path is given
   *     twice or is not in this store's directory, or the store cannot be written
   */
  public List<StorePath> registerAll(List<Registration> registrations) throws StoreException {
    Map<StorePath, String> noContentAddresses = new HashMap<>();
    for (Registration registration : registrations) {
      StorePath path = registration.info().path();
      if (!path.directory().equals(directory())) {
        throw new StoreException(
            "cannot register '%s' in store '%s': its store directory is '%s'"
                .formatted(path, uri(), directory()));
      }
      if (noContentAddresses.containsKey(path)) {
        throw new StoreException("cannot register '" + path + "' twice in one batch");
      }
      noContentAddresses.put(path, null);
      Path tree = registration.tree().toAbsolutePath().normalize();
      if (!tree.startsWith(temporary) || tree.getNameCount() <= temporary.getNameCount() + 1) {
        throw new StoreException(
            String.format(
                "cannot register '%s' from '%s': the tree must be inside a temporary directory"
                    + " of store '%s'",
                path, tree, uri()));
      }
      try {
        ItemTree.canonicalize(registration.tree());
      } catch (IOException e) {
        throw new StoreException("cannot register '" + path + "' in store '" + uri() + "'", e);
      }
    }
    return register(registrations, noContentAddresses);
  }

  /**
   * Moves the canonical trees into place and records them, in one write transaction; returns the
   * paths newly registered.
   */
  private synchronized List<StorePath> register(
      List<Registration> registrations, Map<StorePath, String> contentAddresses)
      throws StoreException {
    List<Path> moved = new ArrayList<>();
    try {
      return database.inTransaction(
          () -> {
            try {
              return moveAndInsert(registrations, contentAddresses, moved);
            } catch (SQLException | StoreException | RuntimeException e) {
              // Trees leave store/ under the write lock, as they came in: a collector must never
              // find a tree without its row that this writer is about to delete.
              deleteTrees(moved, e);
              throw e;
            }
          });
    } catch (SQLException | StoreException | RuntimeException e) {
      // A commit that failed leaves the moved trees in place without rows, which is harmless:
      // the next writer of the same item replaces its tree and gc removes the rest. Deleting them
      // here, without the write lock, could delete a tree another writer has just registered.
      if (e instanceof StoreException storeException) {
        throw storeException;
      }
      String paths =
          registrations.size() == 1
              ? "'" + registrations.get(0).info().path() + "'"
              : registrations.size() + " items";
      throw new StoreException("cannot register " + paths + " in store '" + uri() + "'", e);
    }
  }

  /** Deletes the trees in {@code moved} and forgets them, adding failures to {@code failure}. */
  private static void deleteTrees(List<Path> moved, Exception failure) {
    for (Path tree : moved) {
      try {
        ItemTree.delete(tree);
      } catch (IOException suppressed) {
        failure.addSuppressed(suppressed);
      }
    }
    moved.clear();
  }

  private List<StorePath> moveAndInsert(
      List<Registration> registrations, Map<StorePath, String> contentAddresses, List<Path> moved)
      throws SQLException, StoreException {
    List<Registration> fresh = new ArrayList<>();
    for (Registration registration : registrations) {
      if (database.id(registration.info().path()).isEmpty()) {
        fresh.add(registration);
      }
    }

    Map<StorePath, Long> ids = new HashMap<>();
    for (Registration registration : fresh) {
      PathInfo info = registration.info();
      moveIntoPlace(registration.tree(), physicalPath(info.path()), moved);
      ids.put(info.path(), database.insert(info, contentAddresses.get(info.path())));
    }
    if (!moved.isEmpty()) {
      syncItemsDirectory();
    }

    for (Registration registration : fresh) {
      PathInfo info = registration.info();
      List<Long> references = new ArrayList<>();
      for (StorePath reference : info.references()) {
        Long id = ids.get(reference);
        if (id == null) {
          id = database.id(reference).orElse(null);
        }
        if (id == null) {
          throw new StoreException(
              String.format(
                  "cannot register '%s': its reference '%s' is not a valid item of store '%s';"
                      + " register it first or with it",
                  info.path(), reference, uri()));
        }
        references.add(id);
      }
      database.insertReferences(ids.get(info.path()), references);
    }
    return fresh.stream().map(registration -> registration.info().path()).toList();
  }

  /**
   * Makes the renames into {@code store/} durable before the transaction that records them commits,
   * so that a crash never leaves a valid item without its tree; a tree without its row is harmless,
   * being replaced by the next writer.
   *
   * <p>LIMITATION: file contents are not synced one by one, which would cost a sync per file; after
   * a power failure right after an add, an item could be valid with truncated files, which {@code
   * bale verify} reports. Syncing each file before the rename would close the gap.
   */
  private void syncItemsDirectory() throws StoreException {
    try (FileChannel directory = FileChannel.open(items, StandardOpenOption.READ)) {
      directory.force(true);
    } catch (IOException e) {
      throw new StoreException("cannot sync the store directory '" + items + "'", e);
    }
  }

  /**
   * Renames {@code tree} to {@code target}, replacing a leftover tree of a killed process, which is
   * safe because only a writer holding the database's write lock moves trees into place.
   */
  private void moveIntoPlace(Path tree, Path target, List<Path> moved) throws StoreException {
    try {
      ItemTree.delete(target);
      // A directory can only be moved to another parent while its owner may write to it.
      boolean directory = Files.isDirectory(tree, LinkOption.NOFOLLOW_LINKS);
      if (directory) {
        Files.setPosixFilePermissions(tree, ItemTree.WRITABLE_DIRECTORY);
      }
      Files.move(tree, target, StandardCopyOption.ATOMIC_MOVE);
      moved.add(target);
      ItemTree.canonicalizeTop(target);
    } catch (IOException e) {
      throw new StoreException("cannot move '" + tree + "' into place at '" + target + "'", e);
    }
  }
}
