package dev.bale.image.oci;

import dev.bale.event.EventSink;
import dev.bale.event.Level;
import dev.bale.hash.Digest;
import dev.bale.image.Compression;
import dev.bale.image.Descriptor;
import dev.bale.image.Image;
import dev.bale.image.Layer;
import dev.bale.image.LayerCache;
import dev.bale.image.LayerWriter;
import dev.bale.image.Manifest;
import dev.bale.image.WrittenImage;
import dev.bale.image.WrittenLayer;
import dev.bale.tar.TarEntry;
import dev.bale.tar.TarWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an image as an OCI layout in a tar archive: {@code oci-layout}, the blobs under {@code
 * blobs/sha256/}, then {@code index.json}.
 *
 * <p>A blob's entry is named by its digest, known only once its bytes are written. Written to a
 * file, a layer is streamed once behind a placeholder header that is filled in afterwards. Written
 * to a stream that cannot seek (standard output), each layer is produced twice, once to learn its
 * digest and size and once to write it, so nothing is spooled to disk; with a {@link LayerCache}
 * that knows the layer, the first pass is skipped. Every layer written is recorded in the cache.
 */
public final class OciArchiveWriter {
  private static final int FILE_MODE = 0644;
  private static final String PROGRESS = "writing layers";
  private static final int DIRECTORY_MODE = 0755;
  private static final int BUFFER = 1 << 16;

  private final Image image;
  private final EventSink events;
  private final LayerCache cache;

  private OciArchiveWriter(Image image, EventSink events, LayerCache cache) {
    this.image = image;
    this.events = events;
    this.cache = cache;
  }

  /** Writes {@code image} to the start of the empty file open in {@code file}. */
  public static WrittenImage write(Image image, FileChannel file, EventSink events)
      throws IOException {
    return write(image, file, events, LayerCache.disabled());
  }

  /** Writes {@code image} to the start of {@code file}, recording its layers in {@code cache}. */
  public static WrittenImage write(
      Image image, FileChannel file, EventSink events, LayerCache cache) throws IOException {
    OutputStream out = new BufferedOutputStream(Channels.newOutputStream(file), BUFFER);
    return new OciArchiveWriter(image, events, cache).write(out, new Patching(file, cache));
  }

  /** Writes {@code image} to {@code out}, which is closed at the end. */
  public static WrittenImage write(Image image, OutputStream out, EventSink events)
      throws IOException {
    return write(image, out, events, LayerCache.disabled());
  }

  /**
   * Writes {@code image} to {@code out}, which is closed at the end, taking layer digests from
   * {@code cache} when it knows them.
   */
  public static WrittenImage write(
      Image image, OutputStream out, EventSink events, LayerCache cache) throws IOException {
    OciArchiveWriter writer = new OciArchiveWriter(image, events, cache);
    return writer.write(out, writer::writeTwice);
  }

  private WrittenImage write(OutputStream out, LayerEntry layerEntry) throws IOException {
    try (TarWriter archive = new TarWriter(out)) {
      archive.file("oci-layout", FILE_MODE, OciDocuments.LAYOUT);
      archive.write(TarEntry.directory("blobs", DIRECTORY_MODE));
      archive.write(TarEntry.directory("blobs/sha256", DIRECTORY_MODE));

      List<WrittenLayer> written = new ArrayList<>();
      List<Descriptor> layerBlobs = new ArrayList<>();
      for (Layer layer : image.layers()) {
        events.log(Level.DEBUG, "writing layer: " + layer.description());
        WrittenLayer result = layerEntry.write(archive, layer, image.compression());
        cache.record(layer, image.compression(), result);
        events.progressCount(PROGRESS, written.size(), image.layers().size());
        written.add(result);
        layerBlobs.add(
            new Descriptor(image.compression().ociMediaType(), result.digest(), result.size()));
      }

      events.progressCount(PROGRESS, written.size(), image.layers().size());
      List<Digest> diffIds = written.stream().map(WrittenLayer::diffId).toList();
      Descriptor config =
          putBlob(archive, Manifest.OCI_CONFIG, image.config().toJson(image.layers(), diffIds));
      byte[] manifestJson = new Manifest(Manifest.OCI, config, layerBlobs).toJson();
      Descriptor manifest = putBlob(archive, Manifest.OCI, manifestJson);
      byte[] index = OciDocuments.index(null, OciDocuments.indexEntry(image, manifest));
      archive.file("index.json", FILE_MODE, index);
      archive.finish();
      return new WrittenImage(config, manifest, written, archive.position());
    }
  }

  private static Descriptor putBlob(TarWriter archive, String mediaType, byte[] bytes)
      throws IOException {
    Digest digest = Digest.of(bytes);
    archive.file(blobName(digest), FILE_MODE, bytes);
    return new Descriptor(mediaType, digest, bytes.length);
  }

  private static String blobName(Digest digest) {
    return "blobs/sha256/" + digest.hex();
  }

  private WrittenLayer writeTwice(TarWriter archive, Layer layer, Compression compression)
      throws IOException {
    WrittenLayer counted = cache.digests(layer, compression);
    String name = blobName(counted.digest());
    try (OutputStream entry = archive.beginFile(name, FILE_MODE, counted.size())) {
      WrittenLayer result = LayerWriter.write(layer.scan(), compression, entry, counted);
      cache.confirm(layer, compression, counted, result);
      return result;
    }
  }

  /** Writes one layer blob as an archive entry. */
  @FunctionalInterface
  private interface LayerEntry {
    WrittenLayer write(TarWriter archive, Layer layer, Compression compression) throws IOException;
  }

  /** Streams a layer once and then writes its header over the placeholder. */
  private record Patching(FileChannel file, LayerCache cache) implements LayerEntry {
    @Override
    public WrittenLayer write(TarWriter archive, Layer layer, Compression compression)
        throws IOException {
      Layer.Content content = layer.scan();
      TarWriter.DeferredFile entry = archive.beginDeferredFile();
      WrittenLayer result = cache.write(layer, content, compression, entry);
      entry.finish(blobName(result.digest()), FILE_MODE, file);
      return result;
    }
  }
}
