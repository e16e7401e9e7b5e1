package dev.bale.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bale.event.EventSink;
import dev.bale.event.Level;
import dev.bale.hash.Digest;
import dev.bale.image.docker.DockerArchiveWriter;
import dev.bale.image.oci.OciArchiveWriter;
import dev.bale.image.oci.OciLayoutWriter;
import dev.bale.store.LayerCacheTable;
import dev.bale.store.StorePath;
import dev.bale.testing.ImageValidator;
import dev.bale.testing.TestStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Packs a small closure with and without the layer cache and checks what is read and written. */
class LayerCacheTest {
  @TempDir Path temp;
  private TestStore store;
  private ClosureItem lib;
  private ClosureItem hello;
  private Path cacheFile;
  // NAR hashes as a store database would give them; a test changes one to change an item.
  private final Map<StorePath, Digest> narHashes = new ConcurrentHashMap<>();

  @BeforeEach
  void createClosure() throws Exception {
    store = new TestStore(temp.resolve("store"));
    lib =
        store.add(
            "lib-1",
            tree -> {
              Files.createDirectories(tree.resolve("lib"));
              Files.write(tree.resolve("lib/big"), new byte[200_000]);
            });
    hello =
        store.add(
            "hello-1",
            tree -> {
              Files.createDirectories(tree.resolve("bin"));
              Files.writeString(tree.resolve("bin/hello"), "#!" + lib.path() + "/lib/big\n");
            },
            lib.path());
    for (ClosureItem item : store.items()) {
      narHashes.put(item.path(), hashOf(item.path() + " version 1"));
    }
    cacheFile = temp.resolve("cache.sqlite");
  }

  private static Digest hashOf(String text) {
    return Digest.of(text.getBytes(StandardCharsets.UTF_8));
  }

  private LayerCache cache() throws Exception {
    return cache(LayerWriter.RULES_VERSION);
  }

  private LayerCache cache(int rulesVersion) throws Exception {
    return new LayerCache(
        LayerCacheTable.open(cacheFile), item -> narHashes.get(item.path()), rulesVersion);
  }

  private Image image(Compression compression) throws Exception {
    Customisation customisation =
        Customisation.of(TestStore.DIRECTORY, List.of(new Symlink("/bin", hello.path() + "/bin")));
    ImageConfig config =
        ImageConfig.builder(Platform.forSystem("x86_64-linux"))
            .entrypoint(List.of(hello.path() + "/bin/hello"))
            .build();
    return new Image(
        ImageName.parse("hello:1"),
        config,
        LayerPlanner.plan(store.items(), 100, customisation),
        compression);
  }

  /** Counts the layers a writer builds, from its debug events. */
  private static final class BuildCounter implements EventSink {
    final AtomicInteger built = new AtomicInteger();

    @Override
    public void log(Level level, String message) {
      if (message.startsWith("writing layer")) {
        built.incrementAndGet();
      }
    }

    @Override
    public void progress(String task, long done, long total) {}
  }

  private int packLayout(Image image, Path layout, LayerCache cache) throws Exception {
    BuildCounter counter = new BuildCounter();
    OciLayoutWriter.write(image, layout, counter, cache);
    return counter.built.get();
  }

