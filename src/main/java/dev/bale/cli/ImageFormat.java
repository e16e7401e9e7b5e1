package dev.bale.cli;

import dev.bale.event.EventSink;
import dev.bale.image.Compression;
import dev.bale.image.Image;
import dev.bale.image.LayerCache;
import dev.bale.image.WrittenImage;
import dev.bale.image.docker.DockerArchiveWriter;
import dev.bale.image.oci.OciArchiveWriter;
import dev.bale.image.oci.OciLayoutWriter;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The image formats {@code bale pack} writes, and how each goes to a file or a stream. */
enum ImageFormat {
  DOCKER("docker", Compression.NONE, ".tar"),
  OCI("oci", Compression.GZIP, "-oci.tar"),
  OCI_DIR("oci-dir", Compression.GZIP, "-oci");

  private static final int BUFFER = 1 << 16;

  private final String name;
  private final Compression defaultCompression;
  private final String suffix;

  ImageFormat(String name, Compression defaultCompression, String suffix) {
    this.name = name;
    this.defaultCompression = defaultCompression;
    this.suffix = suffix;
  }

  /** Returns the format called {@code name} on the command line. */
  static ImageFormat parse(String name) {
    for (ImageFormat format : values()) {
      if (format.name.equals(name)) {
        return format;
      }
    }
    throw new UsageException("unknown image format '" + name + "': use docker, oci or oci-dir");
  }

  /** Tells whether the format is one stream of bytes, which can go to standard output. */
  boolean streams() {
    return this != OCI_DIR;
  }

  /** Returns the layer compression used when none is asked for. */
  Compression defaultCompression() {
    return defaultCompression;
  }

  /** Returns the output name used when none is given, from the image's short name. */
  String defaultOutput(String shortName) {
    return shortName + suffix;
  }

  /**
   * Writes {@code image} to {@code output}: a new file or directory that appears complete or not at
   * all, or into an existing OCI layout directory.
   */
  WrittenImage write(Image image, Path output, EventSink events) throws IOException {
    return write(image, output, events, LayerCache.disabled());
  }

  /** Writes {@code image} to {@code output} as {@link #write(Image, Path, EventSink)}, cached. */
  WrittenImage write(Image image, Path output, EventSink events, LayerCache cache)
      throws IOException {
    if (this == OCI_DIR) {
      return writeDirectory(image, output, events, cache);
    }
    try (OutputTarget target = OutputTarget.file(output)) {
      WrittenImage written;
      try (FileChannel channel = FileChannel.open(target.temporary(), StandardOpenOption.WRITE)) {
        written =
            this == OCI
                ? OciArchiveWriter.write(image, channel, events, cache)
                : DockerArchiveWriter.write(image, channel, events, cache);
      }
      target.commit();
      return written;
    }
  }

  /** Writes {@code image} to standard output, with no temporary copy anywhere. */
  WrittenImage writeToStandardOutput(Image image, EventSink events) throws IOException {
    return writeToStandardOutput(image, events, LayerCache.disabled());
  }

  /** Writes {@code image} to standard output, taking layer digests from {@code cache}. */
  WrittenImage writeToStandardOutput(Image image, EventSink events, LayerCache cache)
      throws IOException {
    if (!streams()) {
      throw new IllegalStateException("an OCI layout directory cannot go to standard output");
    }
    // The writers close what they are given; standard output must stay open for the summary.
    OutputStream out =
        new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), BUFFER) {
          @Override
          public void close() throws IOException {
            flush();
          }
        };
    return this == OCI
        ? OciArchiveWriter.write(image, out, events, cache)
        : DockerArchiveWriter.write(image, out, events, cache);
  }

  private static WrittenImage writeDirectory(
      Image image, Path output, EventSink events, LayerCache cache) throws IOException {
    if (Files.isDirectory(output)) {
      if (!Files.isRegularFile(output.resolve("oci-layout"))) {
        throw new IOException(
            "cannot write an OCI layout into '"
                + output
                + "': it is a directory without an"
                + " oci-layout file; give a new name or an existing layout");
      }
      return OciLayoutWriter.write(image, output, events, cache);
    }
    if (Files.exists(output)) {
      throw new IOException("cannot write an OCI layout to '" + output + "': it is a file");
    }
    try (OutputTarget target = OutputTarget.directory(output)) {
      WrittenImage written = OciLayoutWriter.write(image, target.temporary(), events, cache);
      target.commit();
      return written;
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
