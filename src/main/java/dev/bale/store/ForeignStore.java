package dev.bale.store;

import java.nio.file.Path;

/**
 * A read-only view of a Guix or Nix store: its database is opened read-only and bale never writes
 * into its directory.
 */
final class ForeignStore extends DatabaseStore {
  ForeignStore(String uri, String directory, Path physicalDirectory, Database database) {
    super(uri, directory, physicalDirectory, database);
  }

  @Override
  public boolean isReadOnly() {
    return true;
  }
}
