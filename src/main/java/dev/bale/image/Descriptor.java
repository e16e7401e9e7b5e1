package dev.bale.image;

import dev.bale.hash.Digest;
import java.util.Objects;

/** Names a blob: its media type, the digest of its bytes and their number. */
public record Descriptor(String mediaType, Digest digest, long size) {
  /** Checks the fields. */
  public Descriptor {
    Objects.requireNonNull(mediaType);
    Objects.requireNonNull(digest);
    if (size < 0) {
      throw new IllegalArgumentException("blob size " + size + " is negative");
    }
  }
}
