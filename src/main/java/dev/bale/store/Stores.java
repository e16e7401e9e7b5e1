package dev.bale.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Opens stores by URI.
 *
 * <ul>
 *   <li>{@code local}: the embedded store, physical root {@code $BALE_ROOT}, else {@code
 *       $XDG_DATA_HOME/bale}, else {@code ~/.local/share/bale}; store directory {@code /gnu/store}.
 *       Parameters: {@code root=DIR}, {@code store-dir=DIR}.
 *   <li>{@code guix}: the machine's Guix store, {@code /gnu/store} with {@code
 *       /var/guix/db/db.sqlite}, read-only.
 *   <li>{@code nix}: the machine's Nix store, {@code /nix/store} with {@code
 *       /nix/var/nix/db/db.sqlite}, read-only.
 * </ul>
 *
 * <p>Both foreign kinds take {@code root=DIR} for a chroot store: files and database under {@code
 * DIR}, store directory unchanged (as {@code nix-store --store DIR} does).
 */
public final class Stores {
  private static final String GUIX_DIRECTORY = "/gnu/store";
  private static final String NIX_DIRECTORY = "/nix/store";

  private Stores() {}

  /**
   * Returns bale's cache directory, {@code $XDG_CACHE_HOME/bale}, else {@code ~/.cache/bale}, which
   * holds what can be made again: layer digests for foreign stores, the SQLite native library.
   */
  public static Path cacheDirectory() {
    String cache = System.getenv("XDG_CACHE_HOME");
    return cache != null && !cache.isEmpty()
        ? Path.of(cache, "bale")
        : Path.of(System.getProperty("user.home"), ".cache", "bale");
  }

  /**
   * Opens the store named by {@code uri}.
   *
   * @throws StoreException if the URI is malformed or names an unknown kind or parameter, or the
   *     store cannot be opened
   */
  public static Store open(String uri) throws StoreException {
    Map<String, String> parameters = parameters(uri);
    String kind = kind(uri);
    switch (kind) {
      case "local":
        return openLocal(uri);
      case "guix":
        checkParameters(uri, parameters, Set.of("root"));
        return openForeign(
            uri, parameters.get("root"), GUIX_DIRECTORY, "var/guix/db/db.sqlite", "Guix");
      case "nix":
        checkParameters(uri, parameters, Set.of("root"));
        return openForeign(
            uri, parameters.get("root"), NIX_DIRECTORY, "nix/var/nix/db/db.sqlite", "Nix");
      default:
        throw new StoreException(
            "cannot open store '" + uri + "': unknown kind '" + kind + "'; use local, guix or nix");
    }
  }

  /**
   * Opens the embedded store named by {@code uri}, creating it if needed, for writing.
   *
   * @throws StoreException if {@code uri} names a foreign store (bale never writes into one), is
   *     malformed, or the store cannot be opened
   */
  public static LocalStore openLocal(String uri) throws StoreException {
    Map<String, String> parameters = parameters(uri);
    String kind = kind(uri);
    if (kind.equals("guix") || kind.equals("nix")) {
      throw new StoreException(
          String.format(
              "cannot write to store '%s': bale never writes into a Guix or Nix store; use the"
                  + " embedded store (--store local)",
              uri));
    }
    if (!kind.equals("local")) {
      throw new StoreException(
          "cannot open store '" + uri + "': unknown kind '" + kind + "'; use local, guix or nix");
    }
    checkParameters(uri, parameters, Set.of("root", "store-dir"));
    String directory = parameters.getOrDefault("store-dir", GUIX_DIRECTORY);
    try {
      StorePath.checkDirectory(directory);
    } catch (IllegalArgumentException e) {
      throw new StoreException("cannot open store '" + uri + "'", e);
    }
    String root = parameters.get("root");
    return LocalStore.open(uri, root == null ? defaultRoot() : Path.of(root), directory);
  }

  private static Path defaultRoot() {
    String root = System.getenv("BALE_ROOT");
    if (root != null && !root.isEmpty()) {
      return Path.of(root);
    }
    String data = System.getenv("XDG_DATA_HOME");
    if (data != null && !data.isEmpty()) {
      return Path.of(data, "bale");
    }
    return Path.of(System.getProperty("user.home"), ".local", "share", "bale");
  }

  private static Store openForeign(
      String uri, String root, String directory, String databaseFile, String system)
      throws StoreException {
    Path base = Path.of(root == null ? "/" : root);
    Path database = base.resolve(databaseFile);
    if (!Files.isRegularFile(database)) {
      throw new StoreException(
          "cannot open store '%s': there is no %s database at '%s'"
              .formatted(uri, system, database));
    }
    Path physical = base.resolve(directory.substring(1));
    return new ForeignStore(uri, directory, physical, Database.openReadOnly(database, directory));
  }

  private static String kind(String uri) {
    int question = uri.indexOf('?');
    return question < 0 ? uri : uri.substring(0, question);
  }

  private static Map<String, String> parameters(String uri) throws StoreException {
    Map<String, String> parameters = new LinkedHashMap<>();
    int question = uri.indexOf('?');
    if (question < 0) {
      return parameters;
    }
    for (String pair : uri.substring(question + 1).split("&", -1)) {
      int equals = pair.indexOf('=');
      if (equals <= 0 || equals == pair.length() - 1) {
        throw new StoreException(
            "cannot open store '" + uri + "': '" + pair + "' is not of the form NAME=VALUE");
      }
      String name = pair.substring(0, equals);
      if (parameters.put(name, pair.substring(equals + 1)) != null) {
        throw new StoreException(
            "cannot open store '" + uri + "': parameter '" + name + "' is given twice");
      }
    }
    return parameters;
  }

  private static void checkParameters(String uri, Map<String, String> parameters, Set<String> known)
      throws StoreException {
    for (String name : parameters.keySet()) {
      if (!known.contains(name)) {
        throw new StoreException(
            "cannot open store '%s': unknown parameter '%s'; this kind takes %s"
                .formatted(uri, name, String.join(", ", known.stream().sorted().toList())));
      }
    }
  }
}
