package dev.bale.image;

import java.util.List;

/**
 * What a format writer wrote.
 *
 * @param config the config blob
 * @param manifest the manifest blob, or null for formats that have none (Docker archives)
 * @param layers the layers, in order
 * @param bytes the number of bytes written to the destination
 */
public record WrittenImage(
    Descriptor config, Descriptor manifest, List<WrittenLayer> layers, long bytes) {
  /** Copies the layers. */
  public WrittenImage {
    layers = List.copyOf(layers);
  }
}
