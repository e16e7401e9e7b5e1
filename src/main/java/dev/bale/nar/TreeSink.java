package dev.bale.nar;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Receives the nodes of a NAR, in archive order, once {@link NarReader} has checked them. The
 * default methods keep nothing, which is all that verifying an archive needs; {@link TreeRestorer}
 * creates the tree.
 */
interface TreeSink {
  /** A sink that keeps nothing: paths stay null and contents are dropped. */
  TreeSink DISCARD = new TreeSink() {};

  /**
   * Returns the path of the entry {@code name} of {@code directory}; the name is already known to
   * be a single, valid file name. {@code offset} locates the name for error messages.
   */
  default Path child(Path directory, byte[] name, long offset) throws NarFormatException {
    return null;
  }

  /** Creates an empty directory. */
  default void directory(Path path) throws IOException {}

  /** Creates an empty regular file, which the next {@link #write} calls fill. */
  default void startFile(Path path, boolean executable) throws IOException {}

  /** Appends the first {@code length} bytes of {@code data} to the file being restored. */
  default void write(byte[] data, int length) throws IOException {}

  /** Completes the file being restored. */
  default void endFile() throws IOException {}

  /** Creates a symlink to {@code target}, which {@code offset} locates for error messages. */
  default void symlink(Path path, byte[] target, long offset) throws IOException {}
}
