package dev.bale.archive;

/**
 * An export or import was refused for a reason the user can act on: an item that is not valid, an
 * archive that is damaged or names items outside the store, a reference that cannot be satisfied, a
 * signature that cannot be checked.
 */
public class ArchiveException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message that names the offending value. */
  public ArchiveException(String message) {
    super(message);
  }

  /** Creates an exception with a message and the failure that caused it. */
  public ArchiveException(String message, Throwable cause) {
    super(message, cause);
  }
}
