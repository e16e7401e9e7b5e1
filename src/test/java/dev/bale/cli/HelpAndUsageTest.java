package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine.Command;

/** Runs help, version and usage mistakes through {@link Main#run}, as a user would meet them. */
class HelpAndUsageTest {
  private static final List<String> COMMANDS =
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

  private record Result(int code, String out, String err) {}

  private static Result bale(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Result(code, out.toString(), err.toString());
  }

  static Stream<String> commands() {
    return COMMANDS.stream();
  }

  @Test
  void commands_listedHere_areExactlyTheSubcommands() {
    assertThat(BaleCommand.commandLine(new BaleCommand()).getSubcommands().keySet())
        .containsExactlyElementsOf(COMMANDS);
  }

  @Test
  void subcommandNames_areThoseOfTheirCommandAnnotations() {
    for (String name : BaleCommand.SUBCOMMANDS) {
      Object command = BaleCommand.subcommand(name);

      assertThat(command.getClass().getAnnotation(Command.class).name())
          .as(command.getClass().getSimpleName())
          .isEqualTo(name);
    }
  }

  @Test
  void commandLine_namedCommand_getsTheModelOfThatCommandAlone() {
    String[] args = {"--store", "push", "--stacktrace", "pack", "--format=oci-dir", "push"};

    assertThat(BaleCommand.commandLine(new BaleCommand(), args).getSubcommands().keySet())
        .containsExactly("pack");
    assertThat(BaleCommand.commandLine(new BaleCommand(), "--store=guix", "gc").getSubcommands())
        .containsOnlyKeys("gc");
  }

  @Test
  void commandLine_versionAlone_getsNoCommand() {
    assertThat(BaleCommand.commandLine(new BaleCommand(), "--version").getSubcommands()).isEmpty();
    assertThat(BaleCommand.commandLine(new BaleCommand(), "-V").getSubcommands()).isEmpty();
  }

  @Test
  void commandLine_noOrUnknownCommand_getsEveryCommand() {
    for (String[] args :
        List.of(new String[] {}, new String[] {"--help"}, new String[] {"--store", "x", "pakc"})) {
      assertThat(BaleCommand.commandLine(new BaleCommand(), args).getSubcommands().keySet())
          .containsExactlyElementsOf(COMMANDS);
    }
  }

  @Test
  void help_printsUsageWithGlobalOptionsAndEveryCommand() {
    Result result = bale("--help");

    assertThat(result.code()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(result.out())
        .startsWith("Usage: bale [-hV] [--stacktrace] [--store=URI] [COMMAND]")
        .contains("Turns the closures of store items into container images.")
        .contains("--store=URI", "--stacktrace", "-h, --help", "-V, --version");
    for (String command : COMMANDS) {
      assertThat(result.out()).containsPattern("(?m)^  " + command + " ");
    }
  }

  @Test
  void noArguments_printsTheSameUsage() {
    Result result = bale();

    assertThat(result.code()).isZero();
    assertThat(result.out()).isEqualTo(bale("--help").out());
  }

  @ParameterizedTest
  @MethodSource("commands")
  void commandHelp_printsItsOwnUsageAndExitsZero(String command) {
    Result result = bale(command, "--help");
    String description =
        BaleCommand.commandLine(new BaleCommand())
            .getSubcommands()
            .get(command)
            .getCommandSpec()
            .usageMessage()
            .description()[0];

    assertThat(result.code()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(result.out()).startsWith("Usage: bale " + command + " ").contains("-h, --help");
    // Help wraps the description to the terminal width.
    assertThat(result.out().replaceAll("\\s+", " ")).contains(description.replaceAll("\\s+", " "));
    assertThat(bale("--store", "local?root=/nonexistent/never", command, "-h").out())
        .isEqualTo(result.out());
  }

  @Test
  void version_printsBaleAndTheVersion() {
    Result result = bale("--version");
    String version = Main.class.getPackage().getImplementationVersion();

    assertThat(result.code()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(result.out())
        .isEqualTo("bale " + (version == null ? "(development build)" : version) + "\n");
    assertThat(bale("-V").out()).isEqualTo(result.out());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--bogus | bale: Unknown option: '--bogus' (see 'bale --help')",
        "frobnicate | bale: Unmatched argument at index 0: 'frobnicate' (see 'bale --help')",
        "add --bogus /x | bale: Unknown option: '--bogus' (see 'bale add --help')",
        "path-info --jsn x | bale: Unknown option: '--jsn' (see 'bale path-info --help')",
        "references | bale: Missing required parameter: 'ITEM' (see 'bale references --help')",
        "--store | bale: Missing required parameter for option '--store' (URI) (see 'bale"
            + " --help')",
      })
  void badUsage_exitsTwoWithOneLine(String args, String line) {
    Result result = bale(args.split(" "));

    assertThat(result.code()).isEqualTo(ExitCode.USAGE).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo(line + "\n");
  }

  @Test
  void commandUsageMistake_foundWhileRunning_isAlsoOneLine() {
    Result result = bale("--store", "local?root=/nonexistent/never", "archive");

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err().lines())
        .singleElement()
        .asString()
        .startsWith("bale: ")
        .endsWith(" (see 'bale archive --help')");
  }
}
