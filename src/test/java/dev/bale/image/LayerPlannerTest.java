package dev.bale.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bale.store.StorePath;
import dev.bale.testing.TestStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class LayerPlannerTest {
  private static final Customisation NONE = customisation();

  private static Customisation customisation() {
    try {
      return Customisation.of("/gnu/store", List.of());
    } catch (ImageException e) {
      throw new AssertionError(e);
    }
  }

  /** Returns a closure of {@code count} items: a chain of libraries and leaves using them. */
  static List<ClosureItem> closure(String prefix, int count) {
    List<ClosureItem> items = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      SortedSet<StorePath> references = new TreeSet<>();
      // Item i refers to a few lower-numbered items, so low numbers are the popular ones.
      for (int j : new int[] {i / 2, i / 3, i - 1}) {
        if (j >= 0 && j < i) {
          references.add(TestStore.pathOf("lib" + j));
        }
      }
      String name = i < count - 3 ? "lib" + i : prefix + "-app" + i;
      items.add(
          new ClosureItem(TestStore.pathOf(name), Path.of("/nonexistent"), references, 1000 + i));
    }
    return items;
  }

  @Test
  void plan_150ItemsIn20Layers_putsEveryItemInExactlyOneOf20() {
    List<ClosureItem> closure = closure("a", 150);
    List<Layer> layers = LayerPlanner.plan(closure, 20, NONE);

    assertThat(layers).hasSize(20);
    Map<StorePath, Integer> seen = new HashMap<>();
    layers.forEach(l -> l.items().forEach(i -> seen.merge(i.path(), 1, Integer::sum)));
    assertThat(seen).hasSize(150);
    assertThat(seen.values()).containsOnly(1);
    assertThat(layers.get(19).hasCustomisation()).isTrue();
    assertThat(layers.get(19).items()).isEmpty();
    assertThat(layers.subList(0, 18)).allSatisfy(l -> assertThat(l.items()).hasSize(1));
    assertThat(layers.get(18).items()).hasSize(132);
  }

  @Test
  void plan_fewItems_givesEachItsLayerAndTheCustomisationOne() {
    List<Layer> layers = LayerPlanner.plan(closure("a", 5), 100, NONE);
    assertThat(layers).hasSize(6);
    assertThat(layers.get(0).items().get(0).path()).isEqualTo(TestStore.pathOf("lib0"));
  }

  @Test
  void plan_oneLayer_holdsEverything() {
    List<Layer> layers = LayerPlanner.plan(closure("a", 50), 1, NONE);
    assertThat(layers).hasSize(1);
    assertThat(layers.get(0).items()).hasSize(50);
    assertThat(layers.get(0).hasCustomisation()).isTrue();
  }

  @Test
  void plan_zeroLayers_isAProgrammingError() {
    assertThatThrownBy(() -> LayerPlanner.plan(closure("a", 3), 0, NONE))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void plan_relatedClosures_shareTheLayersOfTheirPopularItems() {
    List<Layer> a = LayerPlanner.plan(closure("a", 150), 20, NONE);
    List<Layer> b = LayerPlanner.plan(closure("b", 150), 20, NONE);
    assertThat(a.subList(0, 18)).isEqualTo(b.subList(0, 18));
    assertThat(a.get(18)).isNotEqualTo(b.get(18));
  }

  @Test
  void rank_popularThenLarge() {
    List<ClosureItem> ranked = LayerPlanner.rank(closure("a", 10));
    assertThat(ranked.get(0).path()).isEqualTo(TestStore.pathOf("lib0"));
    Map<StorePath, Integer> popularity = LayerPlanner.popularity(closure("a", 10));
    for (int i = 1; i < ranked.size(); i++) {
      assertThat(popularity.get(ranked.get(i - 1).path()))
          .isGreaterThanOrEqualTo(popularity.get(ranked.get(i).path()));
    }
  }
}
