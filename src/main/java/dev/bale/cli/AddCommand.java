package dev.bale.cli;

import dev.bale.store.LocalStore;
import dev.bale.store.StoreException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Adds files and directories to the embedded store and prints their store paths. */
@Command(
    name = "add",
    mixinStandardHelpOptions = true,
    description = "Adds files or directories to the store and prints their store paths.")
final class AddCommand extends StoreCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or directories to add.")
  List<Path> sources;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description = "The item name (default: the file name of PATH); only with one PATH.")
  String name;

  @Option(
      names = "--root",
      paramLabel = "NAME",
      description =
          "Keep the item from bale gc through the link ROOT/var/bale/gcroots/NAME (replaced if it"
              + " exists); only with one PATH.")
  String root;

  @Override
  public Integer call() throws StoreException {
    if (name != null && sources.size() > 1) {
      throw new UsageException("--name takes one PATH, not " + sources.size());
    }
    if (root != null && sources.size() > 1) {
      throw new UsageException("--root takes one PATH, not " + sources.size());
    }
    if (sources.stream().anyMatch(source -> source.toString().isEmpty())) {
      // An unset shell variable, most likely; it must not mean the current directory.
      throw new UsageException("an empty PATH operand was given");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (LocalStore store = openLocalStore()) {
      for (Path source : sources) {
        String item = name != null ? name : itemName(source);
        out.println(root != null ? store.addRooted(source, item, root) : store.add(source, item));
      }
    }
    out.flush();
    return ExitCode.OK;
  }

  private static String itemName(Path source) {
    Path fileName = source.toAbsolutePath().normalize().getFileName();
    return fileName == null ? "root" : fileName.toString();
  }
}
