package dev.bale.cli;

/**
 * A command line that parses but makes no sense (an option's value out of range, options that
 * exclude each other); bale prints the message and exits with the usage code.
 */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
