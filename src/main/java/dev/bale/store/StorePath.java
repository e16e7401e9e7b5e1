package dev.bale.store;

import dev.bale.hash.NixBase32;

/**
 * The name of a store item: {@code DIRECTORY/HASH-NAME}, where HASH is 32 Nix base32 characters.
 *
 * <p>Names follow the Nix rules: at most 211 characters of {@code [A-Za-z0-9+-._?=]}, not starting
 * with a dot.
 */
public record StorePath(String directory, String hash, String name)
    implements Comparable<StorePath> {
  /** The number of base32 characters in the hash part. */
  public static final int HASH_LENGTH = 32;

  private static final int MAX_NAME_LENGTH = 211;

  /** Validates the three parts. */
  public StorePath {
    checkDirectory(directory);
    if (hash.length() != HASH_LENGTH || !hash.chars().allMatch(c -> NixBase32.isDigit((char) c))) {
      throw new IllegalArgumentException(
          "'" + hash + "' is not a store path hash (32 Nix base32 characters)");
    }
    checkName(name);
  }

  /**
   * Parses the full path {@code text} as a store path under {@code directory}.
   *
   * @throws IllegalArgumentException if {@code text} is not directly under {@code directory} or its
   *     base name is not {@code HASH-NAME}
   */
  public static StorePath parse(String directory, String text) {
    String prefix = directory + "/";
    if (!text.startsWith(prefix)) {
      throw new IllegalArgumentException(
          "'" + text + "' is not in the store directory '" + directory + "'");
    }
    return fromBaseName(directory, text.substring(prefix.length()));
  }

  /** Parses {@code baseName}, {@code HASH-NAME}, as an item of {@code directory}. */
  public static StorePath fromBaseName(String directory, String baseName) {
    if (baseName.length() < HASH_LENGTH + 2 || baseName.charAt(HASH_LENGTH) != '-') {
      throw new IllegalArgumentException("'" + baseName + "' is not of the form HASH-NAME");
    }
    return new StorePath(
        directory, baseName.substring(0, HASH_LENGTH), baseName.substring(HASH_LENGTH + 1));
  }

  /** Tells whether {@code name} is acceptable as the name part of a store path. */
  public static boolean isValidName(String name) {
    if (name.isEmpty() || name.length() > MAX_NAME_LENGTH || name.startsWith(".")) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "+-._?=".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static void checkName(String name) {
    if (!isValidName(name)) {
      throw new IllegalArgumentException(
          "'"
              + name
              + "' is not a valid store item name (1 to 211 of A-Z a-z 0-9 + - . _ ? =,"
              + " not starting with a dot)");
    }
  }

  static void checkDirectory(String directory) {
    if (!directory.startsWith("/") || directory.endsWith("/") || directory.contains("//")) {
      throw new IllegalArgumentException(
          "store directory '" + directory + "' must be absolute, without a trailing slash");
    }
  }

  /** Returns {@code HASH-NAME}. */
  public String baseName() {
    return hash + "-" + name;
  }

  /** Returns the full path, {@code DIRECTORY/HASH-NAME}. */
  // equals and hashCode are written out: a record's own are bootstrapped through invokedynamic
  // on first use, which costs every run of bale some milliseconds before its first hash map.
  @Override
  public boolean equals(Object other) {
    return other instanceof StorePath path
        && hash.equals(path.hash)
        && name.equals(path.name)
        && directory.equals(path.directory);
  }

  @Override
  public int hashCode() {
    return (directory.hashCode() * 31 + hash.hashCode()) * 31 + name.hashCode();
  }

  @Override
  public String toString() {
    return directory + "/" + baseName();
  }

  /** Orders paths by their full text, as Nix and Guix sort references. */
  @Override
  public int compareTo(StorePath other) {
    return toString().compareTo(other.toString());
  }
}
