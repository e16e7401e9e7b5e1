package dev.bale.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.event.EventSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several stores on one root, as several processes would open them, adding at the same time. */
class LocalStoreConcurrencyTest {
  private static final int WRITERS = 6;

  @TempDir Path dir;

  @Test
  void add_manyWritersAtOnce_allSucceedAndEachItemIsRegisteredOnce() throws Exception {
    Path root = dir.resolve("root");
    Path shared = Files.createDirectories(dir.resolve("shared"));
    Files.writeString(shared.resolve("file"), "the same for everyone\n");
    CyclicBarrier start = new CyclicBarrier(WRITERS);
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    List<Future<List<StorePath>>> results = new ArrayList<>();
    for (int writer = 0; writer < WRITERS; writer++) {
      Path own = Files.writeString(dir.resolve("own-" + writer), "writer " + writer + "\n");
      results.add(
          pool.submit(
              () -> {
                start.await();
                try (LocalStore store = Stores.openLocal("local?root=" + root)) {
                  StorePath common = store.add(shared, "shared");
                  StorePath mine = store.add(own, own.getFileName().toString());
                  return List.of(common, mine);
                }
              }));
    }
    pool.shutdown();

    Set<StorePath> commons = new HashSet<>();
    Set<StorePath> owns = new HashSet<>();
    for (Future<List<StorePath>> result : results) {
      commons.add(result.get().get(0));
      owns.add(result.get().get(1));
    }
    assertThat(commons).hasSize(1);
    assertThat(owns).hasSize(WRITERS);
    try (LocalStore store = Stores.openLocal("local?root=" + root)) {
      assertThat(store.validPaths()).hasSize(WRITERS + 1).containsAll(commons).containsAll(owns);
      assertThat(Verifier.verify(store, store.validPaths(), EventSink.DISCARD)).isEmpty();
    }
    List<String> rows = StoreSnapshot.of(root).rows();
    assertThat(rows.stream().filter(row -> row.startsWith("ValidPaths|"))).hasSize(WRITERS + 1);
    try (var items = Files.list(root.resolve("store"))) {
      assertThat(items.count()).isEqualTo(WRITERS + 1);
    }
    assertThat(root.resolve("tmp")).isEmptyDirectory();
  }

  @Test
  void open_manyWritersCreateNewStoresTogether_noneIsRefused() throws Exception {
    // Creating a database races on its switch to WAL, which SQLite refuses at once instead of
    // waiting; one round rarely meets the race, forty in a row nearly always did.
    for (int round = 0; round < 40; round++) {
      Path root = dir.resolve("root-" + round);
      CyclicBarrier start = new CyclicBarrier(WRITERS);
      ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
      List<Future<Integer>> results = new ArrayList<>();
      for (int writer = 0; writer < WRITERS; writer++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  try (LocalStore store = Stores.openLocal("local?root=" + root);
                      LayerCacheTable cache = LayerCacheTable.open(root.resolve("layers.sqlite"))) {
                    return store.validPaths().size()
                        + (cache.find("no such key").isPresent() ? 1 : 0);
                  }
                }));
      }
      pool.shutdown();

      for (Future<Integer> result : results) {
        assertThat(result.get()).isZero();
      }
    }
  }
}
