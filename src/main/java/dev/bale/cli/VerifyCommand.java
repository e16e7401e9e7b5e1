package dev.bale.cli;

import dev.bale.store.Corruption;
import dev.bale.store.Store;
import dev.bale.store.StoreException;
import dev.bale.store.StorePath;
import dev.bale.store.Verifier;
import java.io.PrintWriter;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Hashes items again and compares them with the database; exit 1 names every corrupt item. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description =
        "Checks ITEMs (default: every valid item) against the NAR hash and size the store"
            + " records; prints each corrupt item on stderr and exits 1 if there is one.")
final class VerifyCommand extends StoreCommand implements Callable<Integer> {
  @Parameters(
      arity = "0..*",
      paramLabel = "ITEM",
      description = "Store paths, HASH-NAME base names or package names such as hello.")
  List<String> items = List.of();

  @Override
  public Integer call() throws StoreException {
    PrintWriter err = spec.commandLine().getErr();
    TerminalEventSink events = TerminalEventSink.forProcess(err, false);
    List<Corruption> corruptions;
    try (Store store = openStore()) {
      Collection<StorePath> paths = items.isEmpty() ? store.validPaths() : resolveAll(store, items);
      corruptions = Verifier.verify(store, paths, events);
    } finally {
      events.finish();
    }
    for (Corruption corruption : corruptions) {
      err.println("bale: '" + corruption.path() + "' is corrupt: " + corruption.reason());
    }
    err.flush();
    return corruptions.isEmpty() ? ExitCode.OK : ExitCode.FAILURE;
  }
}
