package dev.bale.registry;

import java.util.Map;

/** The media types of manifests, indexes, configs and layers, OCI and Docker schema 2. */
public final class MediaTypes {
  /** An OCI image manifest. */
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

  /** An OCI image index, one manifest per platform. */
  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

  /** An OCI image config. */
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";

  /** An uncompressed OCI layer. */
  public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";

  /** A gzip-compressed OCI layer. */
  public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";

  /** A zstd-compressed OCI layer. */
  public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";

  /** A Docker schema 2 image manifest. */
  public static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";

  /** A Docker schema 2 manifest list, one manifest per platform. */
  public static final String DOCKER_MANIFEST_LIST =
      "application/vnd.docker.distribution.manifest.list.v2+json";

  /** A Docker image config. */
  public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";

  /** An uncompressed Docker layer, as skopeo names one. */
  public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";

  /** A gzip-compressed Docker layer. */
  public static final String DOCKER_LAYER_GZIP =
      "application/vnd.docker.image.rootfs.diff.tar.gzip";

  private static final Map<String, String> OCI_TO_DOCKER =
      Map.of(
          OCI_MANIFEST, DOCKER_MANIFEST,
          OCI_INDEX, DOCKER_MANIFEST_LIST,
          OCI_CONFIG, DOCKER_CONFIG,
          OCI_LAYER, DOCKER_LAYER,
          OCI_LAYER_GZIP, DOCKER_LAYER_GZIP);

  private static final Map<String, String> DOCKER_TO_OCI =
      Map.of(
          DOCKER_MANIFEST, OCI_MANIFEST,
          DOCKER_MANIFEST_LIST, OCI_INDEX,
          DOCKER_CONFIG, OCI_CONFIG,
          DOCKER_LAYER, OCI_LAYER,
          DOCKER_LAYER_GZIP, OCI_LAYER_GZIP);

  private MediaTypes() {}

  /** Tells whether {@code mediaType} is an index or a manifest list. */
  public static boolean isIndex(String mediaType) {
    return mediaType.equals(OCI_INDEX) || mediaType.equals(DOCKER_MANIFEST_LIST);
  }

  /** Tells whether {@code mediaType} is an image manifest, OCI or Docker. */
  public static boolean isManifest(String mediaType) {
    return mediaType.equals(OCI_MANIFEST) || mediaType.equals(DOCKER_MANIFEST);
  }

  /**
   * Returns the equivalent of {@code mediaType} in {@code format}.
   *
   * @throws RegistryException if the format has no equivalent, such as zstd layers in Docker
   */
  static String convert(String mediaType, ManifestFormat format) throws RegistryException {
    Map<String, String> table = format == ManifestFormat.DOCKER ? OCI_TO_DOCKER : DOCKER_TO_OCI;
    Map<String, String> other = format == ManifestFormat.DOCKER ? DOCKER_TO_OCI : OCI_TO_DOCKER;
    if (table.containsKey(mediaType)) {
      return table.get(mediaType);
    }
    if (other.containsKey(mediaType)) {
      return mediaType;
    }
    throw new RegistryException(
        "media type '" + mediaType + "' has no equivalent in the " + format.label() + " format");
  }
}
