package dev.bale.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.ZstdInputStream;
import dev.bale.hash.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Checks any image bale writes: every blob's digest and size against its bytes, every diff ID
 * against the uncompressed layer, and the config's diff IDs and history in layer order. Every
 * writer's output goes through it.
 */
public final class ImageValidator {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ImageValidator() {}

  /** What a valid image holds: its config and its uncompressed layer tars, bottom first. */
  public record Checked(
      JsonNode config, Digest configDigest, List<byte[]> layers, JsonNode index) {}

  /** Validates a Docker archive. */
  public static Checked dockerArchive(Path archive) throws IOException {
    Map<String, byte[]> files = readTar(Files.readAllBytes(archive));
    JsonNode manifests = JSON.readTree(file(files, "manifest.json"));
    assertThat(manifests.size()).as("images in manifest.json").isEqualTo(1);
    JsonNode manifest = manifests.get(0);
    assertThat(manifest.get("RepoTags").size()).as("RepoTags").isEqualTo(1);
    assertThat(files).containsKey("repositories");

    String configName = manifest.get("Config").asText();
    byte[] config = file(files, configName);
    Digest configDigest = Digest.of(config);
    assertThat(configName).as("config file name").isEqualTo(configDigest.hex() + ".json");

    List<byte[]> layers = new ArrayList<>();
    for (JsonNode layerName : manifest.get("Layers")) {
      String name = layerName.asText();
      String directory = name.substring(0, name.indexOf('/'));
      assertThat(new String(file(files, directory + "/VERSION"))).isEqualTo("1.0");
      assertThat(JSON.readTree(file(files, directory + "/json")).get("id").asText())
          .isEqualTo(directory);
      layers.add(decompress(file(files, name)));
    }
    JsonNode configJson = checkConfig(config, layers);
    return new Checked(configJson, configDigest, layers, null);
  }

  /** Validates an OCI image layout in a directory. */
  public static Checked ociLayout(Path directory) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.filter(Files::isRegularFile).toList()) {
        files.put(directory.relativize(path).toString(), Files.readAllBytes(path));
      }
    }
    return oci(files);
  }

  /** Validates an OCI image layout in a tar archive. */
  public static Checked ociArchive(Path archive) throws IOException {
    return oci(readTar(Files.readAllBytes(archive)));
  }

  private static Checked oci(Map<String, byte[]> files) throws IOException {
    assertThat(JSON.readTree(file(files, "oci-layout")).get("imageLayoutVersion").asText())
        .isEqualTo("1.0.0");
    JsonNode index = JSON.readTree(file(files, "index.json"));
    assertThat(index.get("schemaVersion").asInt()).isEqualTo(2);
    assertThat(index.get("manifests").size()).as("manifests in index.json").isGreaterThan(0);
    JsonNode entry = index.get("manifests").get(index.get("manifests").size() - 1);
    assertThat(entry.get("mediaType").asText())
        .isEqualTo("application/vnd.oci.image.manifest.v1+json");
    JsonNode manifest = JSON.readTree(blob(files, entry));
    assertThat(manifest.get("mediaType").asText()).isEqualTo(entry.get("mediaType").asText());

    JsonNode configDescriptor = manifest.get("config");
    assertThat(configDescriptor.get("mediaType").asText())
        .isEqualTo("application/vnd.oci.image.config.v1+json");
    byte[] config = blob(files, configDescriptor);
    List<byte[]> layers = new ArrayList<>();
    for (JsonNode layer : manifest.get("layers")) {
      assertThat(layer.get("mediaType").asText())
          .startsWith("application/vnd.oci.image.layer.v1.tar");
      layers.add(decompress(blob(files, layer)));
    }
    JsonNode configJson = checkConfig(config, layers);
    return new Checked(configJson, Digest.of(config), layers, index);
  }

  /** Returns the blob a descriptor names, after checking its digest and size. */
  private static byte[] blob(Map<String, byte[]> files, JsonNode descriptor) {
    Digest digest = Digest.parse(descriptor.get("digest").asText());
    byte[] bytes = file(files, "blobs/sha256/" + digest.hex());
    assertThat(Digest.of(bytes)).as("digest of blob " + digest).isEqualTo(digest);
    assertThat((long) bytes.length)
        .as("size of blob " + digest)
        .isEqualTo(descriptor.get("size").asLong());
    return bytes;
  }

  private static JsonNode checkConfig(byte[] config, List<byte[]> layers) throws IOException {
    JsonNode json = JSON.readTree(config);
    assertThat(json.get("rootfs").get("type").asText()).isEqualTo("layers");
    JsonNode diffIds = json.get("rootfs").get("diff_ids");
    assertThat(diffIds.size()).as("diff IDs").isEqualTo(layers.size());
    for (int i = 0; i < layers.size(); i++) {
      assertThat(diffIds.get(i).asText())
          .as("diff ID of layer " + i)
          .isEqualTo(Digest.of(layers.get(i)).toString());
      readTar(layers.get(i));
    }
    assertThat(json.get("history").size()).as("history entries").isEqualTo(layers.size());
    assertThat(json.get("os").asText()).isEqualTo("linux");
    assertThat(json.get("architecture").asText()).isNotEmpty();
    return json;
  }

  private static byte[] file(Map<String, byte[]> files, String name) {
    assertThat(files).as("files of the image").containsKey(name);
    return files.get(name);
  }

  /** Returns the tar, gzip or zstd decompressed according to its magic bytes. */
  public static byte[] decompress(byte[] blob) throws IOException {
    InputStream in = new ByteArrayInputStream(blob);
    if (blob.length > 2 && (blob[0] & 0xff) == 0x1f && (blob[1] & 0xff) == 0x8b) {
      in = new GZIPInputStream(in);
    } else if (blob.length > 4 && (blob[0] & 0xff) == 0x28 && (blob[1] & 0xff) == 0xb5) {
      in = new ZstdInputStream(in);
    }
    try (InputStream decompressed = in) {
      return decompressed.readAllBytes();
    }
  }

  /** Reads the regular files of a tar into a map from name to content. */
  public static Map<String, byte[]> readTar(byte[] tar) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        if (e.isFile()) {
          assertThat(files).as("duplicate entry").doesNotContainKey(e.getName());
          files.put(e.getName(), in.readAllBytes());
        }
      }
    }
    return files;
  }

  /** Reads every entry header of a tar, in archive order. */
  public static List<TarArchiveEntry> entries(byte[] tar) throws IOException {
    List<TarArchiveEntry> entries = new ArrayList<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        entries.add(e);
      }
    }
    return entries;
  }
}
