package dev.bale.nar;

import dev.bale.hash.PipelinedDigestingOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Serialises a file tree as a NAR, byte for byte as {@code nix-store --dump} does.
 *
 * <p>A regular file is executable when its owner may execute it; directory entries are written in
 * byte order of their UTF-8 names. Owners, times and other permission bits are not part of the
 * format. Anything but regular files, directories and symbolic links is an error.
 */
public final class NarWriter {
  private static final int BUFFER_SIZE = 1 << 16;
  private static final byte[] ZEROS = new byte[8];

  private final OutputStream out;
  private final byte[] buffer = new byte[BUFFER_SIZE];
  private int buffered;

  private NarWriter(OutputStream out) {
    this.out = out;
  }

  /** Writes the NAR of the tree at {@code root} to {@code out}, which stays open. */
  public static void write(Path root, OutputStream out) throws IOException {
    NarWriter writer = new NarWriter(out);
    writer.string(NarFormat.MAGIC);
    writer.node(root);
    writer.flush();
  }

  /** Returns the SHA-256 digest and the size of the NAR of the tree at {@code root}. */
  public static NarSummary summarize(Path root) throws IOException {
    // Reading on this thread and hashing on the stream's own overlap, so verifying an item takes
    // about as long as reading it.
    try (PipelinedDigestingOutputStream nar =
        new PipelinedDigestingOutputStream(OutputStream.nullOutputStream())) {
      write(root, nar);
      return new NarSummary(nar.digest(), nar.size());
    }
  }

  private void node(Path path) throws IOException {
    PosixFileAttributes attributes =
        Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    string("(");
    string("type");
    if (attributes.isSymbolicLink()) {
      string("symlink");
      string("target");
      string(target(path));
    } else if (attributes.isDirectory()) {
      string("directory");
      for (Entry entry : sortedEntries(path)) {
        string("entry");
        string("(");
        string("name");
        string(entry.name);
        string("node");
        node(entry.path);
        string(")");
      }
    } else if (attributes.isRegularFile()) {
      string("regular");
      if (attributes.permissions().contains(PosixFilePermission.OWNER_EXECUTE)) {
        string("executable");
        string("");
      }
      string("contents");
      contents(path, attributes.size());
    } else {
      throw new IOException(
          "cannot archive '" + path + "': only files, directories and symlinks are allowed");
    }
    string(")");
  }

  private record Entry(byte[] name, Path path) {}

  private static List<Entry> sortedEntries(Path directory) throws IOException {
    List<Entry> entries = new ArrayList<>();
    try (Stream<Path> children = Files.list(directory)) {
      for (Path child : (Iterable<Path>) children::iterator) {
        Path name = child.getFileName();
        checkDecodable(child, name, "name");
        entries.add(new Entry(name.toString().getBytes(StandardCharsets.UTF_8), child));
      }
    }
    entries.sort((a, b) -> Arrays.compareUnsigned(a.name, b.name));
    return entries;
  }

  private static byte[] target(Path link) throws IOException {
    Path target = Files.readSymbolicLink(link);
    for (Path element : target) {
      checkDecodable(link, element, "symlink target");
    }
    return target.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Checks that Java decoded the file name {@code name} (one element, as read from the file system)
   * without loss, so that its UTF-8 form is its bytes.
   */
  private static void checkDecodable(Path path, Path name, String what) throws IOException {
    // A name is decoded with the replacement character for bytes that are not text; encoding
    // it again shows whether it was.
    String text = name.toString();
    if (text.indexOf('\uFFFD') >= 0 && !name.equals(name.getFileSystem().getPath(text))) {
      // LIMITATION: Java hands out file names only as decoded strings, so a name that is not
      // valid UTF-8 cannot be archived byte for byte. Users see such trees refused. A fix needs
      // native calls that read names as bytes.
      throw new IOException(
          "cannot archive '"
              + path
              + "': its "
              + what
              + " is not valid UTF-8 (Java decodes file names as "
              + System.getProperty("sun.jnu.encoding")
              + "; run bale with LC_ALL=C.UTF-8)");
    }
  }

  private void contents(Path file, long expectedSize) throws IOException {
    long0(expectedSize);
    long copied = 0;
    boolean atEnd;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      // Never more than the size written above, so a growing file cannot corrupt the NAR.
      while (copied < expectedSize) {
        if (buffered == buffer.length) {
          flush();
        }
        int wanted = (int) Math.min(buffer.length - buffered, expectedSize - copied);
        int n = in.read(buffer, buffered, wanted);
        if (n < 0) {
          break;
        }
        buffered += n;
        copied += n;
      }
      atEnd = in.read() < 0;
    }
    if (copied != expectedSize || !atEnd) {
      throw new IOException("cannot archive '" + file + "': it changed size while being read");
    }
    pad(copied);
  }

  private void string(String s) throws IOException {
    string(s.getBytes(StandardCharsets.UTF_8));
  }

  private void string(byte[] bytes) throws IOException {
    long0(bytes.length);
    raw(bytes, 0, bytes.length);
    pad(bytes.length);
  }

  private void long0(long value) throws IOException {
    if (buffer.length - buffered < 8) {
      flush();
    }
    for (int i = 0; i < 8; i++) {
      buffer[buffered++] = (byte) (value >>> (8 * i));
    }
  }

  private void pad(long length) throws IOException {
    int padding = (int) (-length & 7);
    raw(ZEROS, 0, padding);
  }

  private void raw(byte[] bytes, int offset, int length) throws IOException {
    if (length > buffer.length - buffered) {
      flush();
      if (length > buffer.length) {
        out.write(bytes, offset, length);
        return;
      }
    }
    System.arraycopy(bytes, offset, buffer, buffered, length);
    buffered += length;
  }

  private void flush() throws IOException {
    out.write(buffer, 0, buffered);
    buffered = 0;
  }
}
