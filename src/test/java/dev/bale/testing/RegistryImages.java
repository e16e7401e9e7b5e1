package dev.bale.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Small real images for registry tests, written as OCI image layouts independently of bale's own
 * code: one uncompressed layer holding the static busybox (so that podman can run it) and a text
 * file, and a config whose diff ID matches the layer.
 */
public final class RegistryImages {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RegistryImages() {}

  /** An image's config and layer bytes, with the architecture it claims. */
  public record TestImage(String architecture, byte[] config, byte[] layer) {
    /** Returns the OCI manifest bytes. */
    public byte[] manifest() {
      ObjectNode manifest = JSON.createObjectNode();
      manifest.put("schemaVersion", 2);
      manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
      manifest.set("config", descriptor("application/vnd.oci.image.config.v1+json", config));
      manifest.putArray("layers").add(descriptor("application/vnd.oci.image.layer.v1.tar", layer));
      return bytes(manifest);
    }

    /** Returns the digests of the config and the layer. */
    public List<String> blobDigests() {
      return List.of(digest(config), digest(layer));
    }
  }

  /** Builds an image with busybox in {@code /bin} and {@code /hello.txt} saying {@code text}. */
  public static TestImage busybox(String architecture, String text) throws IOException {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar)) {
      out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      TarArchiveEntry bin = new TarArchiveEntry("bin/");
      bin.setMode(040755);
      out.putArchiveEntry(bin);
      out.closeArchiveEntry();
      byte[] busybox = Files.readAllBytes(Path.of("/bin/busybox"));
      file(out, "bin/busybox", busybox, 0755);
      file(out, "hello.txt", text.getBytes(StandardCharsets.UTF_8), 0644);
    }
    byte[] layer = tar.toByteArray();

    ObjectNode config = JSON.createObjectNode();
    config.put("created", "1970-01-01T00:00:01Z");
    config.put("architecture", architecture);
    config.put("os", "linux");
    config.putObject("config").putArray("Env").add("PATH=/bin");
    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    rootfs.putArray("diff_ids").add(digest(layer));
    return new TestImage(architecture, bytes(config), layer);
  }

  private static void file(TarArchiveOutputStream out, String name, byte[] data, int mode)
      throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setMode(0100000 | mode);
    entry.setSize(data.length);
    out.putArchiveEntry(entry);
    out.write(data);
    out.closeArchiveEntry();
  }

  /** Writes {@code image} as an OCI layout at {@code directory}, tagged {@code tag}. */
  public static Path writeLayout(Path directory, TestImage image, String tag) throws IOException {
    writeBlobs(directory, image);
    ObjectNode index = index();
    ObjectNode entry = descriptor("application/vnd.oci.image.manifest.v1+json", image.manifest());
    entry.putObject("annotations").put("org.opencontainers.image.ref.name", tag);
    ((ArrayNode) index.get("manifests")).add(entry);
    finish(directory, index);
    return directory;
  }

  /**
   * Writes {@code images} as an OCI layout at {@code directory} whose {@code index.json} names one
   * image index listing each image for linux and its architecture.
   */
  public static Path writeIndexLayout(Path directory, List<TestImage> images, String tag)
      throws IOException {
    ObjectNode imageIndex = index();
    for (TestImage image : images) {
      writeBlobs(directory, image);
      ObjectNode entry = descriptor("application/vnd.oci.image.manifest.v1+json", image.manifest());
      ObjectNode platform = entry.putObject("platform");
      platform.put("architecture", image.architecture());
      platform.put("os", "linux");
      ((ArrayNode) imageIndex.get("manifests")).add(entry);
    }
    byte[] indexBytes = bytes(imageIndex);
    writeBlob(directory, indexBytes);
    ObjectNode top = index();
    ObjectNode entry = descriptor("application/vnd.oci.image.index.v1+json", indexBytes);
    entry.putObject("annotations").put("org.opencontainers.image.ref.name", tag);
    ((ArrayNode) top.get("manifests")).add(entry);
    finish(directory, top);
    return directory;
  }

  private static ObjectNode index() {
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", "application/vnd.oci.image.index.v1+json");
    index.putArray("manifests");
    return index;
  }

  private static void writeBlobs(Path directory, TestImage image) throws IOException {
    writeBlob(directory, image.config());
    writeBlob(directory, image.layer());
    writeBlob(directory, image.manifest());
  }

  private static void writeBlob(Path directory, byte[] data) throws IOException {
    Path blobs = Files.createDirectories(directory.resolve("blobs").resolve("sha256"));
    Files.write(blobs.resolve(digest(data).substring("sha256:".length())), data);
  }

  private static void finish(Path directory, ObjectNode index) throws IOException {
    Files.writeString(directory.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    Files.write(directory.resolve("index.json"), bytes(index));
  }

  private static ObjectNode descriptor(String mediaType, byte[] data) {
    ObjectNode node = JSON.createObjectNode();
    node.put("mediaType", mediaType);
    node.put("digest", digest(data));
    node.put("size", data.length);
    return node;
  }

  /** Returns {@code sha256:HEX} of {@code data}. */
  public static String digest(byte[] data) {
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytes(ObjectNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
