package dev.bale.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;

/** Prints a command-line mistake and where help is as one line, and exits with the usage code. */
final class UsageErrorHandler implements IParameterExceptionHandler {
  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine commandLine = e.getCommandLine();
    PrintWriter err = commandLine.getErr();
    // One line, like every other error, so that scripts and tests can rely on its shape.
    String help = commandLine.getCommandSpec().qualifiedName() + " --help";
    err.println("bale: " + e.getMessage() + " (see '" + help + "')");
    err.flush();
    return ExitCode.USAGE;
  }
}
