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
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A file that appears at its final name complete or not at all: an {@link OutputTarget} whose bytes
 * go through a buffered stream, and which {@link #commit} flushes to disk before renaming it over
 * the target. {@link #close} deletes it when the command failed before committing, and so does an
 * interruption (Ctrl-C, SIGTERM); the next output to the same target deletes what a killed process
 * left.
 */
final class OutputFile implements AutoCloseable {
  private static final int BUFFER_SIZE = 1 << 16;

  private final OutputTarget target;
  private final FileChannel channel;
  private final OutputStream stream;

  private OutputFile(OutputTarget target, FileChannel channel) {
    this.target = target;
    this.channel = channel;
    this.stream = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER_SIZE);
  }

  /** Starts writing what will become {@code target}. */
  static OutputFile create(Path target) throws IOException {
    OutputTarget output;
    try {
      output = OutputTarget.file(target, ".part");
    } catch (NoSuchFileException e) {
      // The cause would only repeat the temporary file's name, which the user never chose.
      Path directory = target.toAbsolutePath().getParent();
      throw new IOException(
          "cannot write '" + target + "': its directory '" + directory + "' does not exist");
    }
    try {
      // The result should be as readable as any other output, whatever the umask.
      Files.setPosixFilePermissions(
          output.temporary(), PosixFilePermissions.fromString("rw-r--r--"));
      return new OutputFile(output, FileChannel.open(output.temporary(), WRITE));
    } catch (IOException e) {
      output.close();
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
    target.commit();
  }

  /** Deletes the temporary file unless {@link #commit} renamed it. */
  @Override
  public void close() throws IOException {
    channel.close();
    target.close();
  }
}
