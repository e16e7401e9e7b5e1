package dev.bale.image;

/**
 * An image cannot be built as asked: an unknown system, a bad tag, an entry point or symbolic link
 * that does not fit the closure, a layer budget too small.
 */
public class ImageException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message that names the offending value. */
  public ImageException(String message) {
    super(message);
  }

  /** Creates an exception with a message and the failure that caused it. */
  public ImageException(String message, Throwable cause) {
    super(message, cause);
  }
}
