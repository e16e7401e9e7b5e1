package dev.bale.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Prints a failed command's error as one line, {@code bale: MESSAGE: CAUSE...}, with a stack trace
 * only when {@code --stacktrace} was given.
 */
final class FailureHandler implements IExecutionExceptionHandler {
  private final BaleCommand root;

  FailureHandler(BaleCommand root) {
    this.root = root;
  }

  @Override
  public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parsed) {
    PrintWriter err = commandLine.getErr();
    if (e instanceof UsageException) {
      String help = commandLine.getCommandSpec().qualifiedName() + " --help";
      err.println("bale: " + e.getMessage() + " (see '" + help + "')");
      err.flush();
      return ExitCode.USAGE;
    }
    err.println("bale: " + messageChain(e));
    if (root.stacktrace) {
      e.printStackTrace(err);
    }
    err.flush();
    return ExitCode.FAILURE;
  }

  /** Joins the messages of {@code e} and its causes, skipping repeats, on one line. */
  static String messageChain(Throwable e) {
    StringBuilder line = new StringBuilder();
    String previous = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message == null || message.isBlank()) {
        message = t.getClass().getSimpleName();
      }
      if (previous != null && previous.contains(message)) {
        continue;
      }
      if (line.length() > 0) {
        line.append(": ");
      }
      line.append(message.replace('\n', ' '));
      previous = message;
    }
    return line.toString();
  }
}
