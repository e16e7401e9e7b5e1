package dev.bale.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bale.nar.NarSummary;
import dev.bale.nar.NarWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStoreTest {
  @TempDir Path dir;
  Path root;
  LocalStore store;

  @BeforeEach
  void openStore() throws Exception {
    root = dir.resolve("root");
    store = Stores.openLocal("local?root=" + root);
  }

  @AfterEach
  void closeStore() throws Exception {
    store.close();
  }

  private Path file(String name, String content) throws IOException {
    Path path = dir.resolve("src").resolve(name);
    Files.createDirectories(path.getParent());
    return Files.writeString(path, content);
  }

  @Test
  void open_newRoot_createsTheLayoutAndNixSchemaInWalMode() throws Exception {
    assertThat(root.resolve("store")).isDirectory();
    assertThat(root.resolve("tmp")).isDirectory();
    assertThat(root.resolve("db/db.sqlite")).isRegularFile();
    assertThat(store.directory()).isEqualTo("/gnu/store");
    assertThat(store.isReadOnly()).isFalse();
    assertThat(StoreSnapshot.of(root).rows()).isEmpty();
    try (var connection =
            java.sql.DriverManager.getConnection("jdbc:sqlite:" + root.resolve("db/db.sqlite"));
        var statement = connection.createStatement();
        var mode = statement.executeQuery("pragma journal_mode")) {
      assertThat(mode.getString(1)).isEqualTo("wal");
      try (var columns = statement.executeQuery("pragma table_info(ValidPaths)")) {
        List<String> names = new java.util.ArrayList<>();
        while (columns.next()) {
          names.add(columns.getString("name"));
        }
        assertThat(names)
            .containsExactly(
                "id",
                "path",
                "hash",
                "registrationTime",
                "deriver",
                "narSize",
                "ultimate",
                "sigs",
                "ca");
      }
    }
  }

  @Test
  void open_newRoot_createsRefsWithBothIndexes() throws Exception {
    try (var connection =
            java.sql.DriverManager.getConnection("jdbc:sqlite:" + root.resolve("db/db.sqlite"));
        var statement = connection.createStatement()) {
      List<String> columns = new java.util.ArrayList<>();
      try (var rows = statement.executeQuery("pragma table_info(Refs)")) {
        while (rows.next()) {
          columns.add(rows.getString("name") + " " + rows.getInt("pk"));
        }
      }
      List<String> indexes = new java.util.ArrayList<>();
      for (String index : List.of("IndexReferrer", "IndexReference")) {
        try (var rows = statement.executeQuery("pragma index_xinfo(" + index + ")")) {
          while (rows.next()) {
            if (rows.getInt("key") == 1) {
              indexes.add(index + " " + rows.getString("name"));
            }
          }
        }
        try (var table =
            statement.executeQuery(
                "select tbl_name from sqlite_master where type = 'index' and name = '"
                    + index
                    + "'")) {
          assertThat(table.getString(1)).as(index).isEqualTo("Refs");
        }
      }

      assertThat(columns).containsExactly("referrer 1", "reference 2");
      assertThat(indexes).containsExactly("IndexReferrer referrer", "IndexReference reference");
    }
  }

  @Test
  void add_whileAnotherConnectionHoldsTheWriteLock_waitsForItInsteadOfFailing() throws Exception {
    Path source = file("waits", "waits for the lock\n");
    var other = java.sql.DriverManager.getConnection("jdbc:sqlite:" + root.resolve("db/db.sqlite"));
    other.createStatement().execute("begin immediate");
    Thread release =
        new Thread(
            () -> {
              try {
                Thread.sleep(1500);
                other.createStatement().execute("commit");
                other.close();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });

    long start = System.nanoTime();
    release.start();
    StorePath added = store.add(source, "waits");
    long waitedMillis = (System.nanoTime() - start) / 1_000_000;
    release.join();

    // Without a busy timeout SQLite reports SQLITE_BUSY at once instead of waiting.
    assertThat(store.validPaths()).containsExactly(added);
    assertThat(waitedMillis).isGreaterThanOrEqualTo(1000);
  }

  @Test
  void add_file_storesCanonicalCopyAndRecordsIt() throws Exception {
    Path source = file("hello.txt", "hello\n");
    Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rw-rw-rw-"));

    StorePath path = store.add(source, "hello.txt");

    NarSummary summary = NarWriter.summarize(source);
    assertThat(path)
        .isEqualTo(ContentAddress.sourcePath("/gnu/store", "hello.txt", summary.hash(), Set.of()));
    Path stored = store.physicalPath(path);
    assertThat(stored).isEqualTo(root.resolve("store/" + path.baseName()));
    assertThat(stored).hasContent("hello\n");
    assertCanonical(stored, "r--r--r--");
    PathInfo info = store.pathInfo(path).orElseThrow();
    assertThat(info.narHash()).isEqualTo(summary.hash());
    assertThat(info.narSize()).isEqualTo(summary.size());
    assertThat(info.references()).isEmpty();
    assertThat(info.deriver()).isEmpty();
    assertThat(StoreSnapshot.of(root).rows())
        .contains(
            "ValidPaths|1|"
                + path
                + "|"
                + summary.hash()
                + "|"
                + info.registrationTime()
                + "|null|"
                + summary.size()
                + "|null|null|fixed:r:sha256:"
                + summary.hash().base32());
    assertThat(root.resolve("tmp")).isEmptyDirectory();
  }

  @Test
  void add_directoryWithExecutableAndSymlinks_canonicalisesEveryEntry() throws Exception {
    Path tree = Files.createDirectories(dir.resolve("src/tree/bin"));
    Path tool = Files.writeString(tree.resolve("tool"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwx------"));
    Files.writeString(tree.getParent().resolve("data"), "data");
    Files.createSymbolicLink(tree.resolve("link"), Path.of("../data"));
    Path source = tree.getParent();

    StorePath path = store.add(source, "tree-1.0");

    Path stored = store.physicalPath(path);
    assertCanonical(stored, "r-xr-xr-x");
    assertCanonical(stored.resolve("bin"), "r-xr-xr-x");
    assertCanonical(stored.resolve("bin/tool"), "r-xr-xr-x");
    assertCanonical(stored.resolve("data"), "r--r--r--");
    assertThat(Files.readSymbolicLink(stored.resolve("bin/link"))).isEqualTo(Path.of("../data"));
    assertThat(
            Files.getLastModifiedTime(stored.resolve("bin/link"), LinkOption.NOFOLLOW_LINKS)
                .toMillis())
        .isEqualTo(1000);
    assertThat(NarWriter.summarize(stored)).isEqualTo(NarWriter.summarize(source));
    assertThat(store.pathInfo(path).orElseThrow().narHash())
        .isEqualTo(NarWriter.summarize(source).hash());
  }

  private static void assertCanonical(Path path, String mode) throws IOException {
    PosixFileAttributes attributes =
        Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    assertThat(PosixFilePermissions.toString(attributes.permissions())).isEqualTo(mode);
    assertThat(attributes.lastModifiedTime().toMillis()).isEqualTo(1000);
  }

  @Test
  void add_directoryHoldingTheStore_isRefusedAndChangesNothing() throws Exception {
    file("beside-the-store", "data\n");
    StoreSnapshot before = StoreSnapshot.of(root);

    assertThatThrownBy(() -> store.add(dir, "everything"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("holds the store's root '" + root + "'");

    assertThat(StoreSnapshot.of(root)).isEqualTo(before);
  }

  @Test
  void add_sameContentTwice_returnsSamePathAndChangesNothing() throws Exception {
    Path source = file("same", "same content\n");
    StorePath first = store.add(source, "same");
    StoreSnapshot before = StoreSnapshot.of(root);

    StorePath second = store.add(source, "same");

    assertThat(second).isEqualTo(first);
    assertThat(StoreSnapshot.of(root)).isEqualTo(before);
  }

  @Test
  void add_contentNamingValidItems_recordsThemAsReferences() throws Exception {
    StorePath lib = store.add(file("lib", "library\n"), "lib-1.0");
    StorePath data = store.add(file("data", "data\n"), "data");
    StorePath unrelated = store.add(file("unrelated", "other\n"), "unrelated");
    Path app = Files.createDirectories(dir.resolve("src/app"));
    Files.writeString(app.resolve("config"), "lib=" + lib + "/lib/libx.so\n");
    Files.createSymbolicLink(app.resolve("data"), Path.of(store.physicalPath(data).toString()));
    Files.writeString(app.resolve("unknown"), "/gnu/store/" + "0".repeat(32) + "-missing\n");

    StorePath path = store.add(app, "app");

    assertThat(store.references(path)).containsExactly(data, lib);
    assertThat(store.referrers(lib)).containsExactly(path);
    assertThat(store.referrers(unrelated)).isEmpty();
    assertThat(path)
        .isEqualTo(
            ContentAddress.sourcePath(
                "/gnu/store", "app", NarWriter.summarize(app).hash(), Set.of(lib, data)));
  }

  @Test
  void add_referenceInFileName_isFound() throws Exception {
    StorePath lib = store.add(file("lib", "library\n"), "lib");
    Path app = Files.createDirectories(dir.resolve("src/app"));
    Files.writeString(app.resolve(lib.baseName()), "");

    assertThat(store.references(store.add(app, "app"))).containsExactly(lib);
  }

  @Test
  void add_fifo_failsAndLeavesStoreUnchanged() throws Exception {
    store.add(file("existing", "x"), "existing");
    Path tree = Files.createDirectories(dir.resolve("src/tree"));
    Files.writeString(tree.resolve("a"), "a");
    Process mkfifo = new ProcessBuilder("mkfifo", tree.resolve("pipe").toString()).start();
    assertThat(mkfifo.waitFor()).isZero();
    StoreSnapshot before = StoreSnapshot.of(root);

    assertThatThrownBy(() -> store.add(tree, "tree"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("cannot add '" + tree + "'")
        .rootCause()
        .hasMessageContaining("'" + tree.resolve("pipe") + "'");
    assertThat(StoreSnapshot.of(root)).isEqualTo(before);
  }

  @Test
  void add_badNameOrMissingSource_failsWithoutChange() throws Exception {
    Path source = file("ok", "ok");
    StoreSnapshot before = StoreSnapshot.of(root);

    assertThatThrownBy(() -> store.add(source, ".hidden"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("'.hidden': not a valid store item name");
    assertThatThrownBy(() -> store.add(source, "with space"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("not a valid store item name");
    assertThatThrownBy(() -> store.add(dir.resolve("absent"), "absent"))
        .isInstanceOf(StoreException.class)
        .hasMessage("cannot add '" + dir.resolve("absent") + "': no such file or directory");
    assertThat(StoreSnapshot.of(root)).isEqualTo(before);
  }

  @Test
  void add_leftoverTreeOfKilledProcess_isReplaced() throws Exception {
    Path source = file("item", "real content\n");
    StorePath expected =
        ContentAddress.sourcePath(
            "/gnu/store", "item", NarWriter.summarize(source).hash(), Set.of());
    Path leftover = Files.createDirectories(store.physicalPath(expected).resolve("junk"));
    Files.setPosixFilePermissions(leftover, PosixFilePermissions.fromString("r-xr-xr-x"));

    assertThat(store.add(source, "item")).isEqualTo(expected);

    assertThat(store.physicalPath(expected)).isRegularFile().hasContent("real content\n");
  }

  @Test
  void open_staleTemporaryDirectories_areDeletedAndLiveOnesKept() throws Exception {
    Process finished = new ProcessBuilder("true").start();
    finished.waitFor();
    Path stale = root.resolve("tmp/" + finished.pid() + "-12345-abcd");
    Files.createDirectories(stale.resolve("item/sub"));
    Files.setPosixFilePermissions(
        stale.resolve("item"), PosixFilePermissions.fromString("r-x------"));
    // The same process id with another start time: the id was reused after a crash.
    Path reused = root.resolve("tmp/" + ProcessHandle.current().pid() + "-12345-abcd");
    Files.createDirectories(reused);
    TemporaryDirectory live = store.newTemporaryDirectory();
    Path other = Files.createDirectories(root.resolve("tmp/not-ours"));

    try (LocalStore again = Stores.openLocal("local?root=" + root)) {
      assertThat(stale).doesNotExist();
      assertThat(reused).doesNotExist();
      assertThat(live.path()).isDirectory();
      assertThat(other).isDirectory();
    }
    live.close();
    assertThat(live.path()).doesNotExist();
  }

  @Test
  void registerAll_batchReferringWithin_registersAllWithReferences() throws Exception {
    StorePath base = store.add(file("base", "base\n"), "base");
    try (TemporaryDirectory temporary = store.newTemporaryDirectory()) {
      Registration lib = registration(temporary, "lib", "lib uses " + base, Set.of(base));
      Registration app =
          registration(
              temporary, "app", "app uses " + lib.info().path(), Set.of(lib.info().path()));
      Registration again = new Registration(store.pathInfo(base).orElseThrow(), lib.tree());

      List<StorePath> registered = store.registerAll(List.of(app, lib, again));

      assertThat(registered).containsExactly(app.info().path(), lib.info().path());
      assertThat(store.requisites(List.of(app.info().path())))
          .containsExactlyInAnyOrder(app.info().path(), lib.info().path(), base);
      assertCanonical(store.physicalPath(app.info().path()), "r--r--r--");
      assertThat(store.pathInfo(lib.info().path()).orElseThrow().deriver())
          .isEqualTo("/gnu/store/" + "1".repeat(32) + "-lib.drv");
    }
    assertThat(root.resolve("tmp")).isEmptyDirectory();
  }

  @Test
  void registerAll_missingReference_rollsBackEverything() throws Exception {
    store.add(file("base", "base\n"), "base");
    StoreSnapshot before = StoreSnapshot.of(root);
    StorePath missing = new StorePath("/gnu/store", "2".repeat(32), "missing");
    try (TemporaryDirectory temporary = store.newTemporaryDirectory()) {
      Registration good = registration(temporary, "good", "good", Set.of());
      Registration bad = registration(temporary, "bad", "bad", Set.of(missing));

      assertThatThrownBy(() -> store.registerAll(List.of(good, bad)))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("its reference '" + missing + "' is not a valid item");
    }
    assertThat(StoreSnapshot.of(root)).isEqualTo(before);
  }

  @Test
  void registerAll_treeOutsideTemporaryDirectory_isRefused() throws Exception {
    Path outside = file("outside", "x");
    PathInfo info =
        new PathInfo(
            new StorePath("/gnu/store", "3".repeat(32), "outside"),
            NarWriter.summarize(outside).hash(),
            NarWriter.summarize(outside).size(),
            new TreeSet<>(),
            "",
            1);
    StoreSnapshot before = StoreSnapshot.of(root);

    assertThatThrownBy(() -> store.registerAll(List.of(new Registration(info, outside))))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("must be inside a temporary directory");
    assertThat(StoreSnapshot.of(root)).isEqualTo(before);
  }

  private Registration registration(
      TemporaryDirectory temporary, String name, String content, Set<StorePath> references)
      throws IOException {
    Path tree = Files.writeString(temporary.path().resolve(name), content);
    NarSummary summary = NarWriter.summarize(tree);
    StorePath path = ContentAddress.sourcePath("/gnu/store", name, summary.hash(), references);
    String deriver = "/gnu/store/" + "1".repeat(32) + "-" + name + ".drv";
    return new Registration(
        new PathInfo(path, summary.hash(), summary.size(), new TreeSet<>(references), deriver, 7),
        tree);
  }

  @Test
  void queries_chain_giveClosureOrderAndReferrers() throws Exception {
    StorePath c = store.add(file("c", "c"), "c-1.0");
    StorePath b = store.add(file("b", "b needs " + c), "b-2.0");
    StorePath a = store.add(file("a", "a needs " + b + " and " + c), "a-3.0");
    StorePath lone = store.add(file("lone", "lone"), "lone");

    assertThat(store.validPaths()).containsExactlyInAnyOrder(a, b, c, lone);
    assertThat(store.requisites(List.of(a))).containsExactlyInAnyOrder(a, b, c);
    assertThat(store.requisites(List.of(b, lone))).containsExactlyInAnyOrder(b, c, lone);
    assertThat(store.topologicalOrder(List.of(a, b, c))).containsExactly(c, b, a);
    assertThat(store.topologicalOrder(List.of(a, c))).containsExactly(c, a);
    assertThat(store.referrers(c)).containsExactlyInAnyOrder(a, b);
    assertThat(store.references(a)).containsExactlyInAnyOrder(b, c);
    StorePath invalid = new StorePath("/gnu/store", "4".repeat(32), "nope");
    assertThatThrownBy(() -> store.requisites(List.of(a, invalid)))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("'" + invalid + "' is not a valid item of store 'local?root=");
    assertThat(store.pathInfo(invalid)).isEmpty();
  }

  @Test
  void verify_corruptedAndMissingTrees_areReportedByName() throws Exception {
    StorePath good = store.add(file("good", "good"), "good");
    StorePath changed = store.add(file("changed", "changed"), "changed");
    StorePath missing = store.add(file("missing", "missing"), "missing");
    Path changedTree = store.physicalPath(changed);
    Files.setPosixFilePermissions(changedTree, PosixFilePermissions.fromString("rw-r--r--"));
    Files.writeString(changedTree, "tampered");
    Files.delete(store.physicalPath(missing));

    List<Corruption> corruptions =
        Verifier.verify(store, store.validPaths(), dev.bale.event.EventSink.DISCARD);

    assertThat(corruptions).extracting(Corruption::path).containsExactly(changed, missing);
    assertThat(corruptions.get(0).reason()).startsWith("its NAR hash is sha256:");
    assertThat(corruptions.get(1).reason()).contains("is missing");
    assertThat(Verifier.verify(store, List.of(good), dev.bale.event.EventSink.DISCARD)).isEmpty();
  }

  @Test
  void add_storeDirectoryParameter_changesLogicalPathsOnly() throws Exception {
    Path source = file("x", "x");
    try (LocalStore nixLike =
        Stores.openLocal("local?root=" + dir.resolve("n") + "&store-dir=/nix/store")) {
      StorePath path = nixLike.add(source, "x");
      assertThat(path.directory()).isEqualTo("/nix/store");
      assertThat(nixLike.physicalPath(path)).isEqualTo(dir.resolve("n/store/" + path.baseName()));
      assertThat(path.hash()).isNotEqualTo(store.add(source, "x").hash());
    }
  }
}
