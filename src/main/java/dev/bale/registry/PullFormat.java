package dev.bale.registry;

/** What {@link RegistryClient#pull} writes. */
public enum PullFormat {
  /** An OCI image layout directory. */
  OCI_DIR("oci-dir"),
  /** An OCI image layout in an uncompressed tar file. */
  OCI_ARCHIVE("oci-archive"),
  /**
   * A Docker archive, as {@code docker load} and {@code podman load} take it: the OCI layout tar
   * with a {@code manifest.json} naming the config and layers, which keep their compression.
   */
  DOCKER_ARCHIVE("docker-archive");

  private final String label;

  PullFormat(String label) {
    this.label = label;
  }

  /** Returns the name the command line uses. */
  public String label() {
    return label;
  }
}
