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
import java.util.zip.Deflater;

/**
 * Compresses a stream as gzip on several threads, into bytes that depend only on the input and the
 * level.
 *
 * <p>The input is cut into blocks of {@value #BLOCK_SIZE} bytes at fixed offsets. Each block is
 * deflated on its own, primed with the 32 KiB of input before it as a preset dictionary so that
 * matches across a cut are still found, and ends with a sync flush (the last one with the final
 * deflate block); the blocks concatenated form one ordinary deflate stream that {@code gzip -d} and
 * {@link java.util.zip.GZIPInputStream} read. Cuts never depend on how the caller splits its
 * writes, on {@link #flush()} or on the number of threads, so neither do the bytes.
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
 * process, and a block's dictionary is read from the previous block's input in place; each
 * compressing thread keeps one {@link Deflater} per level. A gigabyte layer thus leaves almost no
 * garbage behind, and the deflater never holds a critical region of the JVM.
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
    ByteBuffer preset = previous;
    ByteBuffer output = BufferPool.OUTPUTS.take();
    FutureTask<ByteBuffer> task =
        new FutureTask<>(() -> deflate(preset, input, last, level, output));
    pending.addLast(new Block(task, preset));
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

      // This block and those before it are written, so no task reads its dictionary any more.
      BufferPool.OUTPUTS.give(compressed);
      if (oldest.dictionary != null) {
        BufferPool.INPUTS.give(oldest.dictionary);
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
   * does not fit, and returns that buffer ready to be read; runs on the executor. {@code preset},
   * when not null, is the previous block's input, whose last 32 KiB are the dictionary.
   */
  static ByteBuffer deflate(
      ByteBuffer preset, ByteBuffer input, boolean last, int level, ByteBuffer output) {
    Deflater deflater = Deflaters.take(level);
    try {
      if (preset != null) {
        int end = preset.limit();
        deflater.setDictionary(preset.duplicate().position(end - DICTIONARY_SIZE));
      }
      deflater.setInput(input.duplicate());
      if (last) {
        deflater.finish();
      }

      int flush = last ? Deflater.NO_FLUSH : Deflater.SYNC_FLUSH;
      output.clear();
      while (true) {
        deflater.deflate(output, flush);
        boolean done = last ? deflater.finished() : output.hasRemaining();
        if (done) {
          return output.flip();
        }
        // Rare: more output than the room for incompressible input. The larger buffer does not
        // go back to the pool; the collector frees it and the one it replaces.
        output = ByteBuffer.allocateDirect(output.capacity() * 2).put(output.flip());
      }
    } finally {
      Deflaters.give(level, deflater);
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
    for (Block pendingBlock : pending) {
      pendingBlock.task.cancel(false);
    }
    pending.clear();
  }

  /** A block submitted for compression, and the input it reads its dictionary from. */
  private record Block(FutureTask<ByteBuffer> task, ByteBuffer dictionary) {}

  /** The pools of block buffers: inputs, and outputs with room for incompressible input. */
  private static final class BufferPool {
    /** A block of incompressible input plus deflate's stored-block and flush overheads. */
    static final int OUTPUT_SIZE = BLOCK_SIZE + (BLOCK_SIZE >> 6) + 64;

    static final DirectBufferPool INPUTS = new DirectBufferPool(BLOCK_SIZE);
    static final DirectBufferPool OUTPUTS = new DirectBufferPool(OUTPUT_SIZE);
  }

  /**
   * One {@link Deflater} per thread and level, reset between blocks: setting one up costs a few
   * hundred KiB of native memory and clearing its tables, which block after block adds up.
   */
  private static final class Deflaters {
    private static final ThreadLocal<Deflater[]> BY_LEVEL =
        ThreadLocal.withInitial(() -> new Deflater[10]);

    static Deflater take(int level) {
      Deflater[] byLevel = BY_LEVEL.get();
      Deflater deflater = byLevel[level];
      if (deflater == null) {
        return new Deflater(level, true);
      }
      byLevel[level] = null;
      return deflater;
    }

    /**
     * Resets {@code deflater}, taken for {@code level}, and keeps it for the thread's next block. A
     * thread that ends leaves its deflaters to the collector, whose cleaner frees their memory.
     */
    static void give(int level, Deflater deflater) {
      deflater.reset();
      BY_LEVEL.get()[level] = deflater;
    }
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
