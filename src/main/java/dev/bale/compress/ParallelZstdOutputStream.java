package dev.bale.compress;

import com.github.luben.zstd.EndDirective;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.util.ZstdVersion;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Compresses a stream as one zstd frame with zstd's own worker threads, into bytes that depend only
 * on the input and the level.
 *
 * <p>zstd's multithreaded mode cuts the input into jobs whose size follows from the level alone, so
 * it writes the same bytes for any number of workers from 1 up, and for any way the caller splits
 * its writes; its single-threaded mode (0 workers) writes different bytes. This stream therefore
 * always runs at least one worker: a request for 0 gets 1. For the same reason {@link #flush()}
 * only flushes the underlying stream, since a zstd flush would end the current job early and change
 * the bytes.
 *
 * <p>The workers are native threads that zstd starts for each stream and ends in {@link #close()},
 * along with its native memory: a stream that is never closed leaks both. Input and output pass
 * through direct buffers from a {@link DirectBufferPool}, so zstd never holds a critical region of
 * the JVM, not even while it waits for a worker to take the next job.
 *
 * <p>Frames carry the 4-byte content checksum, as the {@code zstd} command writes by default, so
 * {@code zstd -t} and every decoder verify them; they carry no content size, which a stream does
 * not know in advance.
 */
// LIMITATION: the bytes are a function of the input, the level and the zstd version inside
// zstd-jni. Upgrading zstd-jni may change layer digests (not their content); a fix would pin
// the library version in the image metadata or keep a digest cache keyed by it.
public final class ParallelZstdOutputStream extends OutputStream {
  /** The level used when none is given, the same as the {@code zstd} command's. */
  public static final int DEFAULT_LEVEL = 3;

  /** The version of zstd-jni in use, which names the zstd inside it. */
  public static final String LIBRARY_VERSION = ZstdVersion.VERSION;

  /** The size of zstd's blocks, and the input size it suggests for streaming. */
  private static final int BUFFER_SIZE = 128 * 1024;

  private static final DirectBufferPool BUFFERS = new DirectBufferPool(BUFFER_SIZE);

  private final OutputStream out;
  private final ZstdCompressCtx zstd;
  private final ByteBuffer input = BUFFERS.take();
  private final ByteBuffer output = BUFFERS.take();
  private final byte[] transfer = new byte[BUFFER_SIZE];
  private boolean failed;
  private boolean closed;

  /** Compresses into {@code out} at the default level with one worker per processor. */
  public ParallelZstdOutputStream(OutputStream out) throws IOException {
    this(out, DEFAULT_LEVEL, Runtime.getRuntime().availableProcessors());
  }

  /**
   * Compresses into {@code out} at {@code level} (1 to 22) with {@code workers} threads of zstd's
   * own, at least one whatever is asked.
   */
  public ParallelZstdOutputStream(OutputStream out, int level, int workers) throws IOException {
    if (level < 1 || level > 22) {
      throw new IllegalArgumentException("zstd level must be 1 to 22, not " + level);
    }
    this.out = out;
    this.zstd = open(level, Math.max(1, workers));
  }

  private static ZstdCompressCtx open(int level, int workers) throws IOException {
    try {
      ZstdCompressCtx zstd = new ZstdCompressCtx();
      zstd.setLevel(level);
      zstd.setWorkers(workers);
      zstd.setChecksum(true);
      return zstd;
    } catch (LinkageError e) {
      throw new IOException(
          "cannot start zstd compression: the zstd-jni native library did not load on '"
              + System.getProperty("os.name")
              + "/"
              + System.getProperty("os.arch")
              + "'; use gzip layers instead",
          e);
    }
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    ensureOpen();
    while (len > 0) {
      int n = Math.min(len, input.remaining());
      input.put(b, off, n);
      off += n;
      len -= n;
      if (!input.hasRemaining()) {
        compress(EndDirective.CONTINUE);
      }
    }
  }

  /**
   * Hands the buffered input to zstd and writes what it gives back; with {@code END}, also ends the
   * frame and writes all of it.
   */
  private void compress(EndDirective directive) throws IOException {
    try {
      input.flip();
      boolean done;
      do {
        done = zstd.compressDirectByteBufferStream(output, input, directive);
        output.flip();
        while (output.hasRemaining()) {
          int n = Math.min(output.remaining(), transfer.length);
          output.get(transfer, 0, n);
          out.write(transfer, 0, n);
        }
        output.clear();
      } while (input.hasRemaining() || (directive == EndDirective.END && !done));
      input.clear();
    } catch (IOException | RuntimeException e) {
      failed = true;
      throw e;
    }
  }

  /** Flushes the underlying stream only; the data zstd holds stays there until close. */
  @Override
  public void flush() throws IOException {
    out.flush();
  }

  /**
   * Ends the frame, closes the underlying stream and frees zstd's memory and threads; after a
   * failure, only closes the stream and frees.
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;

    try (OutputStream target = out) {
      if (!failed) {
        // Input that reaches zstd only with the end of the frame tells it the content size, and
        // zstd then compresses a small one on a single thread, into other bytes: hand it over
        // first.
        if (input.position() > 0) {
          compress(EndDirective.CONTINUE);
        }
        compress(EndDirective.END);
      }
    } finally {
      zstd.close();
      BUFFERS.give(input);
      BUFFERS.give(output);
    }
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("cannot write to a closed zstd stream");
    }
    if (failed) {
      throw new IOException("cannot write to a zstd stream after an earlier write failed");
    }
  }
}
