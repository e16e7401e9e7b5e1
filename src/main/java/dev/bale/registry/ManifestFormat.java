package dev.bale.registry;

/** The family of manifest and media types an image is pushed with. */
public enum ManifestFormat {
  /** OCI image manifests and indexes, the default. */
  OCI,
  /** Docker schema 2 manifests and manifest lists, for registries and tools that want them. */
  DOCKER;

  /** Returns the name users give on the command line. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Returns the format of a manifest or index of {@code mediaType}. */
  static ManifestFormat of(String mediaType) {
    return mediaType.startsWith("application/vnd.docker.") ? DOCKER : OCI;
  }
}
