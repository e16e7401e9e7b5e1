package dev.bale.hash;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Passes bytes on to another stream at once and computes their SHA-256 digest on a thread of its
 * own, so that hashing overlaps the reading, writing and compressing around it instead of adding to
 * them.
 *
 * <p>Bytes are copied into a few large buffers that the hashing thread takes in order; when all of
 * them wait to be hashed, writing waits too, so memory stays at {@code BUFFERS * BUFFER_SIZE}
 * whatever is written. The thread ends when the stream is closed or its digest is taken; a stream
 * must be closed even when writing fails.
 */
public final class PipelinedDigestingOutputStream extends FilterOutputStream {
  private static final int BUFFER_SIZE = 1 << 20;
  // Most NARs and layers are small: the first buffer is too, so that they cost little memory.
  private static final int FIRST_BUFFER_SIZE = 64 << 10;
  private static final int BUFFERS = 4;
  private static final Chunk END = new Chunk(new byte[0], 0);

  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
  private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(BUFFERS + 1);
  private final MessageDigest sha256 = Digest.newSha256();
  private final Thread hasher;
  private volatile boolean hashed;
  private volatile Throwable failure;
  private int allocated;
  private byte[] current;
  private int filled;
  private long size;
  private boolean ended;
  private Digest digest;

  /** A filled part of a buffer, handed to the hashing thread. */
  private record Chunk(byte[] buffer, int length) {}

  /** Wraps {@code out}. */
  public PipelinedDigestingOutputStream(OutputStream out) {
    super(out);
    hasher = new Thread(this::hashUntilEnd, "bale-digest");
    hasher.setDaemon(true);
    hasher.start();
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (ended) {
      throw new IOException("the stream's digest was already taken");
    }
    out.write(b, off, len);
    size += len;
    while (len > 0) {
      if (current == null) {
        current = nextBuffer();
        filled = 0;
      }
      int n = Math.min(len, current.length - filled);
      System.arraycopy(b, off, current, filled, n);
      filled += n;
      off += n;
      len -= n;
      if (filled == current.length) {
        handOver();
      }
    }
  }

  /** Returns the number of bytes written so far. */
  public long size() {
    return size;
  }

  /**
   * Returns the digest of everything written, once the hashing thread has caught up; no byte may be
   * written after.
   */
  public Digest digest() throws IOException {
    end();
    try {
      hasher.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for a digest");
    }
    if (failure != null) {
      throw new IOException("hashing failed", failure);
    }
    if (!hashed) {
      throw new IOException("the hashing thread stopped before the end of the stream");
    }
    if (digest == null) {
      digest = new Digest(sha256.digest());
    }
    return digest;
  }

  @Override
  public void close() throws IOException {
    try {
      super.close();
    } finally {
      end();
    }
  }

  /** Sends the last partial buffer and the end mark, once. */
  private void end() {
    if (ended) {
      return;
    }
    ended = true;
    if (current != null && filled > 0) {
      handOver();
    }
    put(END);
  }

  private void handOver() {
    put(new Chunk(current, filled));
    current = null;
  }

  /** Returns a buffer the hashing thread is done with, or a new one while there are few. */
  private byte[] nextBuffer() throws IOException {
    byte[] buffer = free.poll();
    if (buffer != null) {
      return buffer;
    }
    if (allocated < BUFFERS) {
      allocated++;
      return new byte[allocated == 1 ? FIRST_BUFFER_SIZE : BUFFER_SIZE];
    }
    try {
      return free.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while hashing");
    }
  }

  private void put(Chunk chunk) {
    // The queue has room for every buffer and the end mark, so this never fails or waits, not even
    // in a thread that was interrupted, which must still let the hashing thread end.
    if (!full.offer(chunk)) {
      throw new IllegalStateException("more buffers handed over than exist");
    }
  }

  private void hashUntilEnd() {
    try {
      while (true) {
        Chunk chunk = full.take();
        if (chunk == END) {
          hashed = true;
          return;
        }
        if (failure == null) {
          try {
            sha256.update(chunk.buffer(), 0, chunk.length());
          } catch (RuntimeException | Error e) {
            // Buffers keep coming back, so the writer never waits for a thread that stopped;
            // digest() reports the failure.
            failure = e;
          }
        }
        free.offer(chunk.buffer());
      }
    } catch (InterruptedException e) {
      // Nothing waits for a digest that an interrupted thread would give.
      Thread.currentThread().interrupt();
    }
  }
}
