package dev.bale.registry;

import dev.bale.hash.Digest;

/** A blob whose digest, size and media type are known before its bytes are produced. */
abstract class DescribedBlob implements Blob {
  private final Digest digest;
  private final long size;
  private final String mediaType;

  DescribedBlob(Digest digest, long size, String mediaType) {
    this.digest = digest;
    this.size = size;
    this.mediaType = mediaType;
  }

  @Override
  public final Digest digest() {
    return digest;
  }

  @Override
  public final long size() {
    return size;
  }

  @Override
  public final String mediaType() {
    return mediaType;
  }
}
