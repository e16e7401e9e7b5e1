package dev.bale.store;

import dev.bale.hash.Digest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.sqlite.SQLiteConfig;

/**
 * A store database in the Guix/Nix schema: {@code ValidPaths}, {@code Refs} and {@code
 * DerivationOutputs}.
 *
 * <p>Queries read only the columns that Guix's older schema also has, so the same code reads the
 * embedded store, a Guix store and a Nix store. The NAR hash is stored as {@code sha256:HEX}, which
 * is what both daemons write into the {@code hash} column. One connection is not safe for
 * concurrent use: callers synchronise.
 *
 * <p>A foreign database is opened read-only, so its file is never written; as for any reader of a
 * WAL database (the Guix and Nix tools included), SQLite creates its empty {@code -wal} and {@code
 * -shm} companions beside it if they are missing.
 */
final class Database implements AutoCloseable {
  /** How long a writer waits for another process's transaction before giving up. */
  private static final int BUSY_TIMEOUT_MILLIS = 60_000;

  private static final String[] SCHEMA = {
    """
    create table if not exists ValidPaths (
      id integer primary key autoincrement not null,
      path text unique not null,
      hash text not null,
      registrationTime integer not null,
      deriver text,
      narSize integer,
      ultimate integer,
      sigs text,
      ca text)""",
    """
    create table if not exists Refs (
      referrer integer not null,
      reference integer not null,
      primary key (referrer, reference),
      foreign key (referrer) references ValidPaths(id) on delete cascade,
      foreign key (reference) references ValidPaths(id) on delete restrict)""",
    "create index if not exists IndexReferrer on Refs(referrer)",
    "create index if not exists IndexReference on Refs(reference)",
    """
    create trigger if not exists DeleteSelfRefs before delete on ValidPaths
    begin
      delete from Refs where referrer = old.id and reference = old.id;
    end""",
    """
    create table if not exists DerivationOutputs (
      drv integer not null,
      id text not null,
      path text not null,
      primary key (drv, id),
      foreign key (drv) references ValidPaths(id) on delete cascade)""",
    "create index if not exists IndexDerivationOutputs on DerivationOutputs(path)",
  };

  private final Path file;
  private final String directory;
  private final Connection connection;

  private Database(Path file, String directory, Connection connection) {
    this.file = file;
    this.directory = directory;
    this.connection = connection;
  }

  /** Opens the foreign database {@code file} read-only; its paths are under {@code directory}. */
  static Database openReadOnly(Path file, String directory) throws StoreException {
    SqliteLibrary.prepare();
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
    try {
      return new Database(file, directory, config.createConnection("jdbc:sqlite:" + file));
    } catch (SQLException e) {
      throw new StoreException("cannot open the store database '" + file + "' read-only", e);
    }
  }

  /**
   * Opens or creates the writable database {@code file} in WAL mode, so that several processes can
   * share it, and creates the schema if it is missing.
   */
  static Database openWritable(Path file, String directory) throws StoreException {
    SqliteLibrary.prepare();
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
    config.enforceForeignKeys(true);
    Database database;
    try {
      database = new Database(file, directory, config.createConnection("jdbc:sqlite:" + file));
    } catch (SQLException e) {
      throw new StoreException("cannot open the store database '" + file + "'", e);
    }
    try {
      database.createSchema();
      return database;
    } catch (SQLException | StoreException e) {
      database.close();
      throw new StoreException("cannot create the schema of the store database '" + file + "'", e);
    }
  }

  private void createSchema() throws SQLException, StoreException {
    WalMode.enable(connection, BUSY_TIMEOUT_MILLIS);
    try (Statement statement = connection.createStatement()) {
      statement.execute("pragma synchronous = normal");
    }
    inTransaction(
        () -> {
          try (Statement statement = connection.createStatement()) {
            for (String sql : SCHEMA) {
              statement.execute(sql);
            }
          }
          return null;
        });
  }

