package dev.bale.compress;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
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

/**
 * Compresses a stream as gzip on several threads, into bytes that depend only on the input and the
 * level: the deflate encoder is bale's own ({@link DeflateEncoder}), so neither the machine nor the
 * JDK and the zlib it links changes them.
 *
 * <p>The input is cut into blocks of {@value #BLOCK_SIZE} bytes at fixed offsets. Each block is
 * deflated on its own, with the 32 KiB of input before it as history so that matches across a cut
 * are still found, and ends with a sync flush (the last one with the final deflate block); the
 * blocks concatenated form one ordinary deflate stream that {@code gzip -d} and {@link
 * java.util.zip.GZIPInputStream} read. Cuts never depend on how the caller splits its writes, on
 * {@link #flush()} or on the number of threads, so neither do the bytes.
 *
 * <p>The gzip header (RFC 1952) carries no file name and a modification time of 0, so the same
 * input always gives the same layer digest; its OS byte is 255, "unknown", because the bytes must
 * not depend on the machine that wrote them. The extra-flags byte is 2 for level 9, 4 for level 1
 * and 0 otherwise, as the RFC suggests.
 *
 * <p>Blocks are compressed on an {@link Executor} the caller supplies (or a shared pool with one
 * thread per processor), with a bounded number in flight, and written in order. When the oldest
 * block has not started yet, the writing thread compresses it itself rather than wait, so a stream
 * makes progress even when every thread of the executor is busy, for instance writing other layers
 * through streams of their own on the same executor. An instance is for one thread; it is not safe
 * to share it between threads.
 *
 * <p>Blocks live in direct buffers from a {@link DirectBufferPool} shared by every stream of the
 * process; each compressing thread copies a block and its history into an encoder of its own, kept
 * from block to block. A gigabyte layer thus leaves almost no garbage behind.
 */
public final class ParallelGzipOutputStream extends OutputStream {
  /** The compression level used when none is given, the same as {@code gzip}'s. */
  public static final int DEFAULT_LEVEL = 6;

  /**
   * The version of the encoder's choices (blocks, matches, codes), raised whenever a change makes
   * any input compress to other bytes; caches of compressed digests key on it.
   */
  public static final int ENCODER_VERSION = 2;

  /** The size of the input blocks compressed independently; part of the output's definition. */
  static final int BLOCK_SIZE = 128 * 1024;

  private static final int OS_UNKNOWN = 255;

  private final OutputStream out;
  private final int level;
  private final Executor executor;
  private final int blocksInFlight;
  private final Deque<Block> pending = new ArrayDeque<>();
  private final CRC32 crc = new CRC32();
  private long size;

  /** The block being filled, taken from the pool at the first write after a submit. */
  private ByteBuffer block;

  /** The input of the previous block, whose last 32 KiB prime the next one; null at first. */
  private ByteBuffer previous;

