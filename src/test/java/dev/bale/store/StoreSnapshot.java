package dev.bale.store;

import dev.bale.hash.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Everything observable about an embedded store: every file under its {@code store/} and {@code
 * tmp/} directories with type, mode, time, size and content digest, and every row of its database
 * tables. Tests take one before and after a failing operation and compare them.
 */
public record StoreSnapshot(List<String> files, List<String> rows) {

  /** Takes a snapshot of the embedded store whose physical root is {@code root}. */
  public static StoreSnapshot of(Path root) {
    try {
      return new StoreSnapshot(files(root), rows(root.resolve("db/db.sqlite")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> files(Path root) throws IOException {
    List<String> files = new ArrayList<>();
    for (String part : List.of("store", "tmp")) {
      Path top = root.resolve(part);
      if (!Files.exists(top)) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(top)) {
        // The top directories' own times change with any temporary directory: skip them.
        for (Path path : (Iterable<Path>) walk.skip(1).sorted()::iterator) {
          files.add(describe(root, path));
        }
      }
    }
    return files;
  }

  private static String describe(Path root, Path path) throws IOException {
    PosixFileAttributes attributes =
        Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    String line =
        root.relativize(path)
            + " "
            + PosixFilePermissions.toString(attributes.permissions())
            + " "
            + attributes.lastModifiedTime().toMillis();
    if (attributes.isSymbolicLink()) {
      return line + " -> " + Files.readSymbolicLink(path);
    }
    if (attributes.isRegularFile()) {
      return line + " " + Digest.of(Files.readAllBytes(path));
    }
    return line + " directory";
  }

  private static List<String> rows(Path database) throws SQLException {
    List<String> rows = new ArrayList<>();
    if (!Files.exists(database)) {
      return rows;
    }
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
        Statement statement = connection.createStatement()) {
      for (String table : List.of("ValidPaths", "Refs", "DerivationOutputs")) {
        String query = "select * from " + table + " order by 1, 2";
        try (ResultSet result = statement.executeQuery(query)) {
          int columns = result.getMetaData().getColumnCount();
          while (result.next()) {
            StringBuilder row = new StringBuilder(table);
            for (int i = 1; i <= columns; i++) {
              row.append('|').append(result.getString(i));
            }
            rows.add(row.toString());
          }
        }
      }
    }
    return rows;
  }
}
