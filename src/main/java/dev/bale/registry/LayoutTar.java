package dev.bale.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bale.hash.Digest;
import dev.bale.image.Json;
import dev.bale.tar.TarEntry;
import dev.bale.tar.TarWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Writes an OCI layout directory as an uncompressed tar archive, optionally with extra small files
 * such as a Docker {@code manifest.json}, in the order and with the headers {@code pack -f oci}
 * gives its archives: {@code oci-layout}, the blob directories, each manifest's layers, config and
 * manifest, then {@code index.json}. A pulled image so gives the bytes {@code pack} wrote.
 */
final class LayoutTar {
  private static final int FILE_MODE = 0644;
  private static final int DIRECTORY_MODE = 0755;

  private LayoutTar() {}

  /**
   * Writes {@code layout} and {@code extra} (name to bytes, after the layout's files) as a tar to
   * {@code out}; with {@code blobsOnly}, the layout's {@code oci-layout} and {@code index.json} are
   * left out.
   */
  static void write(Path layout, Map<String, byte[]> extra, boolean blobsOnly, OutputStream out)
      throws IOException {
    TarWriter archive = new TarWriter(out);
    if (!blobsOnly) {
      archive.write(file(layout, "oci-layout"));
    }
    archive.write(TarEntry.directory("blobs", DIRECTORY_MODE));
    archive.write(TarEntry.directory("blobs/sha256", DIRECTORY_MODE));
    for (Digest digest : blobOrder(layout)) {
      archive.write(file(layout, "blobs/sha256/" + digest.hex()));
    }
    if (!blobsOnly) {
      archive.write(file(layout, "index.json"));
    }
    for (Map.Entry<String, byte[]> entry : new TreeMap<>(extra).entrySet()) {
      archive.file(entry.getKey(), FILE_MODE, entry.getValue());
    }
    archive.finish();
  }

  private static TarEntry file(Path layout, String name) throws IOException {
    Path source = layout.resolve(name);
    return TarEntry.file(name, FILE_MODE, Files.size(source), source);
  }

  /**
   * Returns the layout's blobs as {@code pack} writes them: for each manifest its layers, config
   * and itself, an index after its manifests; then any blob nothing names, in byte order.
   */
  private static Set<Digest> blobOrder(Path layout) throws IOException {
    Set<Digest> order = new LinkedHashSet<>();
    for (JsonNode entry : Json.read(layout.resolve("index.json")).path("manifests")) {
      visit(layout, Digest.parse(entry.path("digest").asText()), order);
    }
    try (Stream<Path> blobs = Files.list(layout.resolve("blobs").resolve(Digest.ALGORITHM))) {
      blobs.map(blob -> blob.getFileName().toString()).sorted().forEach(hex -> order.add(of(hex)));
    }
    return order;
  }

  private static void visit(Path layout, Digest digest, Set<Digest> order) throws IOException {
    if (order.contains(digest)) {
      return;
    }
    JsonNode document =
        Json.read(layout.resolve("blobs").resolve(Digest.ALGORITHM).resolve(digest.hex()));
    for (JsonNode child : document.path("manifests")) {
      visit(layout, Digest.parse(child.path("digest").asText()), order);
    }
    for (JsonNode layer : document.path("layers")) {
      order.add(Digest.parse(layer.path("digest").asText()));
    }
    if (document.path("config").has("digest")) {
      order.add(Digest.parse(document.path("config").path("digest").asText()));
    }
    order.add(digest);
  }

  private static Digest of(String hex) {
    return Digest.parse(Digest.ALGORITHM + ":" + hex);
  }
}
