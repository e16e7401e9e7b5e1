package dev.bale.nar;

import dev.bale.hash.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Reads one NAR from a stream, restoring its tree or only checking it, and computes its SHA-256
 * digest and size on the way.
 *
 * <p>The reader accepts exactly the canonical form that {@code nix-store --dump} and {@link
 * NarWriter} produce: every token in its place, {@code executable} before {@code contents},
 * directory entries in strictly increasing byte order of their names, zero padding. So a NAR it
 * restores dumps back to the same bytes. Entry names must be single file names, and symlink targets
 * non-empty and without NUL bytes.
 *
 * <p>It reads exactly the bytes of the NAR and never ahead, since the export format carries more
 * data after each NAR; as it asks the stream for small fields one at a time, callers should pass a
 * buffered stream. Memory stays bounded whatever lengths an archive claims: file contents stream
 * through one buffer, and names, symlink targets, tokens and nesting have fixed limits.
 */
public final class NarReader {
  /** The longest entry name, in bytes: Linux's {@code NAME_MAX}. */
  static final int MAX_NAME_LENGTH = 255;

  /** The longest symlink target, in bytes: Linux's {@code PATH_MAX} less the final NUL. */
  static final int MAX_TARGET_LENGTH = 4095;

  /** The deepest nesting of directories, the root directory counting as the first. */
  static final int MAX_DEPTH = 512;

  // Longer than every token of the format, so that a misplaced name or target is reported as a
  // wrong token without being read in full.
  private static final int MAX_TOKEN_LENGTH = 16;
  private static final int MAX_QUOTED_LENGTH = 80;
  private static final int BUFFER_SIZE = 1 << 17;
  private static final byte[] DOT = {'.'};
  private static final byte[] DOT_DOT = {'.', '.'};

  private final InputStream in;
  private final TreeSink sink;
  private final MessageDigest sha256 = Digest.newSha256();
  private final byte[] buffer = new byte[BUFFER_SIZE];
  private final byte[] padding = new byte[8];
  private long offset;

  private NarReader(InputStream in, TreeSink sink) {
    this.in = in;
    this.sink = sink;
  }

  /**
   * Restores the NAR read from {@code in} as a new tree at {@code target}, whose parent directory
   * must exist, and returns the NAR's digest and size.
   *
   * <p>When the archive is bad, or cannot be restored faithfully, nothing is left at {@code
   * target}.
   *
   * @throws NarFormatException if the archive is malformed, or holds a name or symlink target that
   *     this platform cannot create byte for byte
   * @throws FileAlreadyExistsException if {@code target} exists
   */
  public static NarSummary restore(InputStream in, Path target) throws IOException {
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileAlreadyExistsException(
          target.toString(), null, "cannot restore a NAR over an existing file");
    }

