package dev.bale.registry;

import dev.bale.event.EventSink;
import dev.bale.event.Level;
import dev.bale.hash.Digest;
import dev.bale.image.Compression;
import dev.bale.image.Descriptor;
import dev.bale.image.Image;
import dev.bale.image.Layer;
import dev.bale.image.LayerCache;
import dev.bale.image.LayerWriter;
import dev.bale.image.WrittenLayer;
import java.io.IOException;
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
   * Returns {@code image} as an OCI image to push. A registry wants each layer's digest and size
   * before its upload: they come from {@code cache}, or else from reading the layer once here; the
   * layer is read (again) only if it is sent, as one of {@code uploadsAtOnce} that the client sends
   * at once ({@link RegistryClient#parallelUploads()}), which share the compression threads.
   *
   * @throws IOException if a store item cannot be read
   */
  public static PushImage of(Image image, LayerCache cache, EventSink events, int uploadsAtOnce)
      throws IOException {
    Compression compression = image.compression();
    List<Blob> layers = new ArrayList<>();
    List<Descriptor> descriptors = new ArrayList<>();
    List<Digest> diffIds = new ArrayList<>();
    for (Layer layer : image.layers()) {
      events.log(Level.DEBUG, "digesting layer: " + layer.description());
      events.progressCount(PROGRESS, layers.size(), image.layers().size());
      WrittenLayer announced = cache.digests(layer, compression);
      Descriptor descriptor =
          new Descriptor(compression.ociMediaType(), announced.digest(), announced.size());
      descriptors.add(descriptor);
      diffIds.add(announced.diffId());
      layers.add(streamed(layer, compression, descriptor, announced, cache, uploadsAtOnce));
    }
    events.progressCount(PROGRESS, layers.size(), image.layers().size());

    byte[] configJson = image.config().toJson(image.layers(), diffIds);
    Blob config = Blob.ofBytes(configJson, MediaTypes.OCI_CONFIG);
    Descriptor configDescriptor =
        new Descriptor(MediaTypes.OCI_CONFIG, config.digest(), config.size());
    byte[] manifestJson =
        new dev.bale.image.Manifest(MediaTypes.OCI_MANIFEST, configDescriptor, descriptors)
            .toJson();
    return new PushImage(new Manifest(MediaTypes.OCI_MANIFEST, manifestJson), config, layers);
  }

  /**
   * Returns {@code image} as an image to push with a manifest of {@code format}: for Docker, a
   * schema 2 manifest naming the same config and layers under their Docker media types; {@code
   * uploadsAtOnce} as in {@link #of(Image, LayerCache, EventSink, int)}.
   *
   * @throws RegistryException if the layers' compression has no media type in {@code format} (zstd
   *     in Docker), before any layer is read
   * @throws IOException if a store item cannot be read
   */
  public static PushImage of(
      Image image, ManifestFormat format, LayerCache cache, EventSink events, int uploadsAtOnce)
      throws IOException, RegistryException {
    if (format == ManifestFormat.OCI) {
      return of(image, cache, events, uploadsAtOnce);
    }
    // Only to refuse a compression the format has no media type for, before any layer is read.
    MediaTypes.convert(image.compression().ociMediaType(), format);
    PushImage oci = of(image, cache, events, uploadsAtOnce);
    return PushImage.of(format, oci.config(), oci.layers());
  }

  /** Returns the platform an index names {@code image} with. */
  public static Platform platformOf(Image image) {
    dev.bale.image.Platform platform = image.config().platform();
    return new Platform(platform.os(), platform.architecture(), platform.variant());
  }

  /**
   * Returns a blob that writes {@code layer}, checking that it has the digests announced for it; a
   * mismatch drops the cache's entry, as the cache may be what was wrong.
   */
  private static Blob streamed(
      Layer layer,
      Compression compression,
      Descriptor descriptor,
      WrittenLayer announced,
      LayerCache cache,
      int uploadsAtOnce) {
    return Blob.of(
        descriptor.digest(),
        descriptor.size(),
        descriptor.mediaType(),
        out -> {
          WrittenLayer written =
              LayerWriter.write(layer.scan(), compression, out, announced, uploadsAtOnce);
          cache.confirm(layer, compression, announced, written);
        });
  }
}
