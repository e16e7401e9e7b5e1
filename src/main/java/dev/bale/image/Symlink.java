package dev.bale.image;

/**
 * A symbolic link an image gets outside the store, such as {@code /bin} pointing into the packed
 * item.
 *
 * @param link the absolute path of the link in the image, such as {@code /bin}
 * @param target what the link points to, usually an absolute path into the store
 */
public record Symlink(String link, String target) {
  /** Checks that the link is absolute and normal, and the target not empty. */
  public Symlink {
    if (!link.startsWith("/")
        || link.equals("/")
        || link.endsWith("/")
        || link.contains("//")
        || ("/" + link + "/").contains("/./")
        || ("/" + link + "/").contains("/../")) {
      throw new IllegalArgumentException(
          "symbolic link '" + link + "' must be an absolute path without . or .. components");
    }
    if (target.isEmpty()) {
      throw new IllegalArgumentException("symbolic link '" + link + "' has an empty target");
    }
  }
}
