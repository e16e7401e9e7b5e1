package dev.bale.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bale.hash.Digest;
import dev.bale.hash.DigestingInputStream;
import dev.bale.image.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An image read from disk to be pushed: an OCI image layout (directory or tar) or a Docker archive
 * (tar or unpacked directory), as {@code skopeo copy} would take it. Blobs are read in place when
 * they are sent, never copied.
 *
 * @param images the image manifests with their blobs
 * @param index the index listing {@code images} by platform, or null for a single image
 */
public record LocalImage(List<PushImage> images, Manifest index) {
  /** Checks that there is one image, or an index. */
  public LocalImage {
    images = List.copyOf(images);
    if (images.isEmpty() || (index == null && images.size() != 1)) {
      throw new IllegalArgumentException("a local image needs one image or an index");
    }
  }

  /**
   * Reads the image at {@code path}.
   *
   * @param format the manifest format to push in, or null to keep an OCI layout's manifests as they
   *     are (a Docker archive then gets OCI manifests)
   * @throws RegistryException if the path is neither kind of image, or a document is damaged
   */
  public static LocalImage read(Path path, ManifestFormat format) throws RegistryException {
    ArchiveFiles files = ArchiveFiles.open(path);
    try {
      if (files.exists("oci-layout") && files.exists("index.json")) {
        return readLayout(files, path, format);
      }
      if (files.exists("manifest.json")) {
        return readDockerArchive(files, path, format == null ? ManifestFormat.OCI : format);
      }
    } catch (IOException | RuntimeException e) {
      throw new RegistryException(
          "cannot read image '" + path + "': " + e.getMessage() + " (is it complete?)", e);
    }
    throw new RegistryException(
        "cannot read image '"
            + path
            + "': it is neither an OCI image layout (oci-layout, index.json) nor a Docker"
            + " archive (manifest.json)");
  }

  /**
   * Pushes the image (or the index and its images) to {@code target} with {@code client}.
   *
   * @throws RegistryException if the push fails
   */
  public PushResult push(RegistryClient client, ImageReference target) throws RegistryException {
    return index == null
        ? client.push(target, images.get(0))
        : client.pushIndex(target, index, images);
  }

  private static LocalImage readLayout(ArchiveFiles files, Path path, ManifestFormat format)
      throws IOException, RegistryException {
    JsonNode entries = Json.read(files.read("index.json")).path("manifests");
    if (entries.size() == 0) {
      throw new RegistryException("cannot read image '" + path + "': index.json lists no image");
    }
    if (entries.size() == 1 && MediaTypes.isIndex(entries.get(0).path("mediaType").asText())) {
      Manifest index = readManifest(files, entries.get(0), path);
      return readIndex(files, index, Json.read(index.bytes()).path("manifests"), path, format);
    }
    if (entries.size() == 1) {
      Manifest manifest = readManifest(files, entries.get(0), path);
      return new LocalImage(List.of(readImage(files, manifest, path, format)), null);
    }
    for (JsonNode entry : entries) {
      if (!entry.has("platform")) {
        throw new RegistryException(
            "cannot read image '"
                + path
                + "': index.json lists "
                + entries.size()
                + " images without platforms; bale pushes one image or one index");
      }
    }
    return readIndex(files, null, entries, path, format);
  }

  private static LocalImage readIndex(
      ArchiveFiles files, Manifest index, JsonNode entries, Path path, ManifestFormat format)
      throws IOException, RegistryException {
    List<PushImage> images = new ArrayList<>();
    List<Manifest.PlatformManifest> platforms = new ArrayList<>();
    for (JsonNode entry : entries) {
      Manifest manifest = readManifest(files, entry, path);
      PushImage image = readImage(files, manifest, path, format);
      images.add(image);
      JsonNode platform = entry.path("platform");
      platforms.add(
          new Manifest.PlatformManifest(
              image.manifest(),
              new Platform(
                  platform.path("os").asText("linux"),
                  platform.path("architecture").asText("amd64"),
                  platform.path("variant").asText(null))));
    }
    boolean keep =
        index != null
            && (format == null || format == ManifestFormat.of(index.mediaType()))
            && sameManifests(images, entries);
    if (!keep) {
      ManifestFormat chosen =
          format != null
              ? format
              : index != null ? ManifestFormat.of(index.mediaType()) : ManifestFormat.OCI;
      index = Manifest.forIndex(chosen, platforms);
    }
    return new LocalImage(images, index);
  }

