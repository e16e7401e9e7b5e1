package dev.bale.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Runs the {@code bale} command line and exits with its status. */
public final class Main {
  private Main() {}

  /** Runs bale with {@code args}. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs bale with {@code args} on the process's streams and returns the exit code. */
  public static int run(String... args) {
    return run(
        new PrintWriter(System.out, true, StandardCharsets.UTF_8),
        new PrintWriter(System.err, true, StandardCharsets.UTF_8),
        args);
  }

  /**
   * Runs bale with {@code args}, printing to {@code out} and {@code err}; returns the exit code.
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    BaleCommand root = new BaleCommand();
    CommandLine commandLine = BaleCommand.commandLine(root, args);
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setExecutionExceptionHandler(new FailureHandler(root));
    commandLine.setParameterExceptionHandler(new UsageErrorHandler());
    return commandLine.execute(args);
  }
}
