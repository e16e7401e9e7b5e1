package dev.bale.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The root command: global options and the list of subcommands.
 *
 * <p>The subcommands are not in the {@code @Command} annotation: picocli would build the model of
 * every one of them, by reflection over each option, for every run, and that is a good part of
 * bale's start-up. {@link #commandLine} adds only the one the arguments name.
 */
@Command(
    name = "bale",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Turns the closures of store items into container images.")
final class BaleCommand implements Runnable {
  /**
   * The subcommands' names, in the order the usage lists them. They repeat those of the {@code
   * Command} annotations (a test checks that they agree): reading the annotations of every command
   * to find the one named took a tenth of a warm pack's start-up.
   */
  static final List<String> SUBCOMMANDS =
      List.of(
          "add",
          "requisites",
          "references",
          "referrers",
          "path-info",
          "verify",
          "gc",
          "archive",
          "pack",
          "push",
          "pull");

  /** Returns a new object of the subcommand {@code name}, one of {@link #SUBCOMMANDS}. */
  static Object subcommand(String name) {
    return switch (name) {
      case "add" -> new AddCommand();
      case "requisites" -> new RequisitesCommand();
      case "references" -> new ReferencesCommand();
      case "referrers" -> new ReferrersCommand();
      case "path-info" -> new PathInfoCommand();
      case "verify" -> new VerifyCommand();
      case "gc" -> new GcCommand();
      case "archive" -> new ArchiveCommand();
      case "pack" -> new PackCommand();
      case "push" -> new PushCommand();
      case "pull" -> new PullCommand();
      default -> throw new IllegalArgumentException("no subcommand " + name);
    };
  }

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

  /**
   * Returns the command line of {@code root} for {@code args}: with only the subcommand that the
   * first argument after the global options names, with none when the arguments ask for the version
   * alone, and with all of them otherwise (no arguments, help, a misspelt command), so that the
   * usage and the suggestions list them all.
   */
  static CommandLine commandLine(BaleCommand root, String... args) {
    if (List.of(args).equals(List.of("--version")) || List.of(args).equals(List.of("-V"))) {
      return new CommandLine(root);
    }
    String named = subcommandName(args);
    boolean known = named != null && SUBCOMMANDS.contains(named);
    CommandLine commandLine = new CommandLine(root);
    for (String name : SUBCOMMANDS) {
      if (!known || name.equals(named)) {
        commandLine.addSubcommand(name, subcommand(name));
      }
    }
    return commandLine;
  }

  /** Returns the first argument that is neither a global option nor its value, or null. */
  private static String subcommandName(String... args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--store")) {
        i++;
      } else if (!args[i].startsWith("-")) {
        return args[i];
      }
    }
    return null;
  }
}
