package dev.bale.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The files of an image on disk, in a directory or in an uncompressed tar archive, read in place: a
 * file in a tar is a region of the archive, found by one pass over its headers.
 */
final class ArchiveFiles {
  private static final int BLOCK = 512;

  private final Path root;
  private final Map<String, Region> members;

  private ArchiveFiles(Path root, Map<String, Region> members) {
    this.root = root;
    this.members = members;
  }

  /** A file's place inside a tar archive. */
  record Region(long offset, long size) {}

  /**
   * Opens a directory or a tar archive.
   *
   * @throws RegistryException if {@code path} is neither, or the tar is damaged
   */
  static ArchiveFiles open(Path path) throws RegistryException {
    if (Files.isDirectory(path)) {
      return new ArchiveFiles(path, null);
    }
    if (!Files.isRegularFile(path)) {
      throw new RegistryException("cannot read image '" + path + "': no such file or directory");
    }
    try {
      return new ArchiveFiles(path, index(path));
    } catch (IOException e) {
      throw new RegistryException("cannot read image archive '" + path + "': " + e.getMessage());
    }
  }

  /** Tells whether {@code name} is a file of the image. */
  boolean exists(String name) {
    return members == null ? Files.isRegularFile(file(name)) : members.containsKey(clean(name));
  }

  /** Returns the size of {@code name}, or empty if it is missing. */
  Optional<Long> size(String name) throws IOException {
    if (members == null) {
      Path file = file(name);
      return Files.isRegularFile(file) ? Optional.of(Files.size(file)) : Optional.empty();
    }
    return Optional.ofNullable(members.get(clean(name))).map(Region::size);
  }

  /** Opens {@code name} for reading. */
  InputStream open(String name) throws IOException {
    if (members == null) {
      return Files.newInputStream(file(name));
    }
    Region region = members.get(clean(name));
    if (region == null) {
      throw new IOException("'" + name + "' is not in the archive");
    }
    FileChannel channel = FileChannel.open(root, StandardOpenOption.READ);
    channel.position(region.offset());
    return new BoundedInputStream(
        java.nio.channels.Channels.newInputStream(channel), region.size());
  }

  /** Reads {@code name} whole; meant for small documents such as manifests. */
  byte[] read(String name) throws IOException {
    try (InputStream in = open(name)) {
      return in.readAllBytes();
    }
  }

  /** Returns a blob whose bytes are the file {@code name}. */
  Blob blob(String name, dev.bale.hash.Digest digest, long size, String mediaType) {
    if (members == null) {
      return Blob.ofFileRegion(file(name), 0, size, digest, mediaType);
    }
    Region region = members.get(clean(name));
    return Blob.ofFileRegion(root, region.offset(), size, digest, mediaType);
  }

  private Path file(String name) {
    Path file = root.resolve(clean(name)).normalize();
    if (!file.startsWith(root.normalize())) {
      throw new IllegalArgumentException("'" + name + "' leaves the image directory");
    }
    return file;
  }

  private static String clean(String name) {
    String cleaned = name;
    while (cleaned.startsWith("./")) {
      cleaned = cleaned.substring(2);
    }
    while (cleaned.startsWith("/")) {
      cleaned = cleaned.substring(1);
    }
    return cleaned;
  }

  /** Reads the headers of a ustar, GNU or pax archive and notes where each regular file lies. */
  private static Map<String, Region> index(Path tar) throws IOException {
    Map<String, Region> members = new HashMap<>();
    try (FileChannel channel = FileChannel.open(tar, StandardOpenOption.READ)) {
      long position = 0;
      long length = channel.size();
      String longName = null;
      ByteBuffer header = ByteBuffer.allocate(BLOCK);
      while (position + BLOCK <= length) {
        header.clear();
        channel.read(header, position);
        byte[] block = header.array();
        if (isZero(block)) {
          break;
        }
        long size = number(block, 124, 12);
        char type = (char) block[156];
        long data = position + BLOCK;
        String name = longName != null ? longName : headerName(block);
        longName = null;
        if (type == 'L' || type == 'x') {
          byte[] text = new byte[(int) size];
          channel.read(ByteBuffer.wrap(text), data);
          longName = type == 'L' ? cString(text, 0, text.length) : paxPath(text);
        } else if (type == '0' || type == '\0' || type == '7') {
          members.put(clean(name), new Region(data, size));
        }
        position = data + (size + BLOCK - 1) / BLOCK * BLOCK;
      }
    }
    return members;
  }

  private static boolean isZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static String headerName(byte[] block) {
    String name = cString(block, 0, 100);
    boolean ustar = new String(block, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
    String prefix = ustar ? cString(block, 345, 155) : "";
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  private static String cString(byte[] bytes, int offset, int length) {
    int end = offset;
    while (end < offset + length && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
  }

  private static long number(byte[] block, int offset, int length) throws IOException {
    if ((block[offset] & 0x80) != 0) {
      // Base-256, for sizes past the octal field's 8 GiB.
      long value = block[offset] & 0x7f;
      for (int i = 1; i < length; i++) {
        value = (value << 8) | (block[offset + i] & 0xff);
      }
      return value;
    }
    String text = cString(block, offset, length).trim();
    try {
      return text.isEmpty() ? 0 : Long.parseLong(text, 8);
    } catch (NumberFormatException e) {
      throw new IOException("a tar header has a bad size field '" + text + "'");
    }
  }

  /** Returns the {@code path} record of a pax extended header, or null. */
  private static String paxPath(byte[] text) {
    // Record lengths count bytes, so the records are walked as bytes, not characters.
    int i = 0;
    while (i < text.length) {
      int space = i;
      while (space < text.length && text[space] != ' ') {
        space++;
      }
      if (space == text.length) {
        break;
      }
      int recordLength =
          Integer.parseInt(new String(text, i, space - i, StandardCharsets.US_ASCII));
      if (recordLength <= space - i || i + recordLength > text.length) {
        break;
      }
      String record =
          new String(text, space + 1, i + recordLength - space - 2, StandardCharsets.UTF_8);
      if (record.startsWith("path=")) {
        return record.substring(5);
      }
      i += recordLength;
    }
    return null;
  }
}