  /** Where compressed blocks are copied on their way to {@code out}. */
  private byte[] transfer;

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
      if (block == null) {
        block = BufferPool.INPUTS.take();
      }
      int n = Math.min(len, block.remaining());
      block.put(b, off, n);
      off += n;
      len -= n;
      if (!block.hasRemaining()) {
        guarded(() -> submit(false));
      }
    }
  }

  /**
   * Writes every full block compressed so far and flushes the underlying stream. The partial block
   * stays buffered: cutting it here would make the bytes depend on when flush is called.
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
   * Compresses the last block, writes the trailer and closes the underlying stream. After a failure
   * it only closes the underlying stream.
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
    writeHeaderOnce();
    BufferPool.INPUTS.give(previous);
    previous = null;

    byte[] trailer = new byte[8];
    putIntLe(trailer, 0, (int) crc.getValue());
    // ISIZE is the input size modulo 2^32, by definition.
    putIntLe(trailer, 4, (int) size);
    out.write(trailer);
  }

  private void submit(boolean last) throws IOException {
    ByteBuffer input = block == null ? BufferPool.INPUTS.take() : block;
    input.flip();
    ByteBuffer history = previous;
    ByteBuffer output = BufferPool.OUTPUTS.take();
    FutureTask<ByteBuffer> task =
        new FutureTask<>(() -> deflate(history, input, last, level, output));
    pending.addLast(new Block(task, history));
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      throw new IOException("cannot compress a gzip block: the executor refused it", e);
    }

    block = null;
    previous = input;
    drain(last ? 0 : blocksInFlight);
  }

  /** Writes the oldest blocks, waiting for them, until at most {@code limit} remain pending. */
  private void drain(int limit) throws IOException {
    while (pending.size() > limit) {
      Block oldest = pending.peekFirst();
      // Does nothing when a pool thread has started the block already.
      oldest.task.run();
      ByteBuffer compressed = await(oldest.task);
      pending.removeFirst();
      writeHeaderOnce();
      if (transfer == null) {
        transfer = new byte[BufferPool.OUTPUT_SIZE];
      }
      while (compressed.hasRemaining()) {
        int n = Math.min(compressed.remaining(), transfer.length);
        compressed.get(transfer, 0, n);
        out.write(transfer, 0, n);
      }

      // This block and those before it are written, so no task reads its history any more.
      BufferPool.OUTPUTS.give(compressed);
      if (oldest.history != null) {
        BufferPool.INPUTS.give(oldest.history);
      }
    }
  }

  private static ByteBuffer await(FutureTask<ByteBuffer> task) throws IOException {
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing a gzip block");
    } catch (ExecutionException e) {
      throw new IOException("cannot compress a gzip block: " + e.getCause(), e.getCause());
    }
  }

  /**
   * Deflates {@code input} as raw deflate data into {@code output}, or into a larger buffer when it
   * does not fit, and returns that buffer ready to be read; runs on the executor. {@code history},
   * when not null, is the previous block's input, whose last 32 KiB the block may refer to.
   */
  static ByteBuffer deflate(
      ByteBuffer history, ByteBuffer input, boolean last, int level, ByteBuffer output) {
    Encoder encoder = Encoder.THREAD.get();
    byte[] window = encoder.window;
    int start = 0;
    if (history != null) {
      start = DeflateEncoder.HISTORY;
      history.get(history.limit() - start, window, 0, start);
    }
    int end = start + input.remaining();
    input.get(input.position(), window, start, input.remaining());

    BitWriter bits = encoder.bits;
    bits.reset();
    encoder.deflate.encode(window, start, end, level, last, bits);

    output.clear();
    if (bits.size() > output.capacity()) {
      // Cannot happen for a full block, whose stored form fits; kept for a change of sizes. The
      // larger buffer does not go back to the pool; the collector frees it.
      output = ByteBuffer.allocateDirect(bits.size());
    }
    return output.put(bits.bytes(), 0, bits.size()).flip();
  }

  /** Each compressing thread's encoder, and the arrays a block is copied into and out of. */
  private static final class Encoder {
    static final ThreadLocal<Encoder> THREAD = ThreadLocal.withInitial(Encoder::new);

    final DeflateEncoder deflate = new DeflateEncoder();
    final byte[] window = new byte[DeflateEncoder.HISTORY + BLOCK_SIZE];
    final BitWriter bits = new BitWriter(BufferPool.OUTPUT_SIZE);
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

  /** Drops blocks not yet started; running ones finish on their own and free their buffers. */
  private void cancelPending() {
    for (Block pendingBlock : pending) {
      pendingBlock.task.cancel(false);
    }
    pending.clear();
  }

  /** A block submitted for compression, and the input it reads its history from. */
  private record Block(FutureTask<ByteBuffer> task, ByteBuffer history) {}

  /** The pools of block buffers: inputs, and outputs with room for incompressible input. */
  private static final class BufferPool {
    /** A block of incompressible input plus deflate's stored-block and flush overheads. */
    static final int OUTPUT_SIZE = BLOCK_SIZE + (BLOCK_SIZE >> 6) + 64;

    static final DirectBufferPool INPUTS = new DirectBufferPool(BLOCK_SIZE);
    static final DirectBufferPool OUTPUTS = new DirectBufferPool(OUTPUT_SIZE);
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
