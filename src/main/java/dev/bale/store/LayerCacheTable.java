package dev.bale.store;

import dev.bale.hash.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.sqlite.SQLiteConfig;

/**
 * The {@code LayerCache} table: what bale learnt about each layer it wrote, under a key that names
 * the layer's content and how it was compressed. The table is created if it is missing, in the
 * embedded store's database (where it sits beside {@code ValidPaths}) or in a file of its own.
 *
 * <p>Rows are facts that never go stale on their own (a key names immutable input), so two
 * processes writing the same key write the same row; the database is in WAL mode and a writer waits
 * for others, so concurrent packs share the table safely. One instance is safe for use by several
 * threads.
 */
public final class LayerCacheTable implements AutoCloseable {
  private static final int BUSY_TIMEOUT_MILLIS = 60_000;
  private static final String SCHEMA =
      """
      create table if not exists LayerCache (
        key text primary key not null,
        compression text not null,
        diffId text not null,
        tarSize integer not null,
        digest text not null,
        size integer not null)""";

  private final Path file;
  private final Connection connection;

  private LayerCacheTable(Path file, Connection connection) {
    this.file = file;
    this.connection = connection;
  }

  /**
   * What is known of one layer blob.
   *
   * @param compression the compression's name
   * @param diffId the digest of the uncompressed tar
   * @param tarSize the size of the uncompressed tar
   * @param digest the digest of the blob as stored
   * @param size the size of the blob as stored
   */
  public record Row(String compression, Digest diffId, long tarSize, Digest digest, long size) {}

  /** Opens the table in the database of the embedded store {@code store}. */
  public static LayerCacheTable open(LocalStore store) throws StoreException {
    return open(store.root().resolve("db/db.sqlite"));
  }

  /**
   * Opens the table in bale's own cache file, {@code $XDG_CACHE_HOME/bale/layers.sqlite} (else
   * {@code ~/.cache/bale/layers.sqlite}), for the stores whose database bale never writes.
   */
  public static LayerCacheTable openOwn() throws StoreException {
    Path directory = Stores.cacheDirectory();
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new StoreException("cannot create the layer cache directory '" + directory + "'", e);
    }
    return open(directory.resolve("layers.sqlite"));
  }

  /** Opens the table in the SQLite database {@code file}, creating both if they are missing. */
  public static LayerCacheTable open(Path file) throws StoreException {
    SqliteLibrary.prepare();
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
    Connection connection;
    try {
      connection = config.createConnection("jdbc:sqlite:" + file);
    } catch (SQLException e) {
      throw new StoreException("cannot open the layer cache in '" + file + "'", e);
    }
    try (Statement statement = connection.createStatement()) {
      WalMode.enable(connection, BUSY_TIMEOUT_MILLIS);
      // A row lost to a power failure is only computed again, while an fsync at every commit
      // cost a cold pack one per layer: 0.7 to 0.9 s on top of a 1.4 s pack of 22 layers. In WAL
      // mode the database stays whole either way.
      statement.execute("pragma synchronous = normal");
      statement.execute(SCHEMA);
      return new LayerCacheTable(file, connection);
    } catch (SQLException e) {
      closeQuietly(connection);
      throw new StoreException("cannot create the layer cache table in '" + file + "'", e);
    }
  }

  /** Returns the row under {@code key}, or empty when there is none. */
  public synchronized Optional<Row> find(String key) throws StoreException {
    try (PreparedStatement query =
        connection.prepareStatement(
            "select compression, diffId, tarSize, digest, size from LayerCache where key = ?")) {
      query.setString(1, key);
      try (ResultSet rows = query.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Row(
                rows.getString(1),
                Digest.parse(rows.getString(2)),
                rows.getLong(3),
                Digest.parse(rows.getString(4)),
                rows.getLong(5)));
      }
    } catch (SQLException | IllegalArgumentException e) {
      throw new StoreException(
          "cannot read the layer cache in '" + file + "': delete its LayerCache table to reset it",
          e);
    }
  }

  /** Stores {@code row} under {@code key}, replacing any row there. */
  public synchronized void put(String key, Row row) throws StoreException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "insert or replace into LayerCache (key, compression, diffId, tarSize, digest, size)"
                + " values (?, ?, ?, ?, ?, ?)")) {
      insert.setString(1, key);
      insert.setString(2, row.compression());
      insert.setString(3, row.diffId().toString());
      insert.setLong(4, row.tarSize());
      insert.setString(5, row.digest().toString());
      insert.setLong(6, row.size());
      insert.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot write to the layer cache in '" + file + "'", e);
    }
  }

  /** Removes the row under {@code key}, if any. */
  public synchronized void remove(String key) throws StoreException {
    try (PreparedStatement delete =
        connection.prepareStatement("delete from LayerCache where key = ?")) {
      delete.setString(1, key);
      delete.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("cannot write to the layer cache in '" + file + "'", e);
    }
  }

  @Override
  public synchronized void close() throws StoreException {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new StoreException("cannot close the layer cache in '" + file + "'", e);
    }
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      // The open already failed; that failure is the one to report.
    }
  }
}
