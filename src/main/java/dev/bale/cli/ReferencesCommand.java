package dev.bale.cli;

import dev.bale.store.Store;
import dev.bale.store.StoreException;
import dev.bale.store.StorePath;
import java.util.Set;
import picocli.CommandLine.Command;

/** Prints the items that ITEM refers to directly, one per line. */
@Command(
    name = "references",
    mixinStandardHelpOptions = true,
    description = "Prints the items that ITEM refers to directly, one per line.")
final class ReferencesCommand extends EdgesCommand {
  @Override
  Set<StorePath> edges(Store store, StorePath path) throws StoreException {
    return store.references(path);
  }
}
