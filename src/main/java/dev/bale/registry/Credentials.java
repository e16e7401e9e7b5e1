package dev.bale.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A user name and password for a registry. {@link #toString()} hides both, so that credentials
 * never reach a log line or an exception message by accident.
 */
public record Credentials(String username, String password) {
  /** Checks that both parts are present. */
  public Credentials {
    if (username.isEmpty()) {
      throw new IllegalArgumentException("the user name is empty");
    }
  }

  /**
   * Parses {@code USER:PASSWORD}, as {@code --creds} takes it.
   *
   * @throws RegistryException if there is no colon or no user name; the message never shows the
   *     text
   */
  public static Credentials parse(String text, String where) throws RegistryException {
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw new RegistryException(
          "bad credentials in " + where + ": expected USER:PASSWORD (the value is not shown)");
    }
    return new Credentials(text.substring(0, colon), text.substring(colon + 1));
  }

  /** Returns the value of an HTTP {@code Authorization: Basic} header. */
  String basicAuthorization() {
    String pair = username + ":" + password;
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "Credentials[hidden]";
  }
}
