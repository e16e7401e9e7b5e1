package dev.bale.image;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * An image manifest (OCI image spec, or its Docker v2 schema 2 twin): the config and layer
 * descriptors, serialised with a fixed key order.
 *
 * @param mediaType the manifest's own media type
 * @param config the config blob
 * @param layers the layer blobs, bottom first
 */
public record Manifest(String mediaType, Descriptor config, List<Descriptor> layers) {
  /** The media type of an OCI image manifest. */
  public static final String OCI = "application/vnd.oci.image.manifest.v1+json";

  /** The media type of a Docker v2 schema 2 manifest. */
  public static final String DOCKER = "application/vnd.docker.distribution.manifest.v2+json";

  /** The media type of an OCI image config. */
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";

  /** The media type of a Docker image config. */
  public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";

  /** Copies the layers. */
  public Manifest {
    layers = List.copyOf(layers);
  }

  /** Returns the manifest document. */
  public byte[] toJson() {
    ObjectNode root = Json.object();
    root.put("schemaVersion", 2);
    root.put("mediaType", mediaType);
    root.set("config", descriptorNode(config));
    ArrayNode array = root.putArray("layers");
    layers.forEach(layer -> array.add(descriptorNode(layer)));
    return Json.write(root);
  }

  /** Returns {@code descriptor} as a JSON object: media type, digest, size. */
  public static ObjectNode descriptorNode(Descriptor descriptor) {
    ObjectNode node = Json.object();
    node.put("mediaType", descriptor.mediaType());
    node.put("digest", descriptor.digest().toString());
    node.put("size", descriptor.size());
    return node;
  }
}
