package dev.bale.compress;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Direct buffers of one size, shared by the compressing streams of the process. A stream takes what
 * it needs and gives it back when done, so the pool holds about as many buffers as were ever in use
 * at once; buffers beyond its bound, and those a failed stream never gives back, are left to the
 * collector.
 *
 * <p>Direct buffers because a native compressor reads and writes them in place, where it would hold
 * a heap array in one of the JVM's critical regions for the whole call: while one is held the
 * collector cannot run, and a serial collector grows the heap instead by whatever other threads
 * allocate meanwhile.
 */
final class DirectBufferPool {
  private static final int KEPT = 16 * Runtime.getRuntime().availableProcessors();

  private final int capacity;
  private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
  private final AtomicInteger count = new AtomicInteger();

  /** A pool of buffers of {@code capacity} bytes. */
  DirectBufferPool(int capacity) {
    this.capacity = capacity;
  }

  /** Returns a cleared buffer of the pool's capacity. */
  ByteBuffer take() {
    ByteBuffer buffer = free.poll();
    if (buffer == null) {
      return ByteBuffer.allocateDirect(capacity);
    }
    count.decrementAndGet();
    return buffer.clear();
  }

  /** Keeps {@code buffer} for a later {@link #take}, unless the pool is full or it is not ours. */
  void give(ByteBuffer buffer) {
    if (buffer.capacity() != capacity || !buffer.isDirect()) {
      return;
    }
    if (count.incrementAndGet() <= KEPT) {
      free.add(buffer);
    } else {
      count.decrementAndGet();
    }
  }
}
