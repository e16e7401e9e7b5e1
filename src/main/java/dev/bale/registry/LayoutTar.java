package dev.bale.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Writes an OCI layout directory as an uncompressed tar archive, optionally with extra small files
 * such as a Docker {@code manifest.json}. Entries come in byte order of their names, with mtime 1,
 * owner 0:0 and modes 0644/0755, so that the same layout always gives the same bytes.
 */
// LIMITATION: a minimal ustar writer for pulled images only; names past 100 bytes are refused.
// The image package's tar writer can replace it once it exists.
final class LayoutTar {
  private static final int BLOCK = 512;

  private LayoutTar() {}

  /**
   * Writes {@code layout} and {@code extra} (name to bytes) as a tar to {@code out}; with {@code
   * blobsOnly}, the layout's {@code oci-layout} and {@code index.json} are left out.
   */
  static void write(Path layout, Map<String, byte[]> extra, boolean blobsOnly, OutputStream out)
      throws IOException {
    TreeMap<String, Object> entries = new TreeMap<>();
    List<Path> paths = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(layout)) {
      walk.filter(p -> !p.equals(layout))
          .filter(p -> !blobsOnly || layout.relativize(p).startsWith("blobs"))
          .forEach(paths::add);
    }
    for (Path path : paths) {
      String name = layout.relativize(path).toString().replace('\\', '/');
      entries.put(Files.isDirectory(path) ? name + "/" : name, path);
    }
    entries.putAll(extra);

    for (Map.Entry<String, Object> entry : entries.entrySet()) {
      String name = entry.getKey();
      if (entry.getValue() instanceof byte[] bytes) {
        header(out, name, bytes.length, false);
        out.write(bytes);
        pad(out, bytes.length);
      } else if (name.endsWith("/")) {
        header(out, name, 0, true);
      } else {
        Path file = (Path) entry.getValue();
        long size = Files.size(file);
        header(out, name, size, false);
        try (InputStream in = Files.newInputStream(file)) {
          in.transferTo(out);
        }
        pad(out, size);
      }
    }
    out.write(new byte[2 * BLOCK]);
  }

  private static void header(OutputStream out, String name, long size, boolean directory)
      throws IOException {
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    if (nameBytes.length > 100) {
      throw new IOException("tar entry name '" + name + "' is longer than 100 bytes");
    }
    byte[] block = new byte[BLOCK];
    System.arraycopy(nameBytes, 0, block, 0, nameBytes.length);
    octal(block, 100, 8, directory ? 0755 : 0644);
    octal(block, 108, 8, 0);
    octal(block, 116, 8, 0);
    octal(block, 124, 12, size);
    // A fixed time of 1, as in every layer bale writes.
    octal(block, 136, 12, 1);
    block[156] = (byte) (directory ? '5' : '0');
    byte[] magic = "ustar\u000000".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(magic, 0, block, 257, magic.length);
    for (int i = 148; i < 156; i++) {
      block[i] = ' ';
    }
    long checksum = 0;
    for (byte b : block) {
      checksum += b & 0xff;
    }
    octal(block, 148, 7, checksum);
    out.write(block);
  }

  /** Writes {@code value} in octal, zero-padded, NUL-terminated, in {@code length} bytes. */
  private static void octal(byte[] block, int offset, int length, long value) {
    String text = Long.toOctalString(value);
    String padded = "0".repeat(Math.max(0, length - 1 - text.length())) + text;
    byte[] bytes = padded.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, block, offset, Math.min(bytes.length, length - 1));
    block[offset + length - 1] = 0;
  }

  private static void pad(OutputStream out, long size) throws IOException {
    int rest = (int) (size % BLOCK);
    if (rest != 0) {
      out.write(new byte[BLOCK - rest]);
    }
  }
}
