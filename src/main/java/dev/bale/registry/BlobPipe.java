package dev.bale.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Turns a blob that can only write its bytes into a stream that can be read: a daemon thread runs
 * {@link Blob#writeTo} into a small queue of buffers. Closing the stream early stops the writer at
 * its next write.
 */
final class BlobPipe extends InputStream {
  private static final byte[] END = new byte[0];
  private static final int BUFFER = 64 * 1024;

  private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(8);
  private final Thread writer;
  private volatile boolean closed;
  private volatile IOException failure;
  private byte[] current = new byte[0];
  private int position;
  private boolean ended;

  BlobPipe(Blob blob) {
    writer = new Thread(() -> produce(blob), "blob-writer " + blob.digest());
    writer.setDaemon(true);
    writer.start();
  }

  private void produce(Blob blob) {
    try (OutputStream out = new QueueOutputStream()) {
      blob.writeTo(out);
    } catch (IOException e) {
      failure = e;
    } catch (RuntimeException e) {
      failure = new IOException("writing blob " + blob.digest() + " failed", e);
    } finally {
      offer(END);
    }
  }

  private void offer(byte[] buffer) {
    try {
      while (!closed && !queue.offer(buffer, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
        // Waits for the reader, checking now and then whether it gave up.
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (position == current.length) {
      if (ended) {
        return -1;
      }
      try {
        current = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while reading a blob");
      }
      position = 0;
      if (current == END) {
        ended = true;
        if (failure != null) {
          throw failure;
        }
      }
    }
    int n = Math.min(len, current.length - position);
    System.arraycopy(current, position, b, off, n);
    position += n;
    return n;
  }

  @Override
  public void close() {
    closed = true;
    queue.clear();
  }

  /** Collects writes into buffers and hands them to the reader. */
  private final class QueueOutputStream extends OutputStream {
    private byte[] buffer = new byte[BUFFER];
    private int count;

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        if (closed) {
          throw new IOException("the reader of the blob stopped");
        }
        int n = Math.min(len, BUFFER - count);
        System.arraycopy(b, off, buffer, count, n);
        count += n;
        off += n;
        len -= n;
        if (count == BUFFER) {
          flush();
        }
      }
    }

    @Override
    public void flush() {
      if (count > 0) {
        offer(Arrays.copyOf(buffer, count));
        count = 0;
      }
    }

    @Override
    public void close() {
      flush();
    }
  }
}
