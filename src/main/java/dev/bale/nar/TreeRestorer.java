package dev.bale.nar;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Creates the tree of a NAR on disk as {@link NarReader} reads it, and removes it again when the
 * archive turns out to be bad.
 *
 * <p>Every node is created fresh, inside a directory this restorer made itself, with calls that
 * fail rather than follow a symlink or reuse an existing file; names are single components. So
 * restoring never writes outside its target, whatever the archive's symlinks point to.
 *
 * <p>Relative symlink targets whose {@code ..} components climb above the root of the item (above
 * the store directory, for an item that is itself a symlink) are refused, since such a link, once
 * restored, would lead whoever follows it out of the item. Absolute targets are allowed: Guix and
 * Nix items routinely link to files of other store items by their absolute store paths, and no
 * restore follows them. Modes are 0755 for directories and executables and 0644 for other files,
 * set again after creation when the umask removes bits from them; the store canonicalises modes and
 * times afterwards, so everything stays writable here.
 */
final class TreeRestorer implements TreeSink {
  private static final Set<PosixFilePermission> EXECUTABLE_MODE =
      PosixFilePermissions.fromString("rwxr-xr-x");
  private static final Set<PosixFilePermission> FILE_MODE =
      PosixFilePermissions.fromString("rw-r--r--");
  private static final Set<OpenOption> NEW_FILE =
      Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);

  // Linux's PATH_MAX less the final NUL: the longest path a file call takes.
  private static final int MAX_PATH_LENGTH = 4095;

  private final Path root;
  private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
  private final String fileNameEncoding = System.getProperty("sun.jnu.encoding", "unknown");
  private final boolean utf8FileNames =
      fileNameEncoding.equalsIgnoreCase("UTF-8") || fileNameEncoding.equalsIgnoreCase("UTF8");
  private boolean started;
  private boolean modesExact;
  private FileChannel file;

  /** Prepares to restore a tree at {@code root}, which must not exist yet. */
  TreeRestorer(Path root) {
    this.root = root;
  }

  @Override
  public Path child(Path directory, byte[] name, long offset) throws NarFormatException {
    Path child = directory.resolve(decode(name, offset, "entry name"));

    // Checked here so that a deep archive gets a clear refusal, not a file system error. A
    // char takes at most 3 bytes in UTF-8, which spares encoding short paths.
    String text = child.toString();
    if (text.length() * 3 > MAX_PATH_LENGTH
        && text.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_LENGTH) {
      throw NarFormatException.unrestorable(
          offset,
          "the path of entry "
              + NarReader.quote(name, name.length)
              + " would be longer than the "
              + MAX_PATH_LENGTH
              + " bytes Linux allows");
    }
    return child;
  }

  @Override
  public void directory(Path path) throws IOException {
    boolean isRoot = !started;
    Files.createDirectory(path, PosixFilePermissions.asFileAttribute(EXECUTABLE_MODE));
    started = true;

    if (isRoot) {
      // If the umask left the root's mode whole, it leaves every mode used here whole, and no
      // node needs its mode set again.
      modesExact =
          Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS).equals(EXECUTABLE_MODE);
    }
    setMode(path, EXECUTABLE_MODE);
  }

  @Override
  public void startFile(Path path, boolean executable) throws IOException {
    Set<PosixFilePermission> mode = executable ? EXECUTABLE_MODE : FILE_MODE;
    FileAttribute<?> attribute = PosixFilePermissions.asFileAttribute(mode);
    file = FileChannel.open(path, NEW_FILE, attribute);
    started = true;
    setMode(path, mode);
  }

  @Override
  public void write(byte[] data, int length) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(data, 0, length);
    while (bytes.hasRemaining()) {
      file.write(bytes);
    }
  }

  @Override
  public void endFile() throws IOException {
    FileChannel finished = file;
    file = null;
    finished.close();
  }

  @Override
  public void symlink(Path path, byte[] target, long offset) throws IOException {
    String text = decode(target, offset, "symlink target");
    Path link = path.getFileSystem().getPath(text);

    // LIMITATION: Java drops repeated and trailing slashes from every path it builds, and has
    // no call that creates a symlink from raw bytes, so a target such as 'lib//' would come
    // back as 'lib' and the item would no longer match its NAR hash. Such items are refused
    // here; restoring them faithfully needs a native symlink call (for example through the
    // foreign function API once bale can require a Java version that has it).
    if (!link.toString().equals(text)) {
      throw NarFormatException.unrestorable(
          offset,
          "symlink target "
              + NarReader.quote(target, target.length)
              + " has a repeated or trailing '/', which Java cannot write as is");
    }
    refuseClimbingTarget(path, text, offset);
    Files.createSymbolicLink(path, link);
    started = true;
  }

  /**
   * Refuses a relative {@code target} of the symlink at {@code path} when its {@code ..}
   * components, taken in order from the link's directory, climb above the item's root.
   */
  private void refuseClimbingTarget(Path path, String target, long offset)
      throws NarFormatException {
    if (target.startsWith("/")) {
      return;
    }

    // LIMITATION: the check reads the target as text and does not resolve the item's own links
    // on the way, so 'b -> a/a/../..' beside 'a -> .' climbs above the root unnoticed. A user
    // would only notice it by following such a link; restoring never follows one. A fix means
    // resolving each target against the links restored so far.
    Path entry = root.relativize(path);
    int depth = path.equals(root) ? 0 : entry.getNameCount() - 1;
    for (String component : target.split("/")) {
      if (component.equals("..")) {
        depth--;
      } else if (!component.equals(".")) {
        depth++;
      }
      if (depth < 0) {
        throw NarFormatException.unrestorable(
            offset, climbing(path.equals(root) ? null : entry.toString(), target));
      }
    }
  }

  private static String climbing(String entry, String target) {
    String quoted = quote(target);
    if (entry == null) {
      return "the item is a symlink to " + quoted + ", which climbs above the store directory";
    }
    return "symlink "
        + quote(entry)
        + " has target "
        + quoted
        + ", which climbs above the item's root";
  }

  private static String quote(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return NarReader.quote(bytes, bytes.length);
  }

  /**
   * Closes what is open and deletes whatever was restored, after {@code cause} stopped the restore;
   * failures to clean up are added to {@code cause}.
   */
  void abort(Throwable cause) {
    try {
      if (file != null) {
        file.close();
      }
    } catch (IOException e) {
      cause.addSuppressed(e);
    }

    try {
      if (started) {
        deleteTree();
      }
    } catch (IOException e) {
      cause.addSuppressed(e);
    }
  }

  private String decode(byte[] bytes, long offset, String what) throws NarFormatException {
    String text;
    try {
      text = utf8.decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      // LIMITATION: Java names files with strings, decoding and encoding their bytes in the
      // locale's encoding, so a name that is not valid UTF-8 cannot be created byte for byte.
      // Users see such items refused on import. A fix needs native file calls that take bytes.
      throw NarFormatException.unrestorable(
          offset, what + " " + NarReader.quote(bytes, bytes.length) + " is not valid UTF-8");
    }
    if (!utf8FileNames && !isAscii(bytes)) {
      throw NarFormatException.unrestorable(
          offset,
          what
              + " "
              + NarReader.quote(bytes, bytes.length)
              + " is not ASCII, but Java encodes file names in "
              + fileNameEncoding
              + " here; run bale with LC_ALL=C.UTF-8");
    }
    return text;
  }

  private static boolean isAscii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  private void setMode(Path path, Set<PosixFilePermission> mode) throws IOException {
    if (modesExact) {
      return;
    }
    // Without following links: the node was just created, so a symlink here is an attack.
    Files.getFileAttributeView(path, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
        .setPermissions(mode);
  }

  private void deleteTree() throws IOException {
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path path, BasicFileAttributes attributes)
              throws IOException {
            Files.delete(path);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path directory, IOException e)
              throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(directory);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
