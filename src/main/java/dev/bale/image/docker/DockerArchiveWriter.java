package dev.bale.image.docker;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bale.event.EventSink;
import dev.bale.event.Level;
import dev.bale.hash.Digest;
import dev.bale.image.Compression;
import dev.bale.image.Descriptor;
import dev.bale.image.Image;
import dev.bale.image.Layer;
import dev.bale.image.LayerWriter;
import dev.bale.image.Manifest;
import dev.bale.image.WrittenImage;
import dev.bale.image.WrittenLayer;
import dev.bale.tar.TarEntry;
import dev.bale.tar.TarWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an image as a Docker archive: {@code ID/layer.tar}, {@code ID/VERSION} and {@code
 * ID/json} for each layer, the config as {@code HEX.json}, then {@code manifest.json} ({@code
 * Config}, {@code RepoTags}, {@code Layers}) and {@code repositories}.
 *
 * <p>Loaders read {@code manifest.json} wherever it is in the archive, so it comes last and the
 * whole archive is written in one pass: a layer's directory is named by a digest of what the
 * layer holds (its store paths), known before its bytes, and an uncompressed layer's size is
 * known from the sizes of its files. A compressed layer's size is not: it is compressed once to
 * count its bytes and once more to write them.
 */
public final class DockerArchiveWriter {
  private static final int FILE_MODE = 0644;
  private static final int DIRECTORY_MODE = 0755;

  private DockerArchiveWriter() {}

  /** Writes {@code image} to {@code out}, which is closed at the end. */
  public static WrittenImage write(Image image, OutputStream out, EventSink events)
      throws IOException {
    List<WrittenLayer> written = new ArrayList<>();
    List<String> layerFiles = new ArrayList<>();
    String parent = "";
    try (TarWriter archive = new TarWriter(out)) {
      for (Layer layer : image.layers()) {
        String id = layerId(parent, layer);
        events.log(Level.DEBUG, "writing layer " + id + ": " + layer.description());
        archive.write(TarEntry.directory(id, DIRECTORY_MODE));
        archive.file(id + "/VERSION", FILE_MODE, utf8("1.0"));
        archive.file(id + "/json", FILE_MODE, legacyJson(image, id, parent));
        written.add(writeLayer(archive, id + "/layer.tar", layer, image.compression()));
        layerFiles.add(id + "/layer.tar");
        parent = id;
      }

      List<Digest> diffIds = written.stream().map(WrittenLayer::diffId).toList();
      byte[] config = image.config().toJson(image.layers(), diffIds);
      Digest configDigest = Digest.of(config);
      String configFile = configDigest.hex() + ".json";
      archive.file(configFile, FILE_MODE, config);
      archive.file("manifest.json", FILE_MODE, manifestJson(image, configFile, layerFiles));
      archive.file("repositories", FILE_MODE, repositoriesJson(image, parent));
      archive.close();

      Descriptor configBlob = new Descriptor(Manifest.DOCKER_CONFIG, configDigest, config.length);
      return new WrittenImage(configBlob, null, written, archive.position());
    }
  }

  private static WrittenLayer writeLayer(
      TarWriter archive, String name, Layer layer, Compression compression) throws IOException {
    Layer.Content content = layer.scan();
    long size = content.tarSize();
    if (compression != Compression.NONE) {
      // LIMITATION: a compressed layer is compressed twice, once to learn its size for the
      // entry header and once to write it; writing to a seekable file could patch the header
      // afterwards instead, as the OCI archive writer does.
      size = LayerWriter.write(content, compression, OutputStream.nullOutputStream()).size();
    }
    try (OutputStream entry = archive.beginFile(name, FILE_MODE, size)) {
      return LayerWriter.write(content, compression, entry);
    }
  }

  /** Returns a layer's legacy ID: a digest of its parent's ID and what it holds. */
  static String layerId(String parent, Layer layer) {
    byte[] text = (parent + "\n" + layer.identity()).getBytes(StandardCharsets.UTF_8);
    return Digest.of(text).hex();
  }

  private static byte[] legacyJson(Image image, String id, String parent) {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    json.put("id", id);
    if (!parent.isEmpty()) {
      json.put("parent", parent);
    }
    json.put("created", image.config().created().toString());
    json.put("architecture", image.config().platform().architecture());
    json.put("os", image.config().platform().os());
    return Manifest.json(json);
  }

  private static byte[] manifestJson(Image image, String configFile, List<String> layerFiles) {
    ArrayNode root = JsonNodeFactory.instance.arrayNode();
    ObjectNode entry = root.addObject();
    entry.put("Config", configFile);
    entry.putArray("RepoTags").add(image.name().toString());
    ArrayNode layers = entry.putArray("Layers");
    layerFiles.forEach(layers::add);
    return Manifest.json(root);
  }

  private static byte[] repositoriesJson(Image image, String topLayerId) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.putObject(image.name().repository()).put(image.name().tag(), topLayerId);
    return Manifest.json(root);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