  /** A unit of work run inside one write transaction. */
  interface Work<T> {
    T run() throws SQLException, StoreException;
  }

  /**
   * Runs {@code work} in one write transaction, begun immediately so that two writers never
   * deadlock upgrading read locks; rolls back when it throws.
   */
  <T> T inTransaction(Work<T> work) throws SQLException, StoreException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("begin immediate");
    }
    boolean committed = false;
    try {
      T result = work.run();
      try (Statement statement = connection.createStatement()) {
        statement.execute("commit");
      }
      committed = true;
      return result;
    } finally {
      if (!committed) {
        try (Statement statement = connection.createStatement()) {
          statement.execute("rollback");
        } catch (SQLException e) {
          // The transaction is gone already (SQLite rolls back on some errors by itself).
        }
      }
    }
  }

  /** Returns the row id of {@code path}, or empty when it is not valid. */
  Optional<Long> id(StorePath path) throws SQLException {
    try (PreparedStatement query =
        connection.prepareStatement("select id from ValidPaths where path = ?")) {
      query.setString(1, path.toString());
      try (ResultSet rows = query.executeQuery()) {
        return rows.next() ? Optional.of(rows.getLong(1)) : Optional.empty();
      }
    }
  }

  /** Returns what the database records of {@code path}, or empty when it is not valid. */
  Optional<PathInfo> pathInfo(StorePath path) throws SQLException, StoreException {
    long id;
    Digest narHash;
    long registrationTime;
    String deriver;
    long narSize;
    try (PreparedStatement query =
        connection.prepareStatement(
            "select id, hash, registrationTime, deriver, narSize from ValidPaths where path = ?")) {
      query.setString(1, path.toString());
      try (ResultSet rows = query.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        id = rows.getLong(1);
        narHash = parseHash(path, rows.getString(2));
        registrationTime = rows.getLong(3);
        deriver = rows.getString(4);
        narSize = rows.getLong(5);
      }
    }
    SortedSet<StorePath> references =
        paths(
            "select v.path from Refs r join ValidPaths v on r.reference = v.id"
                + " where r.referrer = ?",
            id);
    return Optional.of(
        new PathInfo(
            path, narHash, narSize, references, deriver == null ? "" : deriver, registrationTime));
  }

  private Digest parseHash(StorePath path, String text) throws StoreException {
    try {
      return Digest.parse(text);
    } catch (IllegalArgumentException e) {
      throw new StoreException(
          "cannot read '" + path + "' from the store database '" + file + "': bad NAR hash", e);
    }
  }

  /** Returns the items that the item with row id {@code id} refers to. */
  SortedSet<StorePath> references(long id) throws SQLException, StoreException {
    return paths(
        "select v.path from Refs r join ValidPaths v on r.reference = v.id where r.referrer = ?",
        id);
  }

  /** Returns the items that refer to the item with row id {@code id}. */
  SortedSet<StorePath> referrers(long id) throws SQLException, StoreException {
    return paths(
        "select v.path from Refs r join ValidPaths v on r.referrer = v.id where r.reference = ?",
        id);
  }

  /** Returns every valid item. */
  SortedSet<StorePath> validPaths() throws SQLException, StoreException {
    return paths("select path from ValidPaths", null);
  }

  /** Returns the valid items whose full path starts with {@code prefix}. */
  SortedSet<StorePath> validPathsStartingWith(String prefix) throws SQLException, StoreException {
    // A range query uses the unique index on path, unlike LIKE with its escaping rules.
    SortedSet<StorePath> result = new TreeSet<>();
    try (PreparedStatement query =
        connection.prepareStatement("select path from ValidPaths where path >= ? and path < ?")) {
      query.setString(1, prefix);
      query.setString(2, prefix + Character.MAX_VALUE);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          result.add(parsePath(rows.getString(1)));
        }
      }
    }
    return result;
  }

  private SortedSet<StorePath> paths(String sql, Long id) throws SQLException, StoreException {
    SortedSet<StorePath> result = new TreeSet<>();
    try (PreparedStatement query = connection.prepareStatement(sql)) {
      if (id != null) {
        query.setLong(1, id);
      }
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          result.add(parsePath(rows.getString(1)));
        }
      }
    }
    return result;
  }

  private StorePath parsePath(String text) throws StoreException {
    try {
      return StorePath.parse(directory, text);
    } catch (IllegalArgumentException e) {
      throw new StoreException(
          "cannot read the store database '"
              + file
              + "': it lists '"
              + text
              + "', which is"
              + " not a store path",
          e);
    }
  }

  /**
   * Inserts {@code info} as a valid item with content address {@code ca} (or none) and returns its
   * row id; its references must be valid or inserted already.
   */
  long insert(PathInfo info, String ca) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "insert into ValidPaths (path, hash, registrationTime, deriver, narSize, ca)"
                + " values (?, ?, ?, ?, ?, ?)",
            Statement.RETURN_GENERATED_KEYS)) {
      insert.setString(1, info.path().toString());
      insert.setString(2, info.narHash().toString());
      insert.setLong(3, info.registrationTime());
      if (info.deriver().isEmpty()) {
        insert.setNull(4, Types.VARCHAR);
      } else {
        insert.setString(4, info.deriver());
      }
      insert.setLong(5, info.narSize());
      if (ca == null) {
        insert.setNull(6, Types.VARCHAR);
      } else {
        insert.setString(6, ca);
      }
      insert.executeUpdate();
      try (ResultSet keys = insert.getGeneratedKeys()) {
        keys.next();
        return keys.getLong(1);
      }
    }
  }

  /** Records that the item with row id {@code referrer} refers to each of {@code references}. */
  void insertReferences(long referrer, List<Long> references) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "insert or ignore into Refs (referrer, reference) values (?, ?)")) {
      for (long reference : references) {
        insert.setLong(1, referrer);
        insert.setLong(2, reference);
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  /** Returns the row ids of {@code paths}, failing on the first that is not valid. */
  List<Long> ids(Iterable<StorePath> paths) throws SQLException, StoreException {
    List<Long> ids = new ArrayList<>();
    for (StorePath path : paths) {
      Optional<Long> id = id(path);
      if (id.isEmpty()) {
        throw new StoreException("'" + path + "' is not a valid store item");
      }
      ids.add(id.get());
    }
    return ids;
  }

  /** Returns every valid item with its row id. */
  Map<StorePath, Long> validIds() throws SQLException, StoreException {
    Map<StorePath, Long> result = new HashMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("select id, path from ValidPaths")) {
      while (rows.next()) {
        result.put(parsePath(rows.getString(2)), rows.getLong(1));
      }
    }
    return result;
  }

  /** Returns the reference graph: for each referrer's row id, the row ids it refers to. */
  Map<Long, List<Long>> referenceGraph() throws SQLException {
    Map<Long, List<Long>> graph = new HashMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("select referrer, reference from Refs")) {
      while (rows.next()) {
        graph.computeIfAbsent(rows.getLong(1), referrer -> new ArrayList<>()).add(rows.getLong(2));
      }
    }
    return graph;
  }

  /**
   * Makes the items with row ids {@code ids} invalid; every item referring to one of them must be
   * among them, or the database refuses.
   */
  void invalidate(Iterable<Long> ids) throws SQLException {
    // References from the dead items go first: a reference row keeps its target valid.
    try (PreparedStatement references =
            connection.prepareStatement("delete from Refs where referrer = ?");
        PreparedStatement rows =
            connection.prepareStatement("delete from ValidPaths where id = ?")) {
      for (long id : ids) {
        references.setLong(1, id);
        references.addBatch();
        rows.setLong(1, id);
        rows.addBatch();
      }
      references.executeBatch();
      rows.executeBatch();
    }
  }

  @Override
  public void close() throws StoreException {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new StoreException("cannot close the store database '" + file + "'", e);
    }
  }
}
