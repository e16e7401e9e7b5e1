package dev.bale.image.docker;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bale.event.EventSink;
import dev.bale.event.Level;
import dev.bale.hash.Digest;
import dev.bale.image.Compression;
import dev.bale.image.Descriptor;
import dev.bale.image.Image;
import dev.bale.image.Json;
import dev.bale.image.Layer;
import dev.bale.image.LayerCache;
import dev.bale.image.LayerWriter;
import dev.bale.image.Manifest;
import dev.bale.image.Platform;
import dev.bale.image.WrittenImage;
import dev.bale.image.WrittenLayer;
import dev.bale.tar.TarEntry;
import dev.bale.tar.TarWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an image as a Docker archive: {@code ID/layer.tar}, {@code ID/VERSION} and {@code ID/json}
 * for each layer, the config as {@code HEX.json}, then {@code manifest.json} ({@code Config},
 * {@code RepoTags}, {@code Layers}) and {@code repositories}.
 *
 * <p>Loaders read {@code manifest.json} wherever it is in the archive, so it comes last and the
 * whole archive is written in one pass: a layer's directory is named by a digest of what the layer
 * holds (its store paths), known before its bytes. An uncompressed layer's size is known from the
 * sizes of its files; a compressed layer written to a file is streamed behind a placeholder header
 * filled in afterwards. Only a compressed layer written to a stream that cannot seek is compressed
 * twice: once to count its bytes, once to write them, unless a {@link LayerCache} knows its size.
 * Every layer written is recorded in the cache.
 */
public final class DockerArchiveWriter {
  private static final int FILE_MODE = 0644;
  private static final String PROGRESS = "writing layers";
  private static final int DIRECTORY_MODE = 0755;
  private static final int BUFFER = 1 << 16;

  private DockerArchiveWriter() {}

  /** Writes {@code image} to the start of the empty file open in {@code file}. */
  public static WrittenImage write(Image image, FileChannel file, EventSink events)
      throws IOException {
    return write(image, file, events, LayerCache.disabled());
  }

  /** Writes {@code image} to the start of {@code file}, recording its layers in {@code cache}. */
  public static WrittenImage write(
      Image image, FileChannel file, EventSink events, LayerCache cache) throws IOException {
    OutputStream out = new BufferedOutputStream(Channels.newOutputStream(file), BUFFER);
    return write(image, out, file, events, cache);
  }

  /** Writes {@code image} to {@code out}, which is closed at the end. */
  public static WrittenImage write(Image image, OutputStream out, EventSink events)
      throws IOException {
    return write(image, out, null, events, LayerCache.disabled());
  }

  /**
   * Writes {@code image} to {@code out}, which is closed at the end, taking compressed layer sizes
   * from {@code cache} when it knows them.
   */
  public static WrittenImage write(
      Image image, OutputStream out, EventSink events, LayerCache cache) throws IOException {
    return write(image, out, null, events, cache);
  }

  private static WrittenImage write(
      Image image, OutputStream out, FileChannel file, EventSink events, LayerCache cache)
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
        events.progressCount(PROGRESS, written.size(), image.layers().size());
        WrittenLayer result =
            writeLayer(archive, id + "/layer.tar", layer, image.compression(), file, cache);
        cache.record(layer, image.compression(), result);
        written.add(result);
        layerFiles.add(id + "/layer.tar");
        parent = id;
      }

      events.progressCount(PROGRESS, written.size(), image.layers().size());
      List<Digest> diffIds = written.stream().map(WrittenLayer::diffId).toList();
      byte[] config = image.config().toJson(image.layers(), diffIds);
      Digest configDigest = Digest.of(config);
      String configFile = configDigest.hex() + ".json";
      archive.file(configFile, FILE_MODE, config);
      archive.file("manifest.json", FILE_MODE, manifestJson(image, configFile, layerFiles));
      archive.file("repositories", FILE_MODE, repositoriesJson(image, parent));
      archive.finish();

      Descriptor configBlob = new Descriptor(Manifest.DOCKER_CONFIG, configDigest, config.length);
      return new WrittenImage(configBlob, null, written, archive.position());
    }
  }

  private static WrittenLayer writeLayer(
      TarWriter archive,
      String name,
      Layer layer,
      Compression compression,
      FileChannel file,
      LayerCache cache)
      throws IOException {
    if (compression != Compression.NONE && file != null) {
      Layer.Content content = layer.scan();
      TarWriter.DeferredFile entry = archive.beginDeferredFile();
      WrittenLayer result = cache.write(layer, content, compression, entry);
      entry.finish(name, FILE_MODE, file);
      return result;
    }
    if (compression == Compression.NONE) {
      Layer.Content content = layer.scan();
      try (OutputStream entry = archive.beginFile(name, FILE_MODE, content.tarSize())) {
        return LayerWriter.write(content, compression, entry);
      }
    }
    WrittenLayer counted = cache.digests(layer, compression);
    try (OutputStream entry = archive.beginFile(name, FILE_MODE, counted.size())) {
      WrittenLayer result = LayerWriter.write(layer.scan(), compression, entry, counted);
      cache.confirm(layer, compression, counted, result);
      return result;
    }
  }

  /** Returns a layer's legacy ID: a digest of its parent's ID and what it holds. */
  static String layerId(String parent, Layer layer) {
    byte[] text = (parent + "\n" + layer.identity()).getBytes(StandardCharsets.UTF_8);
    return Digest.of(text).hex();
  }

  private static byte[] legacyJson(Image image, String id, String parent) {
    ObjectNode json = Json.object();
    json.put("id", id);
    if (!parent.isEmpty()) {
      json.put("parent", parent);
    }
    json.put("created", image.config().created().toString());
    Platform platform = image.config().platform();
    json.put("architecture", platform.architecture());
    if (!platform.variant().isEmpty()) {
      json.put("variant", platform.variant());
    }
    json.put("os", platform.os());
    return Json.write(json);
  }

  private static byte[] manifestJson(Image image, String configFile, List<String> layerFiles) {
    ArrayNode root = Json.array();
    ObjectNode entry = root.addObject();
    entry.put("Config", configFile);
    entry.putArray("RepoTags").add(image.name().toString());
    ArrayNode layers = entry.putArray("Layers");
    layerFiles.forEach(layers::add);
    return Json.write(root);
  }

  private static byte[] repositoriesJson(Image image, String topLayerId) {
    ObjectNode root = Json.object();
    root.putObject(image.name().repository()).put(image.name().tag(), topLayerId);
    return Json.write(root);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
