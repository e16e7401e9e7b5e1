package dev.bale.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.OSInfo;

/**
 * Points the SQLite driver at a copy of its native library kept in bale's cache directory.
 *
 * <p>Left alone, the driver probes the operating system (starting a process to do so), copies its
 * native library out of the jar into a fresh temporary file and compares the copy byte by byte on
 * every start: about a tenth of a second, more than everything else a warm repack does. The copy
 * made here is named by the driver's version and the machine's architecture, written once through a
 * temporary file and a rename, and reused by every later process.
 *
 * <p>Nothing here is required: when the cache cannot be written or the library is not where the
 * driver keeps it, the driver's own loading takes over unchanged.
 */
final class SqliteLibrary {
  private static final String PATH_PROPERTY = "org.sqlite.lib.path";
  private static final String NAME_PROPERTY = "org.sqlite.lib.name";

  private static boolean prepared;

  private SqliteLibrary() {}

  /** Sets the driver's library properties to the cached copy, making it first if needed. */
  static synchronized void prepare() {
    if (prepared || System.getProperty(PATH_PROPERTY) != null) {
      return;
    }
    prepared = true;

    String name = System.mapLibraryName("sqlitejdbc");
    // LIMITATION: the name does not tell glibc from musl, so a home directory shared between,
    // say, Debian and Alpine gets the library of whichever ran first; the other then fails to
    // load it and the driver unpacks its own, after printing why.
    String folder =
        String.join(
            "-",
            "sqlite-jdbc",
            SQLiteJDBCLoader.getVersion(),
            System.getProperty("os.name").replace(' ', '_'),
            System.getProperty("os.arch"));
    Path directory = Stores.cacheDirectory().resolve("native").resolve(folder);
    Path library = directory.resolve(name);
    try {
      if (!Files.isRegularFile(library)) {
        copyOut(name, directory, library);
      }
    } catch (IOException | RuntimeException e) {
      // The driver extracts its library itself, as it does without this cache.
      return;
    }
    System.setProperty(PATH_PROPERTY, directory.toString());
    System.setProperty(NAME_PROPERTY, name);
  }

  private static void copyOut(String name, Path directory, Path library) throws IOException {
    String resource = "/org/sqlite/native/" + OSInfo.getNativeLibFolderPathForCurrentOS();
    try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource + "/" + name)) {
      if (in == null) {
        throw new IOException("no native SQLite library in the driver for this system");
      }
      Files.createDirectories(directory);
      Path temporary = Files.createTempFile(directory, "." + name, ".tmp");
      try {
        Files.copy(in, temporary, StandardCopyOption.REPLACE_EXISTING);
        // Another process may have put its copy there first: the bytes are the same.
        Files.move(temporary, library, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temporary);
      }
    }
  }
}
