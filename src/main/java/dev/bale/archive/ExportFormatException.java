package dev.bale.archive;

import java.io.IOException;

/**
 * An archive does not follow the export format: it ends early, a marker or length is wrong, or a
 * string is not padded with zeros. The message says at which byte.
 */
public final class ExportFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Creates an exception about the byte at {@code offset}, explained by {@code problem}. */
  public ExportFormatException(long offset, String problem) {
    super("bad export archive at byte " + offset + ": " + problem);
  }

  /** Creates an exception about the byte at {@code offset}, caused by {@code cause}. */
  public ExportFormatException(long offset, String problem, Throwable cause) {
    super("bad export archive at byte " + offset + ": " + problem, cause);
  }
}
