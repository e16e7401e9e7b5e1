package dev.bale.registry;

import dev.bale.event.EventSink;
import dev.bale.event.Level;
import dev.bale.hash.Digest;
import dev.bale.image.Compression;
import dev.bale.image.Descriptor;
import dev.bale.image.Image;
import dev.bale.image.Layer;
import dev.bale.image.LayerWriter;
import dev.bale.image.WrittenLayer;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns an image planned from store items into blobs a registry can take, streaming each layer
 * straight from the store: nothing is written to disk. The manifest and config are the very bytes
 * an OCI layout of the same image holds, so a push and a pack give the same digests.
 */
public final class StoreImage {
  private static final String PROGRESS = "digesting layers";

  private StoreImage() {}

  /**
   * Returns {@code image} as an OCI image to push. Each layer is read once here to learn its digest
   * and size, which a registry wants before the upload, and again only if it is sent.
   *
   * @throws IOException if a store item cannot be read
   */
  public static PushImage of(Image image, EventSink events) throws IOException {
    Compression compression = image.compression();
    List<Blob> layers = new ArrayList<>();
    List<Descriptor> descriptors = new ArrayList<>();
    List<Digest> diffIds = new ArrayList<>();
    for (Layer layer : image.layers()) {
      events.log(Level.DEBUG, "digesting layer: " + layer.description());
      events.progress(PROGRESS, layers.size(), image.layers().size());
      WrittenLayer written = describe(layer, compression);
      Descriptor descriptor =
          new Descriptor(compression.ociMediaType(), written.digest(), written.size());
      descriptors.add(descriptor);
      diffIds.add(written.diffId());
      layers.add(streamed(layer, compression, descriptor));
    }
    events.progress(PROGRESS, layers.size(), image.layers().size());

    byte[] configJson = image.config().toJson(image.layers(), diffIds);
    Blob config = Blob.ofBytes(configJson, MediaTypes.OCI_CONFIG);
    Descriptor configDescriptor =
        new Descriptor(MediaTypes.OCI_CONFIG, config.digest(), config.size());
    byte[] manifestJson =
        new dev.bale.image.Manifest(MediaTypes.OCI_MANIFEST, configDescriptor, descriptors)
            .toJson();
    return new PushImage(new Manifest(MediaTypes.OCI_MANIFEST, manifestJson), config, layers);
  }

  /** Returns the platform an index names {@code image} with. */
  public static Platform platformOf(Image image) {
    dev.bale.image.Platform platform = image.config().platform();
    return new Platform(platform.os(), platform.architecture(), platform.variant());
  }

  /**
   * Returns the digests and sizes of {@code layer} compressed with {@code compression}, found by
   * writing it to a stream that only counts and digests. This is the one place a push learns them,
   * so a cache of layer digests belongs here.
   */
  static WrittenLayer describe(Layer layer, Compression compression) throws IOException {
    return LayerWriter.write(layer.scan(), compression, OutputStream.nullOutputStream());
  }

  /** Returns a blob that writes {@code layer} again, checking it still has its digest. */
  private static Blob streamed(Layer layer, Compression compression, Descriptor descriptor) {
    return Blob.of(
        descriptor.digest(),
        descriptor.size(),
        descriptor.mediaType(),
        out -> {
          WrittenLayer written = LayerWriter.write(layer.scan(), compression, out);
          if (!written.digest().equals(descriptor.digest())) {
            throw new IOException(
                "layer '"
                    + layer.description()
                    + "' changed while it was pushed: its digest was "
                    + descriptor.digest()
                    + ", now "
                    + written.digest());
          }
        });
  }
}
