package dev.bale.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bale.nar.NarWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StoresTest {
  @TempDir Path dir;

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "docker | cannot open store 'docker': unknown kind 'docker'; use local, guix or nix",
        "local?rot=/x | cannot open store 'local?rot=/x': unknown parameter 'rot'; this kind"
            + " takes root, store-dir",
        "nix?store-dir=/x | cannot open store 'nix?store-dir=/x': unknown parameter 'store-dir';"
            + " this kind takes root",
        "guix?root | cannot open store 'guix?root': 'root' is not of the form NAME=VALUE",
        "local?root=/a&root=/b | cannot open store 'local?root=/a&root=/b': parameter 'root' is"
            + " given twice",
        "local?store-dir=/gnu/store/ | cannot open store 'local?store-dir=/gnu/store/'",
      })
  void open_badUri_failsWithClearMessage(String uri, String message) {
    assertThatThrownBy(() -> Stores.open(uri))
        .isInstanceOf(StoreException.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void open_foreignStoreWithoutDatabase_namesTheMissingFile() {
    assertThatThrownBy(() -> Stores.open("nix?root=" + dir))
        .isInstanceOf(StoreException.class)
        .hasMessage(
            "cannot open store 'nix?root="
                + dir
                + "': there is no Nix database at '"
                + dir.resolve("nix/var/nix/db/db.sqlite")
                + "'");
    assertThatThrownBy(() -> Stores.open("guix?root=" + dir))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(
            "there is no Guix database at '" + dir.resolve("var/guix/db/db.sqlite") + "'");
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void queries_databaseListingMalformedPath_failClearly() throws Exception {
    Path database = dir.resolve("nix/var/nix/db/db.sqlite");
    Files.createDirectories(database.getParent());
    Database.openWritable(database, "/nix/store").close();
    try (var connection = DriverManager.getConnection("jdbc:sqlite:" + database);
        var statement = connection.createStatement()) {
      statement.execute(
          "insert into ValidPaths (path, hash, registrationTime) values"
              + " ('/elsewhere/x', 'sha256:00', 1)");
    }

    try (Store store = Stores.open("nix?root=" + dir)) {
      assertThatThrownBy(store::validPaths)
          .isInstanceOf(StoreException.class)
          .hasMessage(
              "cannot read the store database '"
                  + database
                  + "': it lists '/elsewhere/x', which is not a store path");
    }
  }

  @Test
  void openLocal_foreignUri_isRefused() {
    assertThatThrownBy(() -> Stores.openLocal("guix"))
        .isInstanceOf(StoreException.class)
        .hasMessage(
            "cannot write to store 'guix': bale never writes into a Guix or Nix store; use the"
                + " embedded store (--store local)");
  }

  @Test
  void open_guixChroot_readsItsDatabaseWithoutWritingIt() throws Exception {
    Path database = dir.resolve("var/guix/db/db.sqlite");
    Files.createDirectories(database.getParent());
    Path item =
        Files.createDirectories(dir.resolve("gnu/store")).resolve("0".repeat(32) + "-hello-2.12");
    Files.writeString(item, "hello");
    StorePath path = StorePath.parse("/gnu/store", "/gnu/store/" + "0".repeat(32) + "-hello-2.12");
    try (Database writable = Database.openWritable(database, "/gnu/store")) {
      var summary = NarWriter.summarize(item);
      writable.insert(
          new PathInfo(path, summary.hash(), summary.size(), new TreeSet<>(), "", 5), null);
    }
    byte[] bytes = Files.readAllBytes(database);
    List<Path> files;
    try (var list = Files.list(database.getParent())) {
      files = list.sorted().toList();
    }

    try (Store store = Stores.open("guix?root=" + dir)) {
      assertThat(store.isReadOnly()).isTrue();
      assertThat(store.directory()).isEqualTo("/gnu/store");
      assertThat(store.physicalPath(path)).isEqualTo(item);
      assertThat(store.resolve("hello")).isEqualTo(path);
      assertThat(store.pathInfo(path).orElseThrow().registrationTime()).isEqualTo(5);
      assertThat(Verifier.verify(store, store.validPaths(), dev.bale.event.EventSink.DISCARD))
          .isEmpty();
      assertThat(store).isNotInstanceOf(LocalStore.class);
    }

    assertThat(Files.readAllBytes(database)).isEqualTo(bytes);
    // Any reader of a WAL database gets its -wal and -shm companions; the WAL stays empty.
    try (var list = Files.list(database.getParent())) {
      assertThat(list.sorted().toList())
          .containsExactlyElementsOf(
              List.of(database, dir.resolve(database + "-shm"), dir.resolve(database + "-wal")));
    }
    assertThat(Path.of(database + "-wal")).isEmptyFile();
    assertThat(files).containsExactly(database);
  }
}