  private static boolean sameManifests(List<PushImage> images, JsonNode entries) {
    for (int i = 0; i < images.size(); i++) {
      String listed = entries.get(i).path("digest").asText();
      if (!images.get(i).manifest().digest().toString().equals(listed)) {
        return false;
      }
    }
    return true;
  }

  private static Manifest readManifest(ArchiveFiles files, JsonNode descriptor, Path path)
      throws IOException, RegistryException {
    Digest digest = Digest.parse(descriptor.path("digest").asText());
    byte[] bytes = files.read(blobName(digest));
    if (!Digest.of(bytes).equals(digest)) {
      throw new RegistryException(
          "cannot read image '" + path + "': manifest " + digest + " does not match its digest");
    }
    String mediaType = descriptor.path("mediaType").asText("");
    if (mediaType.isEmpty()) {
      mediaType = Json.read(bytes).path("mediaType").asText(MediaTypes.OCI_MANIFEST);
    }
    return new Manifest(mediaType, bytes);
  }

  private static PushImage readImage(
      ArchiveFiles files, Manifest manifest, Path path, ManifestFormat format)
      throws IOException, RegistryException {
    if (manifest.isIndex()) {
      throw new RegistryException(
          "cannot read image '" + path + "': an index inside an index is not supported");
    }
    JsonNode json = Json.read(manifest.bytes());
    Blob config = layoutBlob(files, json.path("config"), path);
    List<Blob> layers = new ArrayList<>();
    for (JsonNode layer : json.path("layers")) {
      layers.add(layoutBlob(files, layer, path));
    }
    if (format != null && format != ManifestFormat.of(manifest.mediaType())) {
      return PushImage.of(format, config, layers);
    }
    return new PushImage(manifest, config, layers);
  }

  private static Blob layoutBlob(ArchiveFiles files, JsonNode descriptor, Path path)
      throws IOException, RegistryException {
    Digest digest = Digest.parse(descriptor.path("digest").asText());
    long size = descriptor.path("size").asLong(-1);
    String name = blobName(digest);
    long actual =
        files
            .size(name)
            .orElseThrow(
                () ->
                    new RegistryException(
                        "cannot read image '" + path + "': blob " + digest + " is missing"));
    if (actual != size) {
      throw new RegistryException(
          "cannot read image '"
              + path
              + "': blob "
              + digest
              + " has "
              + actual
              + " bytes, not the "
              + size
              + " its descriptor says");
    }
    return files.blob(name, digest, size, descriptor.path("mediaType").asText());
  }

  private static String blobName(Digest digest) {
    return "blobs/" + Digest.ALGORITHM + "/" + digest.hex();
  }

  private static LocalImage readDockerArchive(ArchiveFiles files, Path path, ManifestFormat format)
      throws IOException, RegistryException {
    JsonNode entries = Json.read(files.read("manifest.json"));
    if (entries.size() != 1) {
      throw new RegistryException(
          "cannot read Docker archive '"
              + path
              + "': it holds "
              + entries.size()
              + " images; bale pushes one");
    }
    JsonNode entry = entries.get(0);
    Blob config = Blob.ofBytes(files.read(entry.path("Config").asText()), MediaTypes.OCI_CONFIG);
    List<Blob> layers = new ArrayList<>();
    for (JsonNode layer : entry.path("Layers")) {
      layers.add(dockerLayer(files, layer.asText(), path));
    }
    return new LocalImage(List.of(PushImage.of(format, config, layers)), null);
  }

  /** Digests a layer of a Docker archive, and tells its compression from its first bytes. */
  private static Blob dockerLayer(ArchiveFiles files, String name, Path path)
      throws IOException, RegistryException {
    if (!files.exists(name)) {
      throw new RegistryException(
          "cannot read Docker archive '" + path + "': layer '" + name + "' is missing");
    }
    byte[] magic;
    Digest digest;
    long size;
    try (InputStream in = files.open(name)) {
      DigestingInputStream digesting = new DigestingInputStream(in);
      magic = digesting.readNBytes(4);
      digesting.transferTo(java.io.OutputStream.nullOutputStream());
      digest = digesting.digest();
      size = digesting.size();
    }
    String mediaType = MediaTypes.OCI_LAYER;
    if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
      mediaType = MediaTypes.OCI_LAYER_GZIP;
    } else if (magic.length == 4
        && (magic[0] & 0xff) == 0x28
        && (magic[1] & 0xff) == 0xb5
        && (magic[2] & 0xff) == 0x2f
        && (magic[3] & 0xff) == 0xfd) {
      mediaType = MediaTypes.OCI_LAYER_ZSTD;
    }
    return files.blob(name, digest, size, mediaType);
  }
}
