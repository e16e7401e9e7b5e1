package dev.bale.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteLibraryTest {
  @Test
  void open_store_loadsTheDriversLibraryFromTheCacheDirectory(@TempDir Path root) throws Exception {
    try (LocalStore store = LocalStore.open("local", root, "/gnu/store")) {
      assertThat(store.validPaths()).isEmpty();
    }

    Path directory = Path.of(System.getProperty("org.sqlite.lib.path"));
    Path library = directory.resolve(System.getProperty("org.sqlite.lib.name"));
    assertThat(directory).startsWith(Stores.cacheDirectory());
    assertThat(Files.size(library)).isGreaterThan(100_000);
    assertThat(directory.getFileName().toString())
        .startsWith("sqlite-jdbc-")
        .contains("-" + System.getProperty("os.name").replace(' ', '_') + "-")
        .endsWith("-" + System.getProperty("os.arch"));
  }
}
