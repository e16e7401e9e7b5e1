package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bale.store.LocalStore;
import dev.bale.store.StorePath;
import dev.bale.store.Stores;
import dev.bale.testing.Bale;
import dev.bale.testing.ImageValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Packs a 150-item closure and a related one under a layer budget. */
class PackLayersTest {
  @TempDir Path temp;

  /**
   * Adds 148 libraries, each referring to a few lower-numbered ones by naming their store paths,
   * then an application {@code app} referring to the top ones and {@code extra}; returns the
   * application's store path.
   */
  private static List<StorePath> libraries(LocalStore store, Path work) throws Exception {
    List<StorePath> libraries = new ArrayList<>();
    for (int i = 0; i < 148; i++) {
      Path tree = Files.createDirectories(work.resolve("lib" + i));
      StringBuilder content = new StringBuilder("library " + i + "\n");
      for (int j : new int[] {i / 2, i / 3, i - 1}) {
        if (j >= 0 && j < i) {
          content.append(libraries.get(j)).append('\n');
        }
      }
      Files.writeString(tree.resolve("data"), content);
      libraries.add(store.add(tree, "lib" + i));
    }
    return libraries;
  }

  private static StorePath app(LocalStore store, Path work, String name, List<StorePath> libs)
      throws Exception {
    Path tree = Files.createDirectories(work.resolve(name));
    StringBuilder content = new StringBuilder();
    for (StorePath lib : libs.subList(libs.size() - 3, libs.size())) {
      content.append(lib).append('\n');
    }
    Path extra = Files.createDirectories(work.resolve(name + "-extra"));
    Files.writeString(extra.resolve("data"), name);
    content.append(store.add(extra, name + "-extra")).append('\n');
    Files.writeString(tree.resolve("run"), content);
    return store.add(tree, name);
  }

  @Test
  void pack_150ItemsWithMaxLayers20_givesExactly20LayersEachItemInOne() throws Exception {
    Bale bale = new Bale(temp.resolve("store"));
    StorePath first;
    StorePath second;
    try (LocalStore store = Stores.openLocal(bale.storeUri())) {
      List<StorePath> libs = libraries(store, temp.resolve("work"));
      first = app(store, temp.resolve("work"), "app-one", libs);
      second = app(store, temp.resolve("work"), "app-two", libs);
      assertThat(store.requisites(List.of(first))).hasSize(150);
    }

    Path one = temp.resolve("one");
    Path two = temp.resolve("two");
    for (var run :
        List.of(
            List.of(one.toString(), first.toString()),
            List.of(two.toString(), second.toString()))) {
      Bale.Result result =
          bale.run("pack", "-f", "oci-dir", "--max-layers", "20", "-o", run.get(0), run.get(1));
      assertThat(result.exitCode()).as(result.err()).isZero();
    }

    ImageValidator.Checked checked = ImageValidator.ociLayout(one);
    assertThat(checked.layers()).hasSize(20);
    Map<String, Integer> layersPerItem = new HashMap<>();
    for (byte[] layer : checked.layers()) {
      for (var entry : ImageValidator.entries(layer)) {
        String[] parts = entry.getName().split("/");
        if (parts.length == 3 && !entry.getName().endsWith("/data")) {
          layersPerItem.merge(parts[2], 1, Integer::sum);
        }
      }
    }
    assertThat(layersPerItem).hasSize(150);
    assertThat(layersPerItem.values()).containsOnly(1);

    Set<String> shared = new HashSet<>(layerDigests(one));
    shared.retainAll(layerDigests(two));
    // The 18 single-item layers and the customisation layer are shared; the group differs.
    assertThat(shared).hasSize(19);
  }

  private static List<String> layerDigests(Path layout) throws Exception {
    ObjectMapper json = new ObjectMapper();
    JsonNode index = json.readTree(layout.resolve("index.json").toFile());
    String manifest = index.get("manifests").get(0).get("digest").asText().substring(7);
    JsonNode layers =
        json.readTree(layout.resolve("blobs/sha256/" + manifest).toFile()).get("layers");
    List<String> digests = new ArrayList<>();
    layers.forEach(layer -> digests.add(layer.get("digest").asText()));
    return digests;
  }
}
