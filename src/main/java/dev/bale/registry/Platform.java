package dev.bale.registry;

/**
 * The operating system and architecture an image runs on, as indexes describe it.
 *
 * @param os such as {@code linux}
 * @param architecture such as {@code amd64} or {@code arm64}
 * @param variant such as {@code v7}, or null
 */
public record Platform(String os, String architecture, String variant) {
  /** Checks the parts. */
  public Platform {
    if (os.isEmpty() || architecture.isEmpty()) {
      throw new IllegalArgumentException("a platform needs an os and an architecture");
    }
    if (variant != null && variant.isEmpty()) {
      variant = null;
    }
  }

  /**
   * Parses {@code os/arch[/variant]}, as {@code --platform} takes it.
   *
   * @throws RegistryException if the text has another shape
   */
  public static Platform parse(String text) throws RegistryException {
    String[] parts = text.split("/", -1);
    if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new RegistryException(
          "bad platform '" + text + "': expected OS/ARCHITECTURE[/VARIANT], such as linux/amd64");
    }
    return new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : null);
  }

  /** Returns {@code os/arch[/variant]}. */
  @Override
  public String toString() {
    return os + "/" + architecture + (variant != null ? "/" + variant : "");
  }
}
