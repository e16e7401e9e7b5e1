package dev.bale.image;

import dev.bale.compress.ParallelGzipOutputStream;
import dev.bale.compress.ParallelZstdOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;

/**
 * How layer blobs are compressed. Each codec writes the same bytes for the same input on every
 * machine, whatever its number of processors: gzip without a time or a name in its header, zstd at
 * a fixed level.
 */
public enum Compression {
  NONE("", "application/vnd.docker.image.rootfs.diff.tar"),
  GZIP("+gzip", "application/vnd.docker.image.rootfs.diff.tar.gzip"),
  // Docker defines no zstd layer type of its own; its tools accept the OCI one.
  ZSTD("+zstd", "application/vnd.oci.image.layer.v1.tar+zstd");

  private final String ociSuffix;
  private final String dockerMediaType;

  Compression(String ociSuffix, String dockerMediaType) {
    this.ociSuffix = ociSuffix;
    this.dockerMediaType = dockerMediaType;
  }

  /**
   * Returns the compression named {@code name} ({@code none}, {@code gzip}, {@code zstd}).
   *
   * @throws ImageException for any other name
   */
  public static Compression parse(String name) throws ImageException {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ImageException("unknown compression '" + name + "': use none, gzip or zstd", e);
    }
  }

  /** Returns the media type of an OCI layer compressed this way. */
  public String ociMediaType() {
    return "application/vnd.oci.image.layer.v1.tar" + ociSuffix;
  }

  /** Returns the media type of a Docker layer compressed this way. */
  public String dockerMediaType() {
    return dockerMediaType;
  }

  /**
   * Returns a stream that compresses what it is given into {@code out} on every processor; closing
   * it finishes the compressed stream and closes {@code out}.
   */
  public OutputStream wrap(OutputStream out) throws IOException {
    return wrap(out, 1);
  }

  /**
   * Returns a stream that compresses into {@code out} as one of {@code streams} written at once,
   * which share the processors. gzip blocks go to one pool for the whole process whatever the
   * count; zstd gets its share of worker threads, at least one, since each worker costs several
   * megabytes of job buffers while more workers than processors only wait. Neither count changes
   * the compressed bytes.
   */
  public OutputStream wrap(OutputStream out, int streams) throws IOException {
    int processors = Runtime.getRuntime().availableProcessors();
    return switch (this) {
      case NONE -> out;
      case GZIP -> new ParallelGzipOutputStream(out);
      case ZSTD ->
          new ParallelZstdOutputStream(
              out, ParallelZstdOutputStream.DEFAULT_LEVEL, Math.max(1, processors / streams));
    };
  }

  /**
   * Returns what decides the compressed bytes besides the input: the codec, its level and the
   * library that implements it. A layer cache keys on it, so that a new level or library misses.
   */
  public String identity() {
    return switch (this) {
      case NONE -> "none";
      case GZIP ->
          "gzip "
              + ParallelGzipOutputStream.DEFAULT_LEVEL
              + " bale-deflate "
              + ParallelGzipOutputStream.ENCODER_VERSION;
      case ZSTD ->
          "zstd "
              + ParallelZstdOutputStream.DEFAULT_LEVEL
              + " zstd-jni "
              + ParallelZstdOutputStream.LIBRARY_VERSION;
    };
  }

  /** Returns the lower-case name used on the command line. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
