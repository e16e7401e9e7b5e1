package dev.bale.registry;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bale.hash.Digest;
import dev.bale.image.Json;
import java.util.List;

/**
 * An image manifest or an index exactly as it is sent, bytes and media type; its digest is the
 * digest of those bytes.
 */
public record Manifest(String mediaType, byte[] bytes) {
  /** Copies the bytes and checks the media type. */
  public Manifest {
    if (!MediaTypes.isIndex(mediaType) && !MediaTypes.isManifest(mediaType)) {
      throw new IllegalArgumentException("'" + mediaType + "' is not a manifest media type");
    }
    bytes = bytes.clone();
  }

  /** Returns a copy of the bytes. */
  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** Returns the digest of the bytes, which names the manifest in a registry. */
  public Digest digest() {
    return Digest.of(bytes);
  }

  /** Returns the size in bytes. */
  public int size() {
    return bytes.length;
  }

  /** Tells whether this is an index (or Docker manifest list). */
  public boolean isIndex() {
    return MediaTypes.isIndex(mediaType);
  }

  /**
   * Builds the image manifest for {@code config} and {@code layers} in {@code format}, giving each
   * descriptor the format's media type for the blob's own.
   *
   * @throws RegistryException if a blob's media type has no equivalent in the format
   */
  public static Manifest forImage(ManifestFormat format, Blob config, List<Blob> layers)
      throws RegistryException {
    ObjectNode root = Json.object();
    root.put("schemaVersion", 2);
    String mediaType = MediaTypes.convert(MediaTypes.OCI_MANIFEST, format);
    root.put("mediaType", mediaType);
    root.set("config", descriptor(format, config));
    ArrayNode layerArray = root.putArray("layers");
    for (Blob layer : layers) {
      layerArray.add(descriptor(format, layer));
    }
    return new Manifest(mediaType, Json.write(root));
  }

  /**
   * Builds an index in {@code format} listing {@code manifests}, each for its platform.
   *
   * @throws RegistryException if a manifest is itself an index
   */
  public static Manifest forIndex(ManifestFormat format, List<PlatformManifest> manifests)
      throws RegistryException {
    ObjectNode root = Json.object();
    root.put("schemaVersion", 2);
    String mediaType = MediaTypes.convert(MediaTypes.OCI_INDEX, format);
    root.put("mediaType", mediaType);
    ArrayNode array = root.putArray("manifests");
    for (PlatformManifest entry : manifests) {
      if (entry.manifest().isIndex()) {
        throw new RegistryException("an index cannot list another index for one platform");
      }
      ObjectNode node = array.addObject();
      node.put("mediaType", entry.manifest().mediaType());
      node.put("digest", entry.manifest().digest().toString());
      node.put("size", entry.manifest().size());
      ObjectNode platform = node.putObject("platform");
      platform.put("architecture", entry.platform().architecture());
      platform.put("os", entry.platform().os());
      if (entry.platform().variant() != null) {
        platform.put("variant", entry.platform().variant());
      }
    }
    return new Manifest(mediaType, Json.write(root));
  }

  private static ObjectNode descriptor(ManifestFormat format, Blob blob) throws RegistryException {
    ObjectNode node = Json.object();
    node.put("mediaType", MediaTypes.convert(blob.mediaType(), format));
    node.put("digest", blob.digest().toString());
    node.put("size", blob.size());
    return node;
  }

  /** An image manifest and the platform it is for, one entry of an index. */
  public record PlatformManifest(Manifest manifest, Platform platform) {}
}
