package dev.bale.compress;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import com.github.luben.zstd.util.ZstdVersion;
import java.io.IOException;
import java.io.OutputStream;

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
 * along with its native memory: a stream that is never closed leaks both.
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

  private final ZstdOutputStreamNoFinalizer zstd;
  private final OutputStream out;

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
    this.zstd = open(out, level, Math.max(1, workers));
  }

  private static ZstdOutputStreamNoFinalizer open(OutputStream out, int level, int workers)
      throws IOException {
    try {
      ZstdOutputStreamNoFinalizer zstd = new ZstdOutputStreamNoFinalizer(out, level);
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
    zstd.write(b);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    zstd.write(b, off, len);
  }

  /** Flushes the underlying stream only; the data zstd holds stays there until close. */
  @Override
  public void flush() throws IOException {
    out.flush();
  }

  /** Ends the frame, closes the underlying stream and frees zstd's memory and threads. */
  @Override
  public void close() throws IOException {
    // zstd-jni skips closing the underlying stream when ending the frame fails; this does not.
    try (OutputStream target = out) {
      zstd.closeWithoutClosingParentStream();
    }
  }
}
