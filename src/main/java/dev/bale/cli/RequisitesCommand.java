package dev.bale.cli;

import dev.bale.store.Store;
import dev.bale.store.StoreException;
import dev.bale.store.StorePath;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Prints the closure of items, one store path per line, like {@code nix-store -qR}. */
@Command(
    name = "requisites",
    mixinStandardHelpOptions = true,
    description = "Prints the closure of ITEMs: them and everything they refer to, transitively.")
final class RequisitesCommand extends StoreCommand implements Callable<Integer> {
  @Parameters(
      arity = "1..*",
      paramLabel = "ITEM",
      description = "Store paths, HASH-NAME base names or package names such as hello.")
  List<String> items;

  @Override
  public Integer call() throws StoreException {
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = openStore()) {
      List<StorePath> roots = resolveAll(store, items);
      for (StorePath path : store.topologicalOrder(store.requisites(roots))) {
        out.println(path);
      }
    }
    out.flush();
    return ExitCode.OK;
  }
}
