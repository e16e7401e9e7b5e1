package dev.bale.image;

import dev.bale.store.StorePath;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Splits a closure into at most a given number of layers so that images of related closures share
 * layers.
 *
 * <p>Items are ranked by popularity, the number of other items of the closure that need them
 * (directly or through others), then by size, largest first, then by store path. While the budget
 * lasts each item gets a layer of its own, most popular first: such a layer depends only on the
 * item, so every image holding the item has the same layer and registries and loaders keep it once.
 * The least popular items, usually the packed items themselves, share one layer. The customisation
 * comes last in a small layer of its own, so changing a symbolic link touches no item layer. A
 * budget of one puts everything in a single layer.
 */
public final class LayerPlanner {
  /** The default layer budget, well under the limits of loaders and registries. */
  public static final int DEFAULT_MAX_LAYERS = 100;

  private LayerPlanner() {}

  /**
   * Returns the layers of an image of {@code closure} with {@code customisation}, at most {@code
   * maxLayers} of them.
   *
   * @throws IllegalArgumentException if {@code maxLayers} is less than 1
   */
  public static List<Layer> plan(
      List<ClosureItem> closure, int maxLayers, Customisation customisation) {
    if (maxLayers < 1) {
      throw new IllegalArgumentException("an image needs at least one layer, not " + maxLayers);
    }
    List<ClosureItem> ranked = rank(closure);
    if (maxLayers == 1 || ranked.isEmpty()) {
      return List.of(new Layer(ranked, customisation));
    }

    int itemLayers = maxLayers - 1;
    List<Layer> layers = new ArrayList<>();
    if (ranked.size() <= itemLayers) {
      ranked.forEach(item -> layers.add(new Layer(List.of(item), null)));
    } else {
      int alone = itemLayers - 1;
      ranked.subList(0, alone).forEach(item -> layers.add(new Layer(List.of(item), null)));
      layers.add(new Layer(ranked.subList(alone, ranked.size()), null));
    }
    layers.add(new Layer(List.of(), customisation));
    return List.copyOf(layers);
  }

  /** Returns the items, most popular first, then largest, then by store path. */
  static List<ClosureItem> rank(List<ClosureItem> closure) {
    Map<StorePath, Integer> popularity = popularity(closure);
    List<ClosureItem> ranked = new ArrayList<>(closure);
    ranked.sort(
        Comparator.comparing((ClosureItem item) -> -popularity.get(item.path()))
            .thenComparing(item -> -item.size())
            .thenComparing(ClosureItem::path));
    return ranked;
  }

  /**
   * Returns, for each item, its popularity: how many other items of the closure need it, directly
   * or through others.
   */
  public static Map<StorePath, Integer> popularity(List<ClosureItem> closure) {
    Map<StorePath, ClosureItem> byPath = new HashMap<>();
    closure.forEach(item -> byPath.put(item.path(), item));
    Map<StorePath, Integer> popularity = new HashMap<>();
    closure.forEach(item -> popularity.put(item.path(), 0));

    for (ClosureItem root : closure) {
      Set<StorePath> seen = new HashSet<>();
      Deque<StorePath> pending = new ArrayDeque<>(root.references());
      while (!pending.isEmpty()) {
        StorePath path = pending.pop();
        ClosureItem item = byPath.get(path);
        if (item == null || path.equals(root.path()) || !seen.add(path)) {
          continue;
        }
        popularity.merge(path, 1, Integer::sum);
        pending.addAll(item.references());
      }
    }
    return popularity;
  }
}
