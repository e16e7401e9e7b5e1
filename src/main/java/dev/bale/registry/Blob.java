package dev.bale.registry;

import dev.bale.hash.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A blob to push: a config or a layer, known by its digest, size and media type, whose bytes can be
 * produced as many times as a retry needs. The bytes may come from a file, from memory or from a
 * callback that writes them, such as a layer streamed out of the store.
 */
public interface Blob {
  /** Returns the digest of the bytes. */
  Digest digest();

  /** Returns the number of bytes. */
  long size();

  /** Returns the media type that descriptors give the blob. */
  String mediaType();

  /**
   * Writes the bytes to {@code out}, from the first; called again for each retry.
   *
   * @throws IOException if the bytes cannot be produced or written
   */
  void writeTo(OutputStream out) throws IOException;

  /**
   * Opens the bytes for reading from the first. The default runs {@link #writeTo} on a thread of
   * its own through a pipe; blobs that can read directly override it.
   *
   * @throws IOException if the bytes cannot be opened
   */
  default InputStream open() throws IOException {
    return new BlobPipe(this);
  }

  /** Returns a blob whose bytes {@code writer} produces; the digest and size must match them. */
  static Blob of(Digest digest, long size, String mediaType, BlobWriter writer) {
    return new DescribedBlob(digest, size, mediaType) {
      @Override
      public void writeTo(OutputStream out) throws IOException {
        writer.writeTo(out);
      }
    };
  }

  /** Returns a blob held in memory, digesting it. */
  static Blob ofBytes(byte[] bytes, String mediaType) {
    byte[] copy = bytes.clone();
    return new DescribedBlob(Digest.of(copy), copy.length, mediaType) {
      @Override
      public void writeTo(OutputStream out) throws IOException {
        out.write(copy);
      }

      @Override
      public InputStream open() {
        return new ByteArrayInputStream(copy);
      }
    };
  }

  /**
   * Returns a blob made of {@code size} bytes of {@code file} from {@code offset}, such as a whole
   * layer file or a member of a tar archive. The caller vouches for the digest.
   */
  static Blob ofFileRegion(Path file, long offset, long size, Digest digest, String mediaType) {
    return new DescribedBlob(digest, size, mediaType) {
      @Override
      public void writeTo(OutputStream out) throws IOException {
        try (InputStream in = open()) {
          in.transferTo(out);
        }
      }

      @Override
      public InputStream open() throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        channel.position(offset);
        return new BoundedInputStream(Channels.newInputStream(channel), size);
      }
    };
  }

  /** Produces the bytes of a blob by writing them to a stream. */
  @FunctionalInterface
  interface BlobWriter {
    /** Writes the bytes to {@code out}, from the first. */
    void writeTo(OutputStream out) throws IOException;
  }
}
