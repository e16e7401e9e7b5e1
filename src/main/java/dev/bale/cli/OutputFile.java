package dev.bale.cli;

import static java.nio.file.StandardOpenOption.WRITE;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A file that appears at its final name complete or not at all: bytes go to a temporary file in the
 * same directory, which {@link #commit} renames over the target and {@link #close} deletes when the
 * command failed before committing. Its name carries a process tag, so that the next output to the
 * same target deletes what a killed process left (see {@link OutputTarget}).
 */
final class OutputFile implements AutoCloseable {
  private static final int BUFFER_SIZE = 1 << 16;

  private final Path target;
  private final Path temporary;
  private final FileChannel channel;
  private final OutputStream stream;
  private final Thread cleanup;
  private boolean committed;

  private OutputFile(Path target, Path temporary, FileChannel channel) {
    this.target = target;
    this.temporary = temporary;
    this.channel = channel;
    this.stream = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_SIZE);
    // An interrupted command (Ctrl-C, SIGTERM) must not leave a partial file behind either.
    this.cleanup = new Thread(() -> temporary.toFile().delete(), "delete " + temporary);
    Runtime.getRuntime().addShutdownHook(cleanup);
  }

  /** Starts writing what will become {@code target}. */
  static OutputFile create(Path target) throws IOException {
    Path absolute = target.toAbsolutePath();
    Path directory = absolute.getParent();
    Path temporary;
    try {
      temporary = Files.createFile(OutputTarget.temporaryName(absolute, ".part"));
    } catch (NoSuchFileException e) {
      // The cause would only repeat the temporary file's name, which the user never chose.
      throw new IOException(
          "cannot write '" + target + "': its directory '" + directory + "' does not exist");
    }
    try {
      // Temporary files start private; the result should be as readable as any other output.
      Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-r--r--"));
      return new OutputFile(absolute, temporary, FileChannel.open(temporary, WRITE));
    } catch (IOException e) {
      Files.deleteIfExists(temporary);
      throw e;
    }
  }

  /** Returns the stream to write the contents to. */
  OutputStream stream() {
    return stream;
  }

  /** Flushes the contents to disk and renames the temporary file to the target. */
  void commit() throws IOException {
    stream.flush();
    channel.force(true);
    channel.close();
    Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
    committed = true;
    removeCleanup();
  }

  /** Deletes the temporary file unless {@link #commit} renamed it. */
  @Override
  public void close() throws IOException {
    if (!committed) {
      channel.close();
      Files.deleteIfExists(temporary);
      removeCleanup();
    }
  }

  private void removeCleanup() {
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException e) {
      // The process is already shutting down; the hook runs and finds nothing to delete.
    }
  }
}
