package dev.bale.image;

import dev.bale.hash.Digest;
import dev.bale.hash.DigestingOutputStream;
import dev.bale.hash.PipelinedDigestingOutputStream;
import dev.bale.tar.TarEntry;
import dev.bale.tar.TarWriter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes a layer blob in one pass: the tar goes through the compressor to the destination while
 * both the diff ID and the blob digest are computed, so no layer is ever held in memory or read
 * twice. The diff ID, a digest of every byte of the tar, is computed on a thread of its own beside
 * the reading and compressing.
 */
public final class LayerWriter {
  /**
   * The version of the rules that turn store items into layer tars (entry order, headers, times,
   * owners, modes, long names, parent directories). Any change to {@code TarWriter}, {@code
   * TreeScanner} or {@link Layer#scan()} that changes a layer's bytes must increase it, so that the
   * {@link LayerCache} misses instead of naming old digests.
   */
  public static final int RULES_VERSION = 1;

  private LayerWriter() {}

  /**
   * Writes the tar of {@code content}, compressed with {@code compression}, to {@code out}, which
   * stays open.
   */
  public static WrittenLayer write(Layer.Content content, Compression compression, OutputStream out)
      throws IOException {
    return write(content, compression, out, null);
  }

  /**
   * Writes the layer as {@link #write(Layer.Content, Compression, OutputStream)} does, given what a
   * {@link LayerCache} recorded of it ({@code known}, or null). A compressed layer the cache knows
   * does not get its diff ID computed again, the larger of the two digests: only the blob is
   * hashed, and the diff ID returned is the recorded one. That is sound once the caller has checked
   * the blob digest against the record ({@link LayerCache#confirm}): a blob with the recorded
   * digest holds the recorded bytes, whose tar has the recorded diff ID.
   */
  public static WrittenLayer write(
      Layer.Content content, Compression compression, OutputStream out, WrittenLayer known)
      throws IOException {
    return write(content, compression, out, known, 1);
  }

  /**
   * Writes the layer as {@link #write(Layer.Content, Compression, OutputStream, WrittenLayer)}
   * does, as one of {@code layers} written at once, which share the compression threads ({@link
   * Compression#wrap(OutputStream, int)}).
   */
  public static WrittenLayer write(
      Layer.Content content,
      Compression compression,
      OutputStream out,
      WrittenLayer known,
      int layers)
      throws IOException {
    if (compression == Compression.NONE) {
      // An uncompressed blob is its own tar: its digest is its diff ID, computed once.
      PipelinedDigestingOutputStream tar = new PipelinedDigestingOutputStream(new KeepOpen(out));
      writeTar(content, tar);
      checkSize(tar.size(), content);
      Digest digest = tar.digest();
      return new WrittenLayer(digest, tar.size(), digest, tar.size());
    }
    DigestingOutputStream blob = new DigestingOutputStream(new KeepOpen(out));
    OutputStream compressed = compression.wrap(blob, layers);
    if (known != null) {
      Counting tar = new Counting(compressed);
      writeTar(content, tar);
      checkSize(tar.size, content);
      return new WrittenLayer(blob.digest(), blob.size(), known.diffId(), tar.size);
    }
    PipelinedDigestingOutputStream tar = new PipelinedDigestingOutputStream(compressed);
    writeTar(content, tar);
    checkSize(tar.size(), content);
    return new WrittenLayer(blob.digest(), blob.size(), tar.digest(), tar.size());
  }

  /** Writes the entries of {@code content} as a tar to {@code tar} and closes it. */
  private static void writeTar(Layer.Content content, OutputStream tar) throws IOException {
    try (TarWriter writer = new TarWriter(tar)) {
      for (TarEntry entry : content.entries()) {
        writer.write(entry);
      }
    }
  }

  private static void checkSize(long size, Layer.Content content) {
    if (size != content.tarSize()) {
      throw new IllegalStateException(
          "layer tar has " + size + " bytes, not the planned " + content.tarSize());
    }
  }

  /** Counts the bytes of the tar on their way to the compressor. */
  private static final class Counting extends FilterOutputStream {
    long size;

    Counting(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      size++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      size += len;
    }
  }

  /** Flushes instead of closing, so a layer can be one entry among others in a stream. */
  private static final class KeepOpen extends FilterOutputStream {
    KeepOpen(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}
