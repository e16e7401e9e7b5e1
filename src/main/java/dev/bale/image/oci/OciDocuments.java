package dev.bale.image.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bale.image.Descriptor;
import dev.bale.image.Image;
import dev.bale.image.Json;
import dev.bale.image.Manifest;
import dev.bale.image.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Builds the small documents of an OCI layout: {@code oci-layout} and {@code index.json}. */
final class OciDocuments {
  static final String INDEX = "application/vnd.oci.image.index.v1+json";
  static final String REF_NAME = "org.opencontainers.image.ref.name";
  static final byte[] LAYOUT =
      "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);

  private OciDocuments() {}

  /** Returns an index entry for {@code manifest}, tagged with the image's tag. */
  static ObjectNode indexEntry(Image image, Descriptor manifest) {
    ObjectNode entry = Manifest.descriptorNode(manifest);
    Platform platform = image.config().platform();
    ObjectNode platformNode = entry.putObject("platform");
    platformNode.put("architecture", platform.architecture());
    platformNode.put("os", platform.os());
    if (!platform.variant().isEmpty()) {
      platformNode.put("variant", platform.variant());
    }
    // Layout tools (skopeo, umoci) look an image up by this annotation: the tag alone.
    entry.putObject("annotations").put(REF_NAME, image.name().tag());
    return entry;
  }

  /**
   * Returns an index listing the manifests of {@code existing} (an older index, or null) that carry
   * another tag, then {@code entry}.
   */
  static byte[] index(JsonNode existing, ObjectNode entry) {
    ObjectNode root = Json.object();
    root.put("schemaVersion", 2);
    root.put("mediaType", INDEX);
    ArrayNode manifests = root.putArray("manifests");
    String tag = entry.get("annotations").get(REF_NAME).asText();
    if (existing != null && existing.get("manifests") != null) {
      for (JsonNode old : existing.get("manifests")) {
        JsonNode name = old.path("annotations").path(REF_NAME);
        if (!name.asText().equals(tag)) {
          manifests.add(old);
        }
      }
    }
    manifests.add(entry);
    return Json.write(root);
  }

  /** Parses an existing {@code index.json}. */
  static JsonNode parse(byte[] json) throws IOException {
    return Json.read(json);
  }
}
