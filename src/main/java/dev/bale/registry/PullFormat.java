package dev.bale.registry;

import java.util.List;
import java.util.Optional;

/** What {@link RegistryClient#pull} writes. */
public enum PullFormat {
  /** An OCI image layout directory. */
  OCI_DIR("oci-dir"),
  /** An OCI image layout in an uncompressed tar file. */
  OCI_ARCHIVE("oci", "oci-archive"),
  /**
   * A Docker archive, as {@code docker load} and {@code podman load} take it: the OCI layout tar
   * with a {@code manifest.json} naming the config and layers, which keep their compression.
   */
  DOCKER_ARCHIVE("docker", "docker-archive");

  private final List<String> names;

  PullFormat(String... names) {
    this.names = List.of(names);
  }

  /**
   * Returns the name the command line uses, the one {@code pack -f} gives the same kind of output.
   */
  public String label() {
    return names.get(0);
  }

  /**
   * Returns the format called {@code name}: a name {@code pack -f} takes, or the transport name
   * skopeo gives it ({@code oci-archive}, {@code docker-archive}).
   */
  public static Optional<PullFormat> byName(String name) {
    for (PullFormat format : values()) {
      if (format.names.contains(name)) {
        return Optional.of(format);
      }
    }
    return Optional.empty();
  }
}