    TreeRestorer restorer = new TreeRestorer(target);
    try {
      return new NarReader(in, restorer).read(target);
    } catch (IOException | RuntimeException | Error e) {
      restorer.abort(e);
      throw e;
    }
  }

  /**
   * Reads and checks the NAR read from {@code in} without writing anything, and returns its digest
   * and size: for checking an archive, or for moving past one in a stream.
   *
   * @throws NarFormatException if the archive is malformed
   */
  public static NarSummary verify(InputStream in) throws IOException {
    return new NarReader(in, TreeSink.DISCARD).read(null);
  }

  private NarSummary read(Path root) throws IOException {
    long start = offset;
    String magic = token("'" + NarFormat.MAGIC + "'");
    if (!magic.equals(NarFormat.MAGIC)) {
      throw NarFormatException.malformed(
          start, "not a NAR: it starts with " + quote(magic) + ", not '" + NarFormat.MAGIC + "'");
    }

    node(root, 0);
    return new NarSummary(new Digest(sha256.digest()), offset);
  }

  private void node(Path path, int depth) throws IOException {
    expect("(");
    expect("type");

    long start = offset;
    String type = token("a node type");
    switch (type) {
      case "regular" -> regular(path);
      case "symlink" -> symlink(path);
      case "directory" -> directory(path, depth, start);
      default -> throw NarFormatException.malformed(start, "unknown node type " + quote(type));
    }
  }

  private void regular(Path path) throws IOException {
    long start = offset;
    String token = token("'executable' or 'contents'");
    boolean executable = token.equals("executable");
    if (executable) {
      long valueStart = offset;
      if (!token("an empty string").isEmpty()) {
        throw NarFormatException.malformed(valueStart, "'executable' must be followed by ''");
      }
      start = offset;
      token = token("'contents'");
    }
    if (!token.equals("contents")) {
      throw unexpected(start, executable ? "'contents'" : "'executable' or 'contents'", token);
    }

    sink.startFile(path, executable);
    contents();
    sink.endFile();
    expect(")");
  }

  private void contents() throws IOException {
    long start = offset;
    long size = u64();
    if (size < 0) {
      String claimed = Long.toUnsignedString(size);
      throw NarFormatException.malformed(start, "file size " + claimed + " is impossibly large");
    }

    for (long remaining = size; remaining > 0; ) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
      if (n < 0) {
        throw NarFormatException.malformed(
            offset, "the archive ends " + remaining + " bytes before the end of a file");
      }
      sha256.update(buffer, 0, n);
      offset += n;
      remaining -= n;
      sink.write(buffer, n);
    }
    zeroPadding(size, "file contents");
  }

  private void symlink(Path path) throws IOException {
    expect("target");

    long start = offset;
    int length = string(MAX_TARGET_LENGTH, "symlink target");
    if (length == 0) {
      throw NarFormatException.malformed(start, "symlink target is empty");
    }
    byte[] target = Arrays.copyOf(buffer, length);
    if (indexOf(target, (byte) 0) >= 0) {
      throw NarFormatException.malformed(
          start, "symlink target " + quote(target, length) + " contains a NUL byte");
    }

    sink.symlink(path, target, start);
    expect(")");
  }

  private void directory(Path path, int depth, long start) throws IOException {
    if (depth >= MAX_DEPTH) {
      throw NarFormatException.malformed(
          start, "directories are nested more than " + MAX_DEPTH + " deep");
    }
    sink.directory(path);

    byte[] previous = null;
    while (true) {
      long entryStart = offset;
      String token = token("'entry' or ')'");
      if (token.equals(")")) {
        return;
      }
      if (!token.equals("entry")) {
        throw unexpected(entryStart, "'entry' or ')'", token);
      }
      expect("(");
      expect("name");

      long nameStart = offset;
      byte[] name = name(nameStart);
      if (previous != null && Arrays.compareUnsigned(previous, name) >= 0) {
        throw unsorted(nameStart, previous, name);
      }
      previous = name;

      Path child = sink.child(path, name, nameStart);
      expect("node");
      node(child, depth + 1);
      expect(")");
    }
  }

  private byte[] name(long start) throws IOException {
    int length = string(MAX_NAME_LENGTH, "entry name");
    byte[] name = Arrays.copyOf(buffer, length);
    String problem;
    if (length == 0) {
      problem = "is empty";
    } else if (Arrays.equals(name, DOT) || Arrays.equals(name, DOT_DOT)) {
      problem = "is not allowed";
    } else if (indexOf(name, (byte) '/') >= 0) {
      problem = "contains '/'";
    } else if (indexOf(name, (byte) 0) >= 0) {
      problem = "contains a NUL byte";
    } else {
      return name;
    }
    throw NarFormatException.malformed(start, "entry name " + quote(name, length) + " " + problem);
  }

  private static NarFormatException unsorted(long start, byte[] previous, byte[] name) {
    String quoted = quote(name, name.length);
    if (Arrays.equals(previous, name)) {
      return NarFormatException.malformed(start, "entry name " + quoted + " appears twice");
    }
    return NarFormatException.malformed(
        start,
        "entry name "
            + quoted
            + " comes after "
            + quote(previous, previous.length)
            + ", but entries must be in byte order of their names");
  }

  private void expect(String expected) throws IOException {
    long start = offset;
    String token = token("'" + expected + "'");
    if (!token.equals(expected)) {
      throw unexpected(start, "'" + expected + "'", token);
    }
  }

  private static NarFormatException unexpected(long start, String expected, String found) {
    return NarFormatException.malformed(start, "expected " + expected + ", found " + quote(found));
  }

  /** Reads a token of the format, which is short ASCII; {@code expected} is for messages. */
  private String token(String expected) throws IOException {
    long start = offset;
    long length = u64();
    if (Long.compareUnsigned(length, MAX_TOKEN_LENGTH) > 0) {
      String claimed = Long.toUnsignedString(length);
      throw NarFormatException.malformed(
          start, "expected " + expected + ", found a string of " + claimed + " bytes");
    }

    fill(buffer, (int) length);
    zeroPadding(length, "a token");
    return new String(buffer, 0, (int) length, StandardCharsets.ISO_8859_1);
  }

  /** Reads a string of at most {@code limit} bytes into the start of the buffer. */
  private int string(int limit, String what) throws IOException {
    long start = offset;
    long length = u64();
    if (Long.compareUnsigned(length, limit) > 0) {
      String claimed = Long.toUnsignedString(length);
      throw NarFormatException.malformed(
          start, what + " of " + claimed + " bytes is longer than the " + limit + " allowed");
    }

    fill(buffer, (int) length);
    zeroPadding(length, what);
    return (int) length;
  }

  private long u64() throws IOException {
    fill(buffer, 8);
    long value = 0;
    for (int i = 7; i >= 0; i--) {
      value = (value << 8) | (buffer[i] & 0xff);
    }
    return value;
  }

  private void zeroPadding(long length, String what) throws IOException {
    int count = (int) (-length & 7);
    long start = offset;
    fill(padding, count);
    for (int i = 0; i < count; i++) {
      if (padding[i] != 0) {
        throw NarFormatException.malformed(start + i, "padding after " + what + " is not zero");
      }
    }
  }

  /** Reads exactly {@code length} bytes into the start of {@code bytes}, and hashes them. */
  private void fill(byte[] bytes, int length) throws IOException {
    int done = 0;
    while (done < length) {
      int n = in.read(bytes, done, length - done);
      if (n < 0) {
        throw NarFormatException.malformed(offset + done, "the archive ends early");
      }
      done += n;
    }
    sha256.update(bytes, 0, length);
    offset += length;
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private static String quote(String token) {
    return quote(token.getBytes(StandardCharsets.ISO_8859_1), token.length());
  }

  /**
   * Returns the first {@code length} bytes of {@code bytes} in quotes for a message: as text when
   * they are UTF-8, else byte by byte; control characters, backslashes and other bytes are escaped
   * as {@code \xNN}, and long values are shortened.
   */
  static String quote(byte[] bytes, int length) {
    int shown = Math.min(length, MAX_QUOTED_LENGTH);
    StringBuilder quoted = new StringBuilder("'");
    try {
      ByteBuffer prefix = ByteBuffer.wrap(bytes, 0, shown);
      String text = StandardCharsets.UTF_8.newDecoder().decode(prefix).toString();
      text.codePoints().forEach(c -> appendEscaped(quoted, c, c < 0x20 || c == 0x7f));
    } catch (CharacterCodingException e) {
      for (int i = 0; i < shown; i++) {
        int b = bytes[i] & 0xff;
        appendEscaped(quoted, b, b < 0x20 || b >= 0x7f);
      }
    }
    return quoted.append(length > shown ? "'..." : "'").toString();
  }

  private static void appendEscaped(StringBuilder quoted, int c, boolean escape) {
    if (escape || c == '\\') {
      quoted.append(String.format("\\x%02X", c));
    } else {
      quoted.appendCodePoint(c);
    }
  }
}
