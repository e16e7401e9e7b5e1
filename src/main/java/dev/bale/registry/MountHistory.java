package dev.bale.registry;

import dev.bale.hash.Digest;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Remembers which repositories of which registry bale pushed each blob to, so that a later push of
 * the same blob to another repository of that registry can mount it instead of uploading it. The
 * file holds one line per fact, {@code DIGEST REGISTRY REPOSITORY}; lines are only appended, under
 * a file lock, so concurrent bale processes share it safely.
 */
final class MountHistory {
  // LIMITATION: the file only grows (about 110 bytes per blob and repository) and is read whole,
  // twice, on each push; a user pushing thousands of images would notice it. Pruning old lines,
  // or an index by digest, would fix that.
  private static final String FILE_NAME = "pushed-blobs";

  private final Path file;

  /** Keeps the history in {@code directory}, which is created when first written. */
  MountHistory(Path directory) {
    this.file = directory.resolve(FILE_NAME);
  }

  /**
   * Returns, for each of {@code digests}, the repositories of {@code registry} other than {@code
   * repository} that bale pushed it to, most recent first. A history that cannot be read is treated
   * as empty: it only saves uploads.
   */
  Map<Digest, List<String>> sources(
      Collection<Digest> digests, String registry, String repository) {
    List<String> lines = lines();
    Map<Digest, List<String>> sources = new LinkedHashMap<>();
    for (Digest digest : digests) {
      sources.put(digest, sources(lines, digest, registry, repository));
    }
    return sources;
  }

  private List<String> lines() {
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return List.of();
    }
  }

  private static List<String> sources(
      List<String> lines, Digest digest, String registry, String repository) {
    String prefix = digest + " " + registry + " ";
    Set<String> found = new LinkedHashSet<>();
    for (int i = lines.size() - 1; i >= 0; i--) {
      String line = lines.get(i);
      if (line.startsWith(prefix)) {
        String source = line.substring(prefix.length());
        if (!source.equals(repository)) {
          found.add(source);
        }
      }
    }
    return new ArrayList<>(found);
  }

  /**
   * Records that {@code repository} of {@code registry} holds each of {@code digests}.
   *
   * @throws IOException if the history cannot be written
   */
  void record(Set<Digest> digests, String registry, String repository) throws IOException {
    Files.createDirectories(file.getParent());
    List<String> lines = lines();
    StringBuilder text = new StringBuilder();
    for (Digest digest : digests) {
      String line = digest + " " + registry + " " + repository;
      if (!sources(lines, digest, registry, "").contains(repository)) {
        text.append(line).append('\n');
      }
    }
    if (text.length() == 0) {
      return;
    }
    try (FileChannel channel =
            FileChannel.open(
                file,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        FileLock lock = channel.lock()) {
      channel.write(java.nio.ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
    }
  }
}
