package dev.bale.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bale.hash.Digest;
import dev.bale.image.Json;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Builds the {@code manifest.json} of a Docker archive for the single image of an OCI layout,
 * pointing at the layout's own blob files, as recent {@code docker save} does.
 */
final class DockerArchiveManifest {
  private DockerArchiveManifest() {}

  /**
   * Returns the {@code manifest.json} bytes for the image {@code layout} holds, tagged as {@code
   * source}.
   *
   * @throws RegistryException if the layout holds an index of several images
   */
  static byte[] of(Path layout, ImageReference source) throws IOException, RegistryException {
    JsonNode top = Json.read(layout.resolve("index.json")).path("manifests").get(0);
    JsonNode manifest = Json.read(blob(layout, top.path("digest").asText()));
    if (MediaTypes.isIndex(top.path("mediaType").asText())) {
      JsonNode entries = manifest.path("manifests");
      if (entries.size() != 1) {
        throw new RegistryException(
            "cannot write '"
                + source
                + "' as a Docker archive: it has "
                + entries.size()
                + " platforms; pick one with --platform");
      }
      manifest = Json.read(blob(layout, entries.get(0).path("digest").asText()));
    }

    ObjectNode entry = Json.object();
    entry.put("Config", name(manifest.path("config").path("digest").asText()));
    ArrayNode tags = entry.putArray("RepoTags");
    if (source.tag() != null) {
      tags.add(source.repositoryName() + ":" + source.tag());
    }
    ArrayNode layers = entry.putArray("Layers");
    for (JsonNode layer : manifest.path("layers")) {
      layers.add(name(layer.path("digest").asText()));
    }
    ArrayNode root = Json.array();
    root.add(entry);
    return Json.write(root);
  }

  private static String name(String digest) {
    return "blobs/" + Digest.ALGORITHM + "/" + Digest.parse(digest).hex();
  }

  private static Path blob(Path layout, String digest) {
    return layout.resolve(name(digest));
  }
}
