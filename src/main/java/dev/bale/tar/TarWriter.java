package dev.bale.tar;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes a tar archive in the GNU format, the same bytes on every machine for the same entries.
 *
 * <p>Every determinism rule lives here: modification time 1 (some loaders treat 0 as unset), owner
 * and group 0 with empty names, no access or change times, names longer than 100 bytes in a
 * preceding {@code ././@LongLink} entry (type {@code L}, or {@code K} for link targets) whose own
 * fields are fixed too. The archive ends with two zero blocks and no further record padding. Hard
 * links are not detected: each name gets its own copy of the bytes. The caller supplies entries in
 * the order it wants; {@link TarEntry#BYTE_ORDER} is the reproducible one.
 */
public final class TarWriter implements Closeable {
  /** The modification time of every entry, in seconds since the epoch. */
  public static final long MTIME = 1;

  static final int BLOCK = 512;
  private static final int NAME_LENGTH = 100;
  private static final String LONG_LINK = "././@LongLink";
  private static final int COPY_BUFFER = 1 << 20;

  /** The GNU magic, "ustar " and the version " \0" (its NUL comes with the zeroed block). */
  private static final byte[] GNU_MAGIC = {'u', 's', 't', 'a', 'r', ' ', ' '};

  private final OutputStream out;
  private byte[] copyBuffer;
  private long position;
  private boolean finished;

  /** Writes the archive to {@code out}, which {@link #close()} closes. */
  public TarWriter(OutputStream out) {
    this.out = out;
  }

  /** Returns the number of bytes written so far. */
  public long position() {
    return position;
  }

  /** Writes {@code entry}, reading a regular file's content from its source. */
  public void write(TarEntry entry) throws IOException {
    switch (entry.kind()) {
      case DIRECTORY -> writeHeaders(entry.name() + "/", '5', entry.mode(), 0, "");
      case SYMLINK -> writeHeaders(entry.name(), '2', entry.mode(), 0, entry.linkTarget());
      case FILE -> {
        writeHeaders(entry.name(), '0', entry.mode(), entry.size(), "");
        try (InputStream in = open(entry.source())) {
          copy(in, entry);
        }
        pad(entry.size());
      }
    }
  }

  private static InputStream open(Path source) throws IOException {
    try {
      return Files.newInputStream(source);
    } catch (NoSuchFileException e) {
      // The tree was scanned before: the file went away since, and the JDK would name it only.
      throw new IOException("cannot archive '" + source + "': it no longer exists", e);
    }
  }

  /** Writes a regular file whose content is {@code content}. */
  public void file(String name, int mode, byte[] content) throws IOException {
    writeHeaders(name, '0', mode, content.length, "");
    write(content, 0, content.length);
    pad(content.length);
  }

  /**
   * Starts a regular file of exactly {@code size} bytes whose content the caller writes to the
   * returned stream; closing that stream finishes the entry (and not this archive).
   */
  public OutputStream beginFile(String name, int mode, long size) throws IOException {
    writeHeaders(name, '0', mode, size, "");
    return new EntryStream(size);
  }

  /**
   * Starts a regular file whose name and size are known only after its content: writes a zero
   * header block to be overwritten later, at {@link DeferredFile#headerOffset()}, with {@link
   * DeferredFile#finish}'s result. Only archives written to a seekable file can do this.
   */
  public DeferredFile beginDeferredFile() throws IOException {
    long offset = position;
    write(new byte[BLOCK], 0, BLOCK);
    return new DeferredFile(offset);
  }

  /** Writes the two zero blocks that end the archive, once, and flushes. */
  public void finish() throws IOException {
    if (finished) {
      return;
    }
    finished = true;
    write(new byte[2 * BLOCK], 0, 2 * BLOCK);
    out.flush();
  }

  /** Finishes the archive and closes the underlying stream. */
  @Override
  public void close() throws IOException {
    try (out) {
      finish();
    }
  }

  /** Returns the number of bytes an archive of {@code entries} takes, end blocks included. */
  public static long archiveSize(Iterable<TarEntry> entries) {
    long size = 2 * BLOCK;
    for (TarEntry entry : entries) {
      size += entrySize(entry);
    }
    return size;
  }

  /** Returns the number of bytes {@code entry} takes: headers, content and padding. */
  public static long entrySize(TarEntry entry) {
    String name = entry.kind() == TarEntry.Kind.DIRECTORY ? entry.name() + "/" : entry.name();
    String target = entry.linkTarget() == null ? "" : entry.linkTarget();
    return longNameSize(name) + longNameSize(target) + BLOCK + padded(entry.size());
  }

  /** Returns the header block of a regular file; the name must fit in 100 bytes. */
  static byte[] fileHeader(String name, int mode, long size) {
    byte[] nameBytes = utf8(name);
    if (nameBytes.length > NAME_LENGTH) {
      throw new IllegalArgumentException("a deferred entry name must fit the header: " + name);
    }
    return header(nameBytes, '0', mode, size, new byte[0]);
  }

  private static long longNameSize(String name) {
    int length = utf8(name).length;
    return length <= NAME_LENGTH ? 0 : BLOCK + padded(length + 1L);
  }

  private static long padded(long size) {
    return (size + BLOCK - 1) / BLOCK * BLOCK;
  }

  private void writeHeaders(String name, char type, int mode, long size, String target)
      throws IOException {
    byte[] nameBytes = utf8(name);
    byte[] targetBytes = utf8(target);
    if (targetBytes.length > NAME_LENGTH) {
      writeLongName('K', targetBytes);
    }
    if (nameBytes.length > NAME_LENGTH) {
      writeLongName('L', nameBytes);
    }
    byte[] header = header(nameBytes, type, mode, size, targetBytes);
    write(header, 0, BLOCK);
  }

  private void writeLongName(char type, byte[] name) throws IOException {
    // GNU tar stores the name with a terminating NUL, counted in the size.
    byte[] content = Arrays.copyOf(name, name.length + 1);
    byte[] header = header(utf8(LONG_LINK), type, 0, content.length, new byte[0]);
    write(header, 0, BLOCK);
    write(content, 0, content.length);
    pad(content.length);
  }

  private static byte[] header(byte[] name, char type, int mode, long size, byte[] target) {
    byte[] block = new byte[BLOCK];
    System.arraycopy(name, 0, block, 0, Math.min(name.length, NAME_LENGTH));
    octal(block, 100, 8, mode);
    octal(block, 108, 8, 0);
    octal(block, 116, 8, 0);
    number(block, 124, 12, size);
    octal(block, 136, 12, type == 'L' || type == 'K' ? 0 : MTIME);
    block[156] = (byte) type;
    System.arraycopy(target, 0, block, 157, Math.min(target.length, NAME_LENGTH));
    System.arraycopy(GNU_MAGIC, 0, block, 257, GNU_MAGIC.length);
    Arrays.fill(block, 148, 156, (byte) ' ');
    int sum = 0;
    for (byte b : block) {
      sum += b & 0xff;
    }
    octal(block, 148, 7, sum);
    return block;
  }

  /** Writes {@code value} as zero-padded octal digits followed by a NUL. */
  private static void octal(byte[] block, int offset, int width, long value) {
    if (value < 0 || value >= 1L << (3 * (width - 1))) {
      throw new IllegalArgumentException(value + " does not fit a tar field of " + width);
    }
    // Digit by digit into the block: this runs for every field of every entry.
    long rest = value;
    for (int i = offset + width - 2; i >= offset; i--) {
      block[i] = (byte) ('0' + (rest & 7));
      rest >>>= 3;
    }
    block[offset + width - 1] = 0;
  }

  /** Writes a size in octal, or in GNU base-256 when it needs more than 11 octal digits. */
  private static void number(byte[] block, int offset, int width, long value) {
    if (value < (1L << (3 * (width - 1)))) {
      octal(block, offset, width, value);
      return;
    }
    for (int i = width - 1; i > 0; i--) {
      block[offset + i] = (byte) value;
      value >>>= 8;
    }
    block[offset] = (byte) 0x80;
  }

  private void copy(InputStream in, TarEntry entry) throws IOException {
    if (copyBuffer == null) {
      copyBuffer = new byte[COPY_BUFFER];
    }
    long remaining = entry.size();
    while (remaining > 0) {
      int n = in.readNBytes(copyBuffer, 0, (int) Math.min(copyBuffer.length, remaining));
      if (n == 0) {
        throw new IOException(
            "cannot archive '" + entry.source() + "': it shrank while being read");
      }
      write(copyBuffer, 0, n);
      remaining -= n;
    }
    if (in.read() >= 0) {
      throw new IOException("cannot archive '" + entry.source() + "': it grew while being read");
    }
  }

  private void pad(long size) throws IOException {
    int padding = (int) (padded(size) - size);
    write(new byte[padding], 0, padding);
  }

  private void write(byte[] bytes, int offset, int length) throws IOException {
    out.write(bytes, offset, length);
    position += length;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** The content stream of a file entry of known size. */
  private final class EntryStream extends OutputStream {
    private final long size;
    private long written;
    private boolean done;

    EntryStream(long size) {
      this.size = size;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (written + len > size) {
        throw new IOException("tar entry content exceeds its declared size " + size);
      }
      TarWriter.this.write(b, off, len);
      written += len;
    }

    @Override
    public void close() throws IOException {
      if (done) {
        return;
      }
      done = true;
      if (written != size) {
        throw new IOException("tar entry has " + written + " bytes, not the declared " + size);
      }
      pad(size);
    }
  }

  /** A file entry whose header is written once its name and size are known. */
  public final class DeferredFile extends OutputStream {
    private final long headerOffset;
    private long written;

    DeferredFile(long headerOffset) {
      this.headerOffset = headerOffset;
    }

    /** Returns where in the archive the header block must be written. */
    public long headerOffset() {
      return headerOffset;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      TarWriter.this.write(b, off, len);
      written += len;
    }

    /**
     * Pads the content and returns the header block to write at {@link #headerOffset()}; the name
     * must fit in 100 bytes.
     */
    public byte[] finish(String name, int mode) throws IOException {
      pad(written);
      return fileHeader(name, mode, written);
    }

    /**
     * Pads the content, flushes the archive and writes the header into {@code file}, the file this
     * archive is being written to from its start; the name must fit in 100 bytes.
     */
    public void finish(String name, int mode, FileChannel file) throws IOException {
      ByteBuffer header = ByteBuffer.wrap(finish(name, mode));
      out.flush();
      long offset = headerOffset;
      while (header.hasRemaining()) {
        offset += file.write(header, offset);
      }
    }
  }
}
