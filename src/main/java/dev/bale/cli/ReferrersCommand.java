package dev.bale.cli;

import dev.bale.store.Store;
import dev.bale.store.StoreException;
import dev.bale.store.StorePath;
import java.util.Set;
import picocli.CommandLine.Command;

/** Prints the valid items that refer to ITEM directly, one per line. */
@Command(
    name = "referrers",
    mixinStandardHelpOptions = true,
    description = "Prints the valid items that refer to ITEM directly, one per line.")
final class ReferrersCommand extends EdgesCommand {
  @Override
  Set<StorePath> edges(Store store, StorePath path) throws StoreException {
    return store.referrers(path);
  }
}
