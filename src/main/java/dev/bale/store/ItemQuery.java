package dev.bale.store;

import dev.bale.hash.NixBase32;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Resolves what a user typed as an ITEM into one valid store path: a full store path (possibly with
 * a file inside the item after it), a base name {@code HASH-NAME}, a bare hash part, or a package
 * name such as {@code hello} or {@code hello-2.12}.
 */
final class ItemQuery {
  /** How many candidates an ambiguity error lists before eliding the rest. */
  private static final int MAX_LISTED = 10;

  private static final String DERIVATION_SUFFIX = ".drv";

  private ItemQuery() {}

  static StorePath resolve(DatabaseStore store, String item) throws SQLException, StoreException {
    String prefix = store.directory() + "/";
    if (item.startsWith(prefix)) {
      String rest = item.substring(prefix.length());
      int slash = rest.indexOf('/');
      return resolveBaseName(store, item, slash < 0 ? rest : rest.substring(0, slash));
    }
    if (item.startsWith("/")) {
      throw new StoreException(
          "cannot resolve '%s': it is not in the store directory '%s' of store '%s'"
              .formatted(item, store.directory(), store.uri()));
    }
    if (looksLikeBaseName(item)) {
      return resolveBaseName(store, item, item);
    }
    if (item.length() == StorePath.HASH_LENGTH && isHash(item)) {
      return unique(store, item, store.validPathsStartingWith(prefix + item + "-"));
    }
    return resolvePackageName(store, item);
  }

  private static boolean looksLikeBaseName(String item) {
    return item.length() > StorePath.HASH_LENGTH + 1
        && item.charAt(StorePath.HASH_LENGTH) == '-'
        && isHash(item.substring(0, StorePath.HASH_LENGTH));
  }

  private static boolean isHash(String text) {
    return text.chars().allMatch(c -> NixBase32.isDigit((char) c));
  }

  private static StorePath resolveBaseName(DatabaseStore store, String item, String baseName)
      throws SQLException, StoreException {
    StorePath path;
    try {
      path = StorePath.fromBaseName(store.directory(), baseName);
    } catch (IllegalArgumentException e) {
      throw new StoreException("cannot resolve '" + item + "': it is not a store path", e);
    }
    if (store.database.id(path).isEmpty()) {
      throw store.notValid(path);
    }
    return path;
  }

  private static StorePath resolvePackageName(DatabaseStore store, String item)
      throws SQLException, StoreException {
    List<StorePath> matches =
        store.database.validPaths().stream()
            .filter(path -> matchesPackage(path.name(), item))
            .collect(Collectors.toList());
    return unique(store, item, matches);
  }

  /**
   * Tells whether the item name {@code name} is package {@code item}: the same, or {@code item}
   * followed by a dash and a version starting with a digit ({@code hello} matches {@code
   * hello-2.12} but not {@code hello-world}); derivations ({@code hello-2.12.drv}) only match a
   * name that ends in {@code .drv} too.
   */
  static boolean matchesPackage(String name, String item) {
    if (name.equals(item)) {
      return true;
    }
    // A package name means what was built, not the derivation that built it.
    if (name.endsWith(DERIVATION_SUFFIX) && !item.endsWith(DERIVATION_SUFFIX)) {
      return false;
    }
    return name.length() > item.length() + 1
        && name.startsWith(item)
        && name.charAt(item.length()) == '-'
        && Character.isDigit(name.charAt(item.length() + 1));
  }

  private static StorePath unique(DatabaseStore store, String item, Collection<StorePath> matches)
      throws StoreException {
    if (matches.size() == 1) {
      return matches.iterator().next();
    }
    if (matches.isEmpty()) {
      throw new StoreException(
          String.format(
              "no valid item of store '%s' matches '%s'; give a store path, HASH-NAME or a package"
                  + " name such as hello-2.12",
              store.uri(), item));
    }
    String listed =
        matches.stream()
            .limit(MAX_LISTED)
            .map(StorePath::toString)
            .collect(Collectors.joining(", "));
    String more =
        matches.size() > MAX_LISTED ? " and " + (matches.size() - MAX_LISTED) + " more" : "";
    throw new StoreException(
        "'%s' matches %d items of store '%s' (%s%s); give the full store path"
            .formatted(item, matches.size(), store.uri(), listed, more));
  }
}
