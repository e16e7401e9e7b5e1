package dev.bale.cli;

import dev.bale.store.Store;
import dev.bale.store.StoreException;
import dev.bale.store.StorePath;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Prints the valid items that refer to ITEM directly, one per line. */
@Command(
    name = "referrers",
    mixinStandardHelpOptions = true,
    description = "Prints the valid items that refer to ITEM directly, one per line.")
final class ReferrersCommand extends StoreCommand implements Callable<Integer> {
  @Parameters(
      paramLabel = "ITEM",
      description = "A store path, a HASH-NAME base name or a package name such as hello.")
  String item;

  @Override
  public Integer call() throws StoreException {
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = openStore()) {
      for (StorePath path : store.referrers(store.resolve(item))) {
        out.println(path);
      }
    }
    out.flush();
    return ExitCode.OK;
  }
}
