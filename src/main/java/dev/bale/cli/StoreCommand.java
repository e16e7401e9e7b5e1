package dev.bale.cli;

import dev.bale.store.LocalStore;
import dev.bale.store.Store;
import dev.bale.store.StoreException;
import dev.bale.store.StorePath;
import dev.bale.store.Stores;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A subcommand that works on the store chosen by the root command's {@code --store} option, at any
 * depth of nesting. Subclasses call {@link #openStore()} or {@link #openLocalStore()} in a
 * try-with-resources block.
 */
abstract class StoreCommand {
  @Spec CommandSpec spec;

  /** Returns the store URI given to {@code bale --store}, or its default. */
  String storeUri() {
    return ((BaleCommand) spec.root().userObject()).store;
  }

  /** Opens the chosen store for reading. */
  Store openStore() throws StoreException {
    return Stores.open(storeUri());
  }

  /** Opens the chosen store for writing; a Guix or Nix store is refused with a clear error. */
  LocalStore openLocalStore() throws StoreException {
    return Stores.openLocal(storeUri());
  }

  /** Resolves each of {@code items} (store paths, base names or package names) in {@code store}. */
  static List<StorePath> resolveAll(Store store, List<String> items) throws StoreException {
    List<StorePath> paths = new ArrayList<>();
    for (String item : items) {
      paths.add(store.resolve(item));
    }
    return paths;
  }
}