  private static Map<String, byte[]> files(Path directory) throws Exception {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path file : paths.filter(Files::isRegularFile).toList()) {
        files.put(directory.relativize(file).toString(), Files.readAllBytes(file));
      }
    }
    return files;
  }

  private void deleteStoreTrees() throws Exception {
    try (Stream<Path> paths = Files.walk(temp.resolve("store"))) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        path.toFile().setWritable(true);
        Files.delete(path);
      }
    }
  }

  @Test
  void ociLayout_repackOfUnchangedClosure_readsNoStoreFile() throws Exception {
    Path layout = temp.resolve("layout");
    int coldBuilds;
    try (LayerCache cache = cache()) {
      coldBuilds = packLayout(image(Compression.GZIP), layout, cache);
    }
    Map<String, byte[]> before = files(layout);
    Image image = image(Compression.GZIP);

    // With the store items gone, any attempt to read one fails the pack.
    deleteStoreTrees();
    int warmBuilds;
    try (LayerCache cache = cache()) {
      warmBuilds = packLayout(image, layout, cache);
    }

    assertThat(coldBuilds).isEqualTo(3);
    assertThat(warmBuilds).isZero();
    Map<String, byte[]> after = files(layout);
    assertThat(after.keySet()).isEqualTo(before.keySet());
    after.forEach((name, bytes) -> assertThat(bytes).as(name).isEqualTo(before.get(name)));
    ImageValidator.ociLayout(layout);
  }

  @Test
  void ociLayout_missingBlob_isRebuiltEvenWhenCached() throws Exception {
    Path layout = temp.resolve("layout");
    try (LayerCache cache = cache()) {
      packLayout(image(Compression.GZIP), layout, cache);
      Path other = temp.resolve("other");
      assertThat(packLayout(image(Compression.GZIP), other, cache)).isEqualTo(3);
      assertThat(files(other)).containsOnlyKeys(files(layout).keySet());
    }
  }

  @Test
  void ociLayout_oneItemChanged_rebuildsOnlyItsLayer() throws Exception {
    Path layout = temp.resolve("layout");
    try (LayerCache cache = cache()) {
      packLayout(image(Compression.GZIP), layout, cache);
    }
    Path script = hello.tree().resolve("bin/hello");
    script.toFile().setWritable(true);
    Files.writeString(script, "#!" + lib.path() + "/lib/big changed\n");
    narHashes.put(hello.path(), hashOf(hello.path() + " version 2"));

    int builds;
    WrittenImage warm;
    try (LayerCache cache = cache()) {
      BuildCounter counter = new BuildCounter();
      warm = OciLayoutWriter.write(image(Compression.GZIP), layout, counter, cache);
      builds = counter.built.get();
    }

    assertThat(builds).isEqualTo(1);
    WrittenImage uncached =
        OciLayoutWriter.write(image(Compression.GZIP), temp.resolve("fresh"), EventSink.DISCARD);
    assertThat(warm.manifest()).isEqualTo(uncached.manifest());
    ImageValidator.ociLayout(layout);
  }

  @Test
  void ociLayout_otherCompressionOrRules_missTheCache() throws Exception {
    Path layout = temp.resolve("layout");
    try (LayerCache cache = cache()) {
      packLayout(image(Compression.GZIP), layout, cache);
      assertThat(packLayout(image(Compression.ZSTD), layout, cache)).isEqualTo(3);
      assertThat(packLayout(image(Compression.ZSTD), layout, cache)).isZero();
    }
    try (LayerCache cache = cache(LayerWriter.RULES_VERSION + 1)) {
      assertThat(packLayout(image(Compression.ZSTD), layout, cache)).isEqualTo(3);
    }
  }

  @Test
  void key_changesWithNarHashCompressionAndRules() throws Exception {
    Layer layer = image(Compression.GZIP).layers().get(0);
    List<String> keys = new ArrayList<>();
    try (LayerCache cache = cache()) {
      keys.add(cache.key(layer, Compression.GZIP));
      keys.add(cache.key(layer, Compression.ZSTD));
      keys.add(cache.key(layer, Compression.NONE));
      narHashes.put(layer.items().get(0).path(), hashOf("other"));
      keys.add(cache.key(layer, Compression.GZIP));
    }
    try (LayerCache cache = cache(LayerWriter.RULES_VERSION + 1)) {
      keys.add(cache.key(layer, Compression.GZIP));
    }
    Layer links = new Layer(List.of(), Customisation.of("/gnu/store", List.of()));
    Layer otherDirectory = new Layer(List.of(), Customisation.of("/nix/store", List.of()));
    try (LayerCache cache = cache()) {
      keys.add(cache.key(links, Compression.GZIP));
      keys.add(cache.key(otherDirectory, Compression.GZIP));
    }
    assertThat(keys).doesNotHaveDuplicates().hasSize(7);
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void everyFormat_bytesAreTheSameWithColdWarmAndNoCache(Compression compression) throws Exception {
    byte[] dockerPlain = docker(compression, LayerCache.disabled());
    byte[] ociPlain = oci(compression, LayerCache.disabled());
    Map<String, String> layoutPlain = layout(compression, LayerCache.disabled(), "plain");

    try (LayerCache cache = cache()) {
      assertThat(docker(compression, cache)).isEqualTo(dockerPlain);
      assertThat(docker(compression, cache)).isEqualTo(dockerPlain);
    }
    try (LayerCache cache = cache()) {
      assertThat(oci(compression, cache)).isEqualTo(ociPlain);
      assertThat(layout(compression, cache, "cold")).isEqualTo(layoutPlain);
      assertThat(layout(compression, cache, "warm")).isEqualTo(layoutPlain);
    }
  }

  private static Map<String, String> normalised(Map<String, byte[]> files) {
    Map<String, String> text = new TreeMap<>();
    files.forEach((name, bytes) -> text.put(name, Digest.of(bytes).toString()));
    return text;
  }

  private Map<String, String> layout(Compression compression, LayerCache cache, String name)
      throws Exception {
    Path layout = temp.resolve(name);
    OciLayoutWriter.write(image(compression), layout, EventSink.DISCARD, cache);
    return normalised(files(layout));
  }

  private byte[] docker(Compression compression, LayerCache cache) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DockerArchiveWriter.write(image(compression), out, EventSink.DISCARD, cache);
    return out.toByteArray();
  }

  private byte[] oci(Compression compression, LayerCache cache) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    OciArchiveWriter.write(image(compression), out, EventSink.DISCARD, cache);
    return out.toByteArray();
  }

  @Test
  void ociArchiveStream_wrongCacheEntry_failsAndIsForgotten() throws Exception {
    Image image = image(Compression.GZIP);
    Layer layer = image.layers().get(0);
    try (LayerCache cache = cache()) {
      WrittenLayer real = cache.digests(layer, Compression.GZIP);
      WrittenLayer wrong =
          new WrittenLayer(hashOf("wrong"), real.size(), real.diffId(), real.tarSize());
      cache.record(layer, Compression.GZIP, wrong);

      assertThatThrownBy(() -> oci(Compression.GZIP, cache))
          .hasMessageContaining("cannot write layer '" + layer.description() + "'")
          .hasMessageContaining("run again");
      assertThat(cache.lookup(layer, Compression.GZIP)).isEmpty();
      assertThat(oci(Compression.GZIP, cache)).isEqualTo(oci(Compression.GZIP, cache));
    }
  }

  @Test
  void ociLayout_wrongCacheEntryForAMissingBlob_failsAndIsForgotten() throws Exception {
    // A layer the cache knows is written without computing its diff ID again, so the blob
    // digest is all that vouches for the recorded diff ID: a wrong one must not pass.
    Image image = image(Compression.ZSTD);
    Layer layer = image.layers().get(0);
    try (LayerCache cache = cache()) {
      WrittenLayer real = cache.digests(layer, Compression.ZSTD);
      WrittenLayer wrong =
          new WrittenLayer(hashOf("wrong"), real.size(), hashOf("wrong too"), real.tarSize());
      cache.record(layer, Compression.ZSTD, wrong);

      assertThatThrownBy(() -> layout(Compression.ZSTD, cache, "wrong"))
          .hasMessageContaining("cannot write layer '" + layer.description() + "'")
          .hasMessageContaining("run again");
      assertThat(cache.lookup(layer, Compression.ZSTD)).isEmpty();
      assertThat(layout(Compression.ZSTD, cache, "again"))
          .isEqualTo(layout(Compression.ZSTD, LayerCache.disabled(), "plain"));
      assertThat(cache.lookup(layer, Compression.ZSTD)).contains(real);
    }
  }

  @Test
  void concurrentPacks_sharingOneCache_areSafeAndAgree() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Map<String, String>>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String name = "layout-" + i;
        Compression compression = i % 2 == 0 ? Compression.GZIP : Compression.ZSTD;
        results.add(
            pool.submit(
                () -> {
                  // Each pack opens its own connection, as separate processes do.
                  try (LayerCache cache = cache()) {
                    return layout(compression, cache, name);
                  }
                }));
      }
      List<Map<String, String>> layouts = new ArrayList<>();
      for (Future<Map<String, String>> result : results) {
        layouts.add(result.get());
      }
      for (int i = 2; i < layouts.size(); i++) {
        assertThat(layouts.get(i)).isEqualTo(layouts.get(i % 2));
      }
    } finally {
      pool.shutdownNow();
    }
    try (LayerCache cache = cache()) {
      assertThat(packLayout(image(Compression.GZIP), temp.resolve("layout-0"), cache)).isZero();
      assertThat(packLayout(image(Compression.ZSTD), temp.resolve("layout-1"), cache)).isZero();
    }
  }

  @Test
  void ociLayout_failingLayer_leavesNoTemporaryFile() throws Exception {
    Path layout = temp.resolve("layout");
    Image image = image(Compression.GZIP);
    deleteStoreTrees();

    assertThatThrownBy(() -> OciLayoutWriter.write(image, layout, EventSink.DISCARD))
        .isInstanceOf(IOException.class);
    try (Stream<Path> names = Files.list(layout.resolve("blobs/sha256"))) {
      // A layer that finished first may stay as an unreferenced blob; nothing half-written may.
      assertThat(names.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
    }
    assertThat(layout.resolve("index.json")).doesNotExist();
  }
}
