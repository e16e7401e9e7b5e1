package dev.bale.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Puts a SQLite database into write-ahead logging, the mode that lets several processes read while
 * one writes.
 *
 * <p>The mode is a property of the file, so it is set once, by whichever process creates the file.
 * SQLite answers a change of mode that races another connection with {@code SQLITE_BUSY} at once,
 * without consulting the busy timeout; several bale processes opening a new store together meet
 * exactly that, so the change is retried here until the deadline.
 */
final class WalMode {
  private static final long RETRY_PAUSE_MILLIS = 10;

  private WalMode() {}

  /** Switches {@code connection}'s database to WAL, retrying for at most {@code timeoutMillis}. */
  static void enable(Connection connection, long timeoutMillis) throws SQLException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    while (true) {
      try (Statement statement = connection.createStatement();
          ResultSet mode = statement.executeQuery("pragma journal_mode = wal")) {
        if (mode.next() && "wal".equalsIgnoreCase(mode.getString(1))) {
          return;
        }
        throw new SQLException("SQLite refused write-ahead logging for this database");
      } catch (SQLiteException e) {
        if (!isBusy(e) || System.nanoTime() > deadline) {
          throw e;
        }
      }
      try {
        Thread.sleep(RETRY_PAUSE_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SQLException("interrupted while switching the database to WAL", e);
      }
    }
  }

  private static boolean isBusy(SQLiteException e) {
    return e.getResultCode() == SQLiteErrorCode.SQLITE_BUSY
        || e.getResultCode().code == SQLiteErrorCode.SQLITE_BUSY.code;
  }
}
