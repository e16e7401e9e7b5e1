package dev.bale.nar;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Makes temporary directories in memory when the machine has a tmpfs at {@code /dev/shm}: the
 * hostile-archive tests restore and delete thousands of small trees, which a loaded disk turns from
 * seconds into minutes.
 */
final class MemoryTempDir implements TempDirFactory {
  private static final Path MEMORY = Path.of("/dev/shm");

  @Override
  public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context)
      throws IOException {
    return create();
  }

  /** Returns a new temporary directory, in memory when possible. */
  static Path create() throws IOException {
    if (Files.isDirectory(MEMORY) && Files.isWritable(MEMORY)) {
      return Files.createTempDirectory(MEMORY, "bale-nar-test");
    }
    return Files.createTempDirectory("bale-nar-test");
  }
}
