package dev.bale.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The root command: global options and the list of subcommands. */
@Command(
    name = "bale",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Turns the closures of store items into container images.",
    subcommands = {
      AddCommand.class,
      RequisitesCommand.class,
      ReferencesCommand.class,
      ReferrersCommand.class,
      PathInfoCommand.class,
      VerifyCommand.class,
      GcCommand.class,
      ArchiveCommand.class,
      PackCommand.class,
      PushCommand.class,
      PullCommand.class,
    })
final class BaleCommand implements Runnable {
  @Spec CommandSpec spec;

  @Option(
      names = "--store",
      paramLabel = "URI",
      defaultValue = "${env:BALE_STORE:-local}",
      description =
          "The store: local (the embedded store, default), local?root=DIR&store-dir=DIR, guix or"
              + " nix. Default: $BALE_STORE, else local.")
  String store;

  @Option(names = "--stacktrace", description = "Print the stack trace of a failure.")
  boolean stacktrace;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
