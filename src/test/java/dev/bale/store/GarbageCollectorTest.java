package dev.bale.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bale.event.EventSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GarbageCollectorTest {
  @TempDir Path dir;
  Path root;
  LocalStore store;
  StorePath lib;
  StorePath app;
  StorePath loose;

  @BeforeEach
  void fill() throws Exception {
    root = dir.resolve("root");
    store = Stores.openLocal("local?root=" + root);
    lib = store.add(Files.writeString(dir.resolve("lib"), "library\n"), "lib");
    Path appTree = Files.createDirectories(dir.resolve("app"));
    Files.writeString(appTree.resolve("config"), "uses " + lib + "\n");
    app = store.add(appTree, "app");
    loose = store.add(Files.writeString(dir.resolve("loose"), "no one needs this\n"), "loose");
  }

  private void link(String name, String target) throws Exception {
    Files.createDirectories(store.gcRootsDirectory());
    Files.createSymbolicLink(store.gcRootsDirectory().resolve(name), Path.of(target));
  }

  @Test
  void collect_linkedRoot_keepsItsClosureAndDeletesTheRest() throws Exception {
    link("app", app.toString());

    GarbageCollector.Report report =
        GarbageCollector.collect(store, List.of(), false, EventSink.DISCARD);

    assertThat(report.deleted()).containsExactly(loose);
    assertThat(report.bytes()).isEqualTo("no one needs this\n".length());
    assertThat(store.validPaths()).containsExactlyInAnyOrder(lib, app);
    assertThat(store.physicalPath(loose)).doesNotExist();
    assertThat(Verifier.verify(store, store.validPaths(), EventSink.DISCARD)).isEmpty();
    assertThat(root.resolve("tmp")).isEmptyDirectory();
  }

  @Test
  void collect_physicalLinkAndGivenRoot_bothKeep() throws Exception {
    link("physical", store.physicalPath(lib).toString());

    GarbageCollector.Report report =
        GarbageCollector.collect(store, List.of(loose), false, EventSink.DISCARD);

    assertThat(report.deleted()).containsExactly(app);
    assertThat(store.validPaths()).containsExactlyInAnyOrder(lib, loose);
  }

  @Test
  void collect_noRoots_deletesEverythingWithReferrersFirst() throws Exception {
    GarbageCollector.Report report =
        GarbageCollector.collect(store, List.of(), false, EventSink.DISCARD);

    assertThat(report.deleted()).containsExactlyInAnyOrder(lib, app, loose);
    assertThat(store.validPaths()).isEmpty();
    assertThat(root.resolve("store")).isEmptyDirectory();
    assertThat(StoreSnapshot.of(root).rows()).noneMatch(row -> row.startsWith("Refs|"));
  }

  @Test
  void collect_dryRun_reportsTheSameAndChangesNothing() throws Exception {
    link("app", app.toString());
    StoreSnapshot before = StoreSnapshot.of(root);

    GarbageCollector.Report report =
        GarbageCollector.collect(store, List.of(), true, EventSink.DISCARD);

    assertThat(report.deleted()).containsExactly(loose);
    assertThat(report.bytes()).isEqualTo("no one needs this\n".length());
    assertThat(StoreSnapshot.of(root)).isEqualTo(before);
  }

  @Test
  void collect_treeWithoutRow_isDeletedAndForeignNamesStay() throws Exception {
    link("all-of-them", app.toString());
    link("loose", loose.toString());
    StorePath stray = StorePath.fromBaseName(store.directory(), "0".repeat(32) + "-stray");
    Files.writeString(store.physicalPath(stray), "left by a killed writer\n");
    Path foreign = Files.writeString(root.resolve("store/not-an-item"), "mine\n");

    GarbageCollector.Report report =
        GarbageCollector.collect(store, List.of(), false, EventSink.DISCARD);

    assertThat(report.deleted()).containsExactly(stray);
    assertThat(store.physicalPath(stray)).doesNotExist();
    assertThat(foreign).exists();
    assertThat(store.validPaths()).containsExactlyInAnyOrder(lib, app, loose);
  }

  @Test
  void collect_brokenLinks_areIgnoredWithAWarning() throws Exception {
    link("elsewhere", dir.resolve("lib").toString());
    link("gone", StorePath.fromBaseName(store.directory(), "1".repeat(32) + "-gone").toString());
    StringBuilder warnings = new StringBuilder();
    EventSink events =
        new EventSink() {
          @Override
          public void log(dev.bale.event.Level level, String message) {
            warnings.append(level).append(' ').append(message).append('\n');
          }

          @Override
          public void progress(String task, long done, long total) {}
        };

    GarbageCollector.collect(store, List.of(lib), false, events);

    assertThat(warnings.toString().lines()).hasSize(2).allMatch(line -> line.startsWith("WARN"));
    assertThat(store.validPaths()).containsExactly(lib);
  }

  @Test
  void collect_invalidGivenRoot_failsAndChangesNothing() throws Exception {
    StorePath gone = StorePath.fromBaseName(store.directory(), "1".repeat(32) + "-gone");
    StoreSnapshot before = StoreSnapshot.of(root);

    assertThatThrownBy(
            () -> GarbageCollector.collect(store, List.of(gone), false, EventSink.DISCARD))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("'" + gone + "' is not a valid item");
    assertThat(StoreSnapshot.of(root)).isEqualTo(before);
  }

  @Test
  void collect_rootsInTheFormerDirectory_isRefusedAndDeletesNothing() throws Exception {
    StorePath item = store.add(Files.writeString(dir.resolve("item"), "i\n"), "item");
    Path former = Files.createDirectories(root.resolve("gcroots"));
    Files.createSymbolicLink(former.resolve("old"), Path.of(item.toString()));
    StoreSnapshot before = StoreSnapshot.of(root);

    assertThatThrownBy(() -> GarbageCollector.collect(store, List.of(), false, EventSink.DISCARD))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("'" + former + "' is where earlier versions of bale kept gc roots")
        .hasMessageEndingWith("move its links to '" + store.gcRootsDirectory() + "'");
    assertThat(StoreSnapshot.of(root)).isEqualTo(before);
    assertThat(store.gcRootsDirectory()).isEqualTo(root.resolve("var/bale/gcroots"));
  }

  @Test
  void addRooted_makesALinkTheCollectorKeeps() throws Exception {
    StorePath kept = store.addRooted(Files.writeString(dir.resolve("kept"), "k\n"), "kept", "k");

    GarbageCollector.collect(store, List.of(), false, EventSink.DISCARD);

    assertThat(Files.readSymbolicLink(store.gcRootsDirectory().resolve("k")))
        .isEqualTo(Path.of(kept.toString()));
    assertThat(store.validPaths()).containsExactly(kept);
  }

  /**
   * Writers keep adding a base item and an item referring to it while collectors in other stores on
   * the same root delete everything unrooted: each add either registers an item whose references
   * are valid or fails naming the reference that vanished, and the store stays whole.
   */
  @Test
  void collect_concurrentWithAdds_neverLeavesADanglingReferenceOrAHalfItem() throws Exception {
    store.close();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
    AtomicInteger added = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger collected = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(3);
    List<Future<?>> tasks =
        Stream.of(0, 1)
            .<Future<?>>map(
                writer ->
                    pool.submit(
                        () -> {
                          addUntil(deadline, writer, added, refused);
                          return null;
                        }))
            .collect(java.util.stream.Collectors.toList());
    tasks.add(
        pool.submit(
            () -> {
              try (LocalStore collector = Stores.openLocal("local?root=" + root)) {
                while (System.nanoTime() < deadline) {
                  collected.addAndGet(
                      GarbageCollector.collect(collector, List.of(), false, EventSink.DISCARD)
                          .deleted()
                          .size());
                }
              }
              return null;
            }));
    pool.shutdown();
    for (Future<?> task : tasks) {
      task.get(60, TimeUnit.SECONDS);
    }

    System.out.printf(
        "gc stress: %d pairs added, %d adds refused, %d items collected%n",
        added.get(), refused.get(), collected.get());
    assertThat(added.get()).isPositive();
    assertThat(collected.get()).isPositive();
    try (LocalStore after = Stores.openLocal("local?root=" + root)) {
      assertThat(Verifier.verify(after, after.validPaths(), EventSink.DISCARD)).isEmpty();
      Set<StorePath> valid = after.validPaths();
      for (StorePath path : valid) {
        assertThat(valid).containsAll(after.references(path));
      }
      try (Stream<Path> trees = Files.list(root.resolve("store"))) {
        assertThat(trees.map(tree -> tree.getFileName().toString()))
            .containsExactlyInAnyOrderElementsOf(valid.stream().map(StorePath::baseName).toList());
      }
    }
    assertThat(root.resolve("tmp")).isEmptyDirectory();
  }

  private void addUntil(long deadline, int writer, AtomicInteger added, AtomicInteger refused)
      throws Exception {
    Path base = Files.writeString(dir.resolve("base-" + writer), "base " + writer + "\n");
    try (LocalStore writing = Stores.openLocal("local?root=" + root)) {
      for (int round = 0; System.nanoTime() < deadline; round++) {
        Path user = Files.createDirectories(dir.resolve("user-" + writer + "-" + round));
        try {
          StorePath basePath = writing.add(base, "base");
          Files.writeString(user.resolve("link"), basePath + " round " + round + "\n");
          StorePath userPath = writing.add(user, "user");
          // The base may be collected before the user is scanned, which then refers to nothing;
          // the user itself may be collected already.
          writing
              .pathInfo(userPath)
              .ifPresent(info -> assertThat(info.references()).isSubsetOf(basePath));
          added.incrementAndGet();
        } catch (StoreException e) {
          assertThat(e).hasMessageContaining("is not a valid item");
          refused.incrementAndGet();
        }
      }
    }
  }
}
