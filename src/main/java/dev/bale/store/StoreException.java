package dev.bale.store;

/**
 * A store operation failed for a reason the user can act on: an unknown item, a corrupt item, a
 * database that cannot be opened, a write to a read-only store.
 */
public class StoreException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message that names the offending value. */
  public StoreException(String message) {
    super(message);
  }

  /** Creates an exception with a message and the failure that caused it. */
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
