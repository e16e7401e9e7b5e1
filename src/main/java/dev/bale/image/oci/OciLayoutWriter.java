package dev.bale.image.oci;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Writes an image into an OCI layout directory, creating it or adding to an existing one.
 *
 * <p>A layer is written once, to a temporary file beside the blobs, while its digests are computed;
 * it is then renamed to its digest, unless a blob of that digest is already there, which is left
 * untouched. {@code index.json} is replaced last, atomically, so a failure leaves the layout as
 * valid as it was (at worst with unreferenced blobs).
 *
 * <p>With a {@link LayerCache}, a layer the cache knows whose blob the layout holds already is not
 * built at all: none of its store files is opened. Every layer built is recorded in the cache.
 *
 * <p>Layers are written concurrently, up to one per processor, each to its own temporary file; a
 * blob's bytes depend only on its layer, so the layout is the same as sequential writing gives.
 */
public final class OciLayoutWriter {
  private static final int BUFFER = 1 << 16;
  private static final String PROGRESS = "writing layers";
  // Temporary files are private by default; blobs are for everyone to read.
  private static final FileAttribute<?> READABLE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--"));

  private OciLayoutWriter() {}

  /** Writes {@code image} into the layout at {@code directory}, with no layer cache. */
  public static WrittenImage write(Image image, Path directory, EventSink events)
      throws IOException {
    return write(image, directory, events, LayerCache.disabled());
  }

  /**
   * Writes {@code image} into the layout at {@code directory}, skipping the layers that {@code
   * cache} knows and the layout holds.
   */
  public static WrittenImage write(Image image, Path directory, EventSink events, LayerCache cache)
      throws IOException {
    // LIMITATION: a failure after some layers were renamed into an existing layout leaves them
    // there, unreferenced (index.json is unchanged): deleting them could pull a blob from under
    // a concurrent pack into the same layout that found it present. Users see the layout grow by
    // those blobs; removing them safely needs a lock on the layout or a layout gc.
    Path blobs = directory.resolve("blobs").resolve(Digest.ALGORITHM);
    Files.createDirectories(blobs);
    Path layout = directory.resolve("oci-layout");
    if (!Files.exists(layout)) {
      replace(layout, OciDocuments.LAYOUT);
    }

    List<WrittenLayer> written = writeLayers(blobs, image, events, cache);
    long bytes = written.stream().mapToLong(WrittenLayer::size).sum();
    List<Descriptor> layerBlobs = new ArrayList<>();
    for (WrittenLayer result : written) {
      layerBlobs.add(
          new Descriptor(image.compression().ociMediaType(), result.digest(), result.size()));
    }

    events.progressCount(PROGRESS, written.size(), image.layers().size());
    List<Digest> diffIds = written.stream().map(WrittenLayer::diffId).toList();
    Descriptor config =
        putBlob(blobs, Manifest.OCI_CONFIG, image.config().toJson(image.layers(), diffIds));
    byte[] manifestJson = new Manifest(Manifest.OCI, config, layerBlobs).toJson();
    Descriptor manifest = putBlob(blobs, Manifest.OCI, manifestJson);

    Path indexFile = directory.resolve("index.json");
    JsonNode existing =
        Files.exists(indexFile) ? OciDocuments.parse(Files.readAllBytes(indexFile)) : null;
    byte[] index = OciDocuments.index(existing, OciDocuments.indexEntry(image, manifest));
    replace(indexFile, index);
    bytes += config.size() + manifest.size() + index.length + OciDocuments.LAYOUT.length;
    return new WrittenImage(config, manifest, written, bytes);
  }

