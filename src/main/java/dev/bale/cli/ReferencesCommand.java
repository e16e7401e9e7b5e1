package dev.bale.cli;

import dev.bale.store.Store;
import dev.bale.store.StoreException;
import dev.bale.store.StorePath;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Prints the items that ITEM refers to directly, one per line. */
@Command(
    name = "references",
    mixinStandardHelpOptions = true,
    description = "Prints the items that ITEM refers to directly, one per line.")
final class ReferencesCommand extends StoreCommand implements Callable<Integer> {
  @Parameters(
      paramLabel = "ITEM",
      description = "A store path, a HASH-NAME base name or a package name such as hello.")
  String item;

  @Override
  public Integer call() throws StoreException {
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = openStore()) {
      for (StorePath path : store.references(store.resolve(item))) {
        out.println(path);
      }
    }
    out.flush();
    return ExitCode.OK;
  }
}
