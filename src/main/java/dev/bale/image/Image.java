package dev.bale.image;

import java.util.List;
import java.util.Objects;

/**
 * An image to write: its name, config, planned layers and how layer blobs are compressed. Nothing
 * is read from disk until a format writes it.
 */
public record Image(
    ImageName name, ImageConfig config, List<Layer> layers, Compression compression) {
  /** Copies the layers. */
  public Image {
    Objects.requireNonNull(name);
    Objects.requireNonNull(config);
    Objects.requireNonNull(compression);
    layers = List.copyOf(layers);
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("an image needs a layer");
    }
  }
}
