package dev.bale.cli;

/** The exit codes of bale, as scripts see them. */
final class ExitCode {
  /** The command did what it was asked. */
  static final int OK = 0;

  /** The command failed: bad input, an unknown item, a corrupt archive, a registry error. */
  static final int FAILURE = 1;

  /** The command line itself was wrong: unknown option, missing argument. */
  static final int USAGE = 2;

  private ExitCode() {}
}
