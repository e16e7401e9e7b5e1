package dev.bale.registry;

import java.util.List;

/**
 * One image to push: its manifest as it will be sent, and the config and layers it refers to.
 *
 * @param manifest an image manifest (not an index), OCI or Docker
 * @param config the config blob
 * @param layers the layer blobs, in manifest order
 */
public record PushImage(Manifest manifest, Blob config, List<Blob> layers) {
  /** Checks that the manifest is an image manifest and copies the layer list. */
  public PushImage {
    if (manifest.isIndex()) {
      throw new IllegalArgumentException("a PushImage needs an image manifest, not an index");
    }
    layers = List.copyOf(layers);
  }

  /**
   * Builds the manifest in {@code format} for {@code config} and {@code layers}.
   *
   * @throws RegistryException if a blob's media type has no equivalent in the format
   */
  public static PushImage of(ManifestFormat format, Blob config, List<Blob> layers)
      throws RegistryException {
    return new PushImage(Manifest.forImage(format, config, layers), config, layers);
  }

  /** Returns the config and then the layers. */
  List<Blob> blobs() {
    return java.util.stream.Stream.concat(java.util.stream.Stream.of(config), layers.stream())
        .toList();
  }
}
