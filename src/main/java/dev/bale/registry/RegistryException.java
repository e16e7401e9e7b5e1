package dev.bale.registry;

/**
 * A registry operation failed for a reason the user can act on: a bad reference, rejected
 * credentials, a missing repository, a registry that cannot be reached or keeps failing. Messages
 * name the registry and repository and never contain credentials.
 */
public class RegistryException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message that names the registry and repository. */
  public RegistryException(String message) {
    super(message);
  }

  /** Creates an exception with a message and the failure that caused it. */
  public RegistryException(String message, Throwable cause) {
    super(message, cause);
  }
}
