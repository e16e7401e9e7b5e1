package dev.bale.cli;

import dev.bale.store.GarbageCollector;
import dev.bale.store.LocalStore;
import dev.bale.store.StoreException;
import dev.bale.store.StorePath;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Deletes the items of the embedded store that no root reaches. */
@Command(
    name = "gc",
    mixinStandardHelpOptions = true,
    description = {
      "Deletes the items of the embedded store that no root reaches and prints their store paths;"
          + " stderr tells the bytes freed.",
      "Roots: the items that the symbolic links in ROOT/var/bale/gcroots point to (bale add"
          + " --root NAME makes one), and each --root."
    })
final class GcCommand extends StoreCommand implements Callable<Integer> {
  @Option(names = "--dry-run", description = "Print what would be deleted; delete nothing.")
  boolean dryRun;

  @Option(
      names = "--root",
      paramLabel = "ITEM",
      description = "Also keep ITEM and its closure (a store path, base name or package name).")
  List<String> roots = List.of();

  @Override
  public Integer call() throws StoreException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    TerminalEventSink events = TerminalEventSink.forProcess(err, false);
    GarbageCollector.Report report;
    try (LocalStore store = openLocalStore()) {
      List<StorePath> paths = resolveAll(store, roots);
      report = GarbageCollector.collect(store, paths, dryRun, events);
    } finally {
      events.finish();
    }
    for (StorePath path : report.deleted()) {
      out.println(path);
    }
    out.flush();
    err.printf(
        "bale: %s %d items, %s %d bytes%n",
        dryRun ? "would delete" : "deleted",
        report.deleted().size(),
        dryRun ? "would free" : "freed",
        report.bytes());
    err.flush();
    return ExitCode.OK;
  }
}