  /**
   * Writes the layers that are not in the layout already, up to one per processor at a time, each
   * to its own temporary file; returns them all in image order. Events go out from this thread
   * only, as sinks need not be thread-safe.
   */
  private static List<WrittenLayer> writeLayers(
      Path blobs, Image image, EventSink events, LayerCache cache) throws IOException {
    List<Layer> layers = image.layers();
    int threads = Math.min(layers.size(), Runtime.getRuntime().availableProcessors());
    ExecutorService pool = Executors.newFixedThreadPool(threads, OciLayoutWriter::daemon);
    try {
      Compression compression = image.compression();
      List<Future<WrittenLayer>> pending = new ArrayList<>();
      List<WrittenLayer> cached = new ArrayList<>();
      List<Boolean> built = new ArrayList<>();
      for (Layer layer : layers) {
        WrittenLayer known = cache.lookup(layer, compression).orElse(null);
        boolean present = known != null && whole(blobs, known);
        if (present) {
          events.log(Level.DEBUG, "layer in cache and layout: " + layer.description());
          pending.add(CompletableFuture.completedFuture(known));
        } else {
          events.log(Level.DEBUG, "writing layer: " + layer.description());
          pending.add(pool.submit(() -> writeLayer(blobs, layer, compression, known, threads)));
        }
        cached.add(known);
        built.add(!present);
      }

      List<WrittenLayer> written = new ArrayList<>();
      for (int i = 0; i < layers.size(); i++) {
        events.progressCount(PROGRESS, written.size(), layers.size());
        WrittenLayer result = await(pending.get(i));
        if (built.get(i) && cached.get(i) != null) {
          cache.confirm(layers.get(i), compression, cached.get(i), result);
        } else if (built.get(i)) {
          cache.record(layers.get(i), compression, result);
        }
        written.add(result);
      }
      events.progressCount(PROGRESS, written.size(), layers.size());
      return written;
    } finally {
      stop(pool);
    }
  }

  private static Thread daemon(Runnable task) {
    Thread thread = new Thread(task, "bale-layer");
    thread.setDaemon(true);
    return thread;
  }

  private static WrittenLayer await(Future<WrittenLayer> layer) throws IOException {
    try {
      return layer.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing layers");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IOException(cause);
    }
  }

  /** Ends the pool and waits, so that no layer still writes when the caller goes on. */
  private static void stop(ExecutorService pool) throws IOException {
    pool.shutdownNow();
    try {
      // A layer that was interrupted deletes its temporary file as it ends.
      pool.awaitTermination(Long.MAX_VALUE, TimeUnit.DAYS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while stopping layer writers");
    }
  }

  /** Tells whether the layout holds the blob of the layer the cache {@code known}, whole. */
  private static boolean whole(Path blobs, WrittenLayer known) throws IOException {
    Path blob = blobs.resolve(known.digest().hex());
    // Blobs are named by digest and renamed into place only when complete; a size check still
    // catches a blob truncated by hand.
    return Files.isRegularFile(blob) && Files.size(blob) == known.size();
  }

  /**
   * Writes {@code layer} into the layout, as one of {@code layers} written at once; {@code known}
   * is what the cache recorded of it, or null, and the caller checks the result against it.
   */
  private static WrittenLayer writeLayer(
      Path blobs, Layer layer, Compression compression, WrittenLayer known, int layers)
      throws IOException {
    Layer.Content content = layer.scan();
    Path temporary = Files.createTempFile(blobs, ".layer-", ".tmp", READABLE);
    try {
      WrittenLayer result;
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temporary), BUFFER)) {
        result = LayerWriter.write(content, compression, out, known, layers);
      }
      settle(temporary, blobs.resolve(result.digest().hex()));
      return result;
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  private static Descriptor putBlob(Path blobs, String mediaType, byte[] bytes) throws IOException {
    Digest digest = Digest.of(bytes);
    Path blob = blobs.resolve(digest.hex());
    if (!Files.exists(blob)) {
      replace(blob, bytes);
    }
    return new Descriptor(mediaType, digest, bytes.length);
  }

  /** Moves a finished blob to its name, or drops it when a blob of that digest exists. */
  private static void settle(Path temporary, Path blob) throws IOException {
    if (Files.exists(blob)) {
      return;
    }
    try {
      Files.move(temporary, blob, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException e) {
      // Another writer put the same blob there first; its bytes are the same.
    }
  }

  /** Writes {@code file} through a temporary file and a rename, so it is never seen half done. */
  static void replace(Path file, byte[] bytes) throws IOException {
    Path temporary =
        Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp", READABLE);
    try {
      Files.write(temporary, bytes);
      Files.move(
          temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }
}
