package dev.bale.image;

import java.util.List;

/**
 * What a format writer wrote.
 *
 * @param config the config blob
 * @param manifest the manifest blob, or null for formats that have none (Docker archives)
 * @param layers the layers, in order
 * @param bytes the size of the image where it went: the whole archive, or in a layout directory the
 *     files the image uses (its blobs, {@code index.json} and {@code oci-layout}), whether this run
 *     wrote them or found them there
 */
public record WrittenImage(
    Descriptor config, Descriptor manifest, List<WrittenLayer> layers, long bytes) {
  /** Copies the layers. */
  public WrittenImage {
    layers = List.copyOf(layers);
  }
}
