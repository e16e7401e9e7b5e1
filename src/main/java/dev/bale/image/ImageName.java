package dev.bale.image;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The name an image is tagged with, {@code REPOSITORY:TAG}, in the form registries accept.
 *
 * @param repository slash-separated lower-case components, optionally after a registry host
 * @param tag up to 128 letters, digits, underscores, dots and dashes, not starting with a dot or
 *     dash
 */
public record ImageName(String repository, String tag) {
  private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
  private static final String HOST =
      "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9-]+)*(?::[0-9]+)?/)?";
  private static final Pattern REPOSITORY =
      Pattern.compile(HOST + COMPONENT + "(?:/" + COMPONENT + ")*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final int MAX_REPOSITORY_LENGTH = 255;

  /** Checks both parts. */
  public ImageName {
    if (repository.length() > MAX_REPOSITORY_LENGTH || !REPOSITORY.matcher(repository).matches()) {
      throw new IllegalArgumentException(
          "image name '"
              + repository
              + "' is not a valid repository (lower-case letters, digits and single . _ -"
              + " between them, components separated by /)");
    }
    if (!TAG.matcher(tag).matches()) {
      throw new IllegalArgumentException(
          "image tag '"
              + tag
              + "' is not valid (1 to 128 of A-Z a-z 0-9 _ . -, not starting with . or -)");
    }
  }

  /**
   * Parses {@code NAME[:TAG]}; the tag defaults to {@code latest}.
   *
   * @throws ImageException if either part is not valid
   */
  public static ImageName parse(String text) throws ImageException {
    int colon = text.lastIndexOf(':');
    boolean hasTag = colon > text.lastIndexOf('/');
    String repository = hasTag ? text.substring(0, colon) : text;
    String tag = hasTag ? text.substring(colon + 1) : "latest";
    try {
      return new ImageName(repository, tag);
    } catch (IllegalArgumentException e) {
      throw new ImageException("cannot use '" + text + "' as an image tag: " + e.getMessage(), e);
    }
  }

  /**
   * Turns any text, such as a store item's name, into a valid repository name: lower case, runs of
   * other characters replaced by one dash, no separator at either end.
   */
  public static String canonicalRepository(String text) {
    String lower = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
    String collapsed = lower.replaceAll("[._-]{2,}", "-").replaceAll("^[._-]+|[._-]+$", "");
    if (collapsed.length() > MAX_REPOSITORY_LENGTH) {
      collapsed = collapsed.substring(0, MAX_REPOSITORY_LENGTH).replaceAll("[._-]+$", "");
    }
    return collapsed.isEmpty() ? "image" : collapsed;
  }

  /** Returns the last component of the repository, for file names. */
  public String shortName() {
    return repository.substring(repository.lastIndexOf('/') + 1);
  }

  /** Returns {@code REPOSITORY:TAG}. */
  @Override
  public String toString() {
    return repository + ":" + tag;
  }
}
