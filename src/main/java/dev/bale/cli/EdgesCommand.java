package dev.bale.cli;

import dev.bale.store.Store;
import dev.bale.store.StoreException;
import dev.bale.store.StorePath;
import java.io.PrintWriter;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Parameters;

/** Prints one kind of direct edge of ITEM in the reference graph, one item per line. */
abstract class EdgesCommand extends StoreCommand implements Callable<Integer> {
  @Parameters(
      paramLabel = "ITEM",
      description = "A store path, a HASH-NAME base name or a package name such as hello.")
  String item;

  /** Returns the items at the other end of {@code path}'s edges. */
  abstract Set<StorePath> edges(Store store, StorePath path) throws StoreException;

  @Override
  public Integer call() throws StoreException {
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = openStore()) {
      for (StorePath path : edges(store, store.resolve(item))) {
        out.println(path);
      }
    }
    out.flush();
    return ExitCode.OK;
  }
}
