package dev.bale.cli;

import picocli.CommandLine;

/** Runs the {@code bale} command line and exits with its status. */
public final class Main {
  private Main() {}

  /** Runs bale with {@code args}. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs bale with {@code args} and returns the exit code instead of exiting. */
  public static int run(String... args) {
    BaleCommand root = new BaleCommand();
    CommandLine commandLine = new CommandLine(root);
    commandLine.setExecutionExceptionHandler(new FailureHandler(root));
    commandLine.setParameterExceptionHandler(new UsageErrorHandler());
    return commandLine.execute(args);
  }
}
