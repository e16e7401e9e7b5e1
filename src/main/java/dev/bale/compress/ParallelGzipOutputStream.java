package dev.bale.compress;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Compresses a stream as gzip on several threads, into bytes that depend only on the input and
 * the level.
 *
 * <p>The input is cut into blocks of {@value #BLOCK_SIZE} bytes at fixed offsets. Each block is
 * deflated on its own, primed with the 32 KiB of input before it as a preset dictionary so that
 * matches across a cut are still found, and ends with a sync flush (the last one with the final
 * deflate block); the blocks concatenated form one ordinary deflate stream that {@code gzip -d}
 * and {@link java.util.zip.GZIPInputStream} read. Cuts never depend on how the caller splits its
 * writes, on {@link #flush()} or on the number of threads, so neither do the bytes.
 *
 * <p>The gzip header (RFC 1952) carries no file name and a modification time of 0, so the same
 * input always gives the same layer digest; its OS byte is 255, "unknown", because the bytes must
 * not depend on the machine that wrote them. The extra-flags byte is 2 for level 9, 4 for level 1
 * and 0 otherwise, as the RFC suggests.
 *
 * <p>Blocks are compressed on an {@link Executor} the caller supplies (or a shared pool with one
 * thread per processor), with a bounded number in flight, and written in order. When the oldest
 * block has not started yet, the writing thread compresses it itself rather than wait, so a
 * stream makes progress even when every thread of the executor is busy, for instance writing
 * other layers through streams of their own on the same executor. An instance is for one thread;
 * it is not safe to share it between threads.
 */
// LIMITATION: the bytes are a function of the input, the level and the zlib the JDK is linked
// with. A JDK built on another zlib (zlib-ng, say) writes a valid but different stream, so layer
// digests match only between machines whose JDKs share a zlib; a fix would be a pure Java deflate.
public final class ParallelGzipOutputStream extends OutputStream {
  /** The compression level used when none is given, the same as {@code gzip}'s. */
  public static final int DEFAULT_LEVEL = 6;

  /** The size of the input blocks compressed independently; part of the output's definition. */
  static final int BLOCK_SIZE = 128 * 1024;

  /** The deflate window: more history than this cannot be referred to. */
  private static final int DICTIONARY_SIZE = 32 * 1024;

  private static final int OS_UNKNOWN = 255;

  private final OutputStream out;
  private final int level;
  private final Executor executor;
  private final int blocksInFlight;
  private final Deque<FutureTask<byte[]>> pending = new ArrayDeque<>();
  private final CRC32 crc = new CRC32();
  private long size;
  private byte[] block = new byte[BLOCK_SIZE];
  private int filled;
  private byte[] dictionary;
  private boolean headerWritten;
  private boolean failed;
  private boolean closed;

  /** Compresses into {@code out} at the default level on the shared pool. */
  public ParallelGzipOutputStream(OutputStream out) {
    this(out, DEFAULT_LEVEL, sharedExecutor());
  }

  /**
   * Compresses into {@code out} at {@code level} (0 to 9) on {@code executor}, keeping at most two
   * blocks per processor in flight.
   */
  public ParallelGzipOutputStream(OutputStream out, int level, Executor executor) {
    this(out, level, executor, 2 * Runtime.getRuntime().availableProcessors());
  }

  /**
   * Compresses into {@code out} at {@code level} (0 to 9) on {@code executor}, keeping at most
   * {@code blocksInFlight} blocks (about 300 KiB each) submitted but not yet written.
   */
  public ParallelGzipOutputStream(
      OutputStream out, int level, Executor executor, int blocksInFlight) {
    if (level < 0 || level > 9) {
      throw new IllegalArgumentException("gzip level must be 0 to 9, not " + level);
    }
    if (blocksInFlight < 1) {
      throw new IllegalArgumentException("blocksInFlight must be positive, not " + blocksInFlight);
    }
    this.out = out;
    this.level = level;
    this.executor = executor;
    this.blocksInFlight = blocksInFlight;
  }

  /**
   * Returns a pool with one daemon thread per processor, shared by every stream in the process;
   * idle threads end after a few seconds.
   */
  public static Executor sharedExecutor() {
    return SharedPool.EXECUTOR;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    ensureOpen();
    crc.update(b, off, len);
    size += len;

    while (len > 0) {
      int n = Math.min(len, BLOCK_SIZE - filled);
      System.arraycopy(b, off, block, filled, n);
      filled += n;
      off += n;
      len -= n;
      if (filled == BLOCK_SIZE) {
        guarded(() -> submit(false));
      }
    }
  }

  /**
   * Writes every full block compressed so far and flushes the underlying stream. The partial
   * block stays buffered: cutting it here would make the bytes depend on when flush is called.
   */
  @Override
  public void flush() throws IOException {
    ensureOpen();
    guarded(
        () -> {
          drain(0);
          out.flush();
        });
  }

  /**
   * Compresses the last block, writes the trailer and closes the underlying stream. After a
   * failure it only closes the underlying stream.
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;

    try (OutputStream target = out) {
      if (!failed) {
        guarded(this::finish);
      }
    } finally {
      cancelPending();
    }
  }

  private void finish() throws IOException {
    submit(true);
    drain(0);
    writeHeaderOnce();

    byte[] trailer = new byte[8];
    putIntLe(trailer, 0, (int) crc.getValue());
    // ISIZE is the input size modulo 2^32, by definition.
    putIntLe(trailer, 4, (int) size);
    out.write(trailer);
  }

  private void submit(boolean last) throws IOException {
    byte[] input = block;
    int length = filled;
    byte[] preset = dictionary;
    FutureTask<byte[]> task = new FutureTask<>(() -> deflate(preset, input, length, last, level));
    pending.addLast(task);
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      throw new IOException("cannot compress a gzip block: the executor refused it", e);
    }

    if (!last) {
      dictionary = Arrays.copyOfRange(input, length - DICTIONARY_SIZE, length);
      block = new byte[BLOCK_SIZE];
      filled = 0;
    }
    drain(blocksInFlight);
  }

  /** Writes the oldest blocks, waiting for them, until at most {@code limit} remain pending. */
  private void drain(int limit) throws IOException {
    while (pending.size() > limit) {
      FutureTask<byte[]> oldest = pending.peekFirst();
      // Does nothing when a pool thread has started the block already.
      oldest.run();
      byte[] compressed = await(oldest);
      pending.removeFirst();
      writeHeaderOnce();
      out.write(compressed);
    }
  }

  private static byte[] await(FutureTask<byte[]> task) throws IOException {
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing a gzip block");
    } catch (ExecutionException e) {
      throw new IOException("cannot compress a gzip block: " + e.getCause(), e.getCause());
    }
  }

  /** Deflates one block as raw deflate data; runs on the executor. */
  static byte[] deflate(byte[] preset, byte[] input, int length, boolean last, int level) {
    Deflater deflater = new Deflater(level, true);
    try {
      if (preset != null) {
        deflater.setDictionary(preset);
      }
      deflater.setInput(input, 0, length);
      if (last) {
        deflater.finish();
      }

      // Room for incompressible input plus the stored-block and flush overheads, so one call
      // nearly always suffices; the loop grows the buffer otherwise.
      byte[] output = new byte[length + (length >> 6) + 64];
      int written = 0;
      int flush = last ? Deflater.NO_FLUSH : Deflater.SYNC_FLUSH;
      while (true) {
        int room = output.length - written;
        written += deflater.deflate(output, written, room, flush);
        boolean done = last ? deflater.finished() : written < output.length;
        if (done) {
          return Arrays.copyOf(output, written);
        }
        output = Arrays.copyOf(output, output.length * 2);
      }
    } finally {
      deflater.end();
    }
  }

  private void writeHeaderOnce() throws IOException {
    if (headerWritten) {
      return;
    }
    headerWritten = true;

    int extraFlags = level == 9 ? 2 : level == 1 ? 4 : 0;
    // Magic, deflate, no flags (so no name or comment), modification time 0, extra flags, OS.
    byte[] header = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, (byte) extraFlags, (byte) OS_UNKNOWN};
    out.write(header);
  }

  private static void putIntLe(byte[] target, int offset, int value) {
    for (int i = 0; i < 4; i++) {
      target[offset + i] = (byte) (value >>> (8 * i));
    }
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("cannot write to a closed gzip stream");
    }
    if (failed) {
      throw new IOException("cannot write to a gzip stream after an earlier write failed");
    }
  }

  private interface Step {
    void run() throws IOException;
  }

  /** Runs {@code step}; on any failure, marks the stream failed and drops the pending blocks. */
  private void guarded(Step step) throws IOException {
    try {
      step.run();
    } catch (IOException | RuntimeException | Error e) {
      failed = true;
      cancelPending();
      throw e;
    }
  }

  /** Drops blocks not yet started; running ones finish on their own and free their deflater. */
  private void cancelPending() {
    for (FutureTask<byte[]> task : pending) {
      task.cancel(false);
    }
    pending.clear();
  }

  private static final class SharedPool {
    static final Executor EXECUTOR = create();

    private static Executor create() {
      int threads = Runtime.getRuntime().availableProcessors();
      AtomicInteger count = new AtomicInteger();
      ThreadPoolExecutor pool =
          new ThreadPoolExecutor(
              threads,
              threads,
              5,
              TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(),
              task -> {
                Thread thread = new Thread(task, "bale-compress-" + count.incrementAndGet());
                thread.setDaemon(true);
                return thread;
              });
      pool.allowCoreThreadTimeOut(true);
      return pool;
    }
  }
}
