package dev.bale.registry;

import dev.bale.hash.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Remembers which repositories of which registry bale pushed each blob to, so that a later push of
 * the same blob to another repository of that registry can mount it instead of uploading it. The
 * file holds one line per fact, {@code DIGEST REGISTRY REPOSITORY}, oldest first; it is written
 * only under a file lock, so concurrent bale processes share it safely. When it grows past a limit
 * the oldest facts go: the history only saves uploads, and a fact forgotten costs one at most.
 */
final class MountHistory {
  private static final String FILE_NAME = "pushed-blobs";

  /** The size past which the history is cut to the newest facts that fill half of it. */
  static final long MAX_BYTES = 4L << 20;

  private final Path file;
  private final long maxBytes;

  /** Keeps the history in {@code directory}, which is created when first written. */
  MountHistory(Path directory) {
    this(directory, MAX_BYTES);
  }

  /** Keeps the history in {@code directory}, cut when it grows past {@code maxBytes}. */
  MountHistory(Path directory, long maxBytes) {
    this.file = directory.resolve(FILE_NAME);
    this.maxBytes = maxBytes;
  }

  /**
   * Returns, for each of {@code digests}, the repositories of {@code registry} other than {@code
   * repository} that bale pushed it to, most recent first. A history that cannot be read is treated
   * as empty, and a line that is not a fact is skipped: the history only saves uploads.
   */
  Map<Digest, List<String>> sources(
      Collection<Digest> digests, String registry, String repository) {
    Map<String, Set<String>> found = new HashMap<>();
    for (Digest digest : digests) {
      found.put(digest.toString(), new LinkedHashSet<>());
    }
    List<String> lines = lines();
    for (int i = lines.size() - 1; i >= 0; i--) {
      String[] fact = lines.get(i).split(" ");
      if (fact.length != 3 || !fact[1].equals(registry) || fact[2].equals(repository)) {
        continue;
      }
      Set<String> repositories = found.get(fact[0]);
      if (repositories != null) {
        repositories.add(fact[2]);
      }
    }

    Map<Digest, List<String>> sources = new LinkedHashMap<>();
    for (Digest digest : digests) {
      sources.put(digest, new ArrayList<>(found.get(digest.toString())));
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

  /**
   * Records that {@code repository} of {@code registry} holds each of {@code digests}.
   *
   * @throws IOException if the history cannot be written
   */
  void record(Set<Digest> digests, String registry, String repository) throws IOException {
    Files.createDirectories(file.getParent());
    Set<String> known = new HashSet<>(lines());
    StringBuilder text = new StringBuilder();
    for (Digest digest : digests) {
      String line = digest + " " + registry + " " + repository;
      if (known.add(line)) {
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
                StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock = channel.lock()) {
      write(channel, text.toString(), channel.size());
      if (channel.size() > maxBytes) {
        cut(channel);
      }
    }
  }

  /** Rewrites the history as its newest distinct facts, as many as fill half of the limit. */
  private void cut(FileChannel channel) throws IOException {
    ByteBuffer all = ByteBuffer.allocate((int) Math.min(channel.size(), Integer.MAX_VALUE - 8));
    while (all.hasRemaining() && channel.read(all, all.position()) > 0) {
      // Reads until the buffer is full or the file ends.
    }
    String[] lines = new String(all.array(), 0, all.position(), StandardCharsets.UTF_8).split("\n");

    Set<String> newest = new LinkedHashSet<>();
    long size = 0;
    for (int i = lines.length - 1; i >= 0 && size < maxBytes / 2; i--) {
      if (!lines[i].isEmpty() && newest.add(lines[i])) {
        size += lines[i].length() + 1;
      }
    }
    List<String> kept = new ArrayList<>(newest);
    Collections.reverse(kept);

    channel.truncate(0);
    write(channel, String.join("\n", kept) + "\n", 0);
  }

  private static void write(FileChannel channel, String text, long position) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    while (bytes.hasRemaining()) {
      position += channel.write(bytes, position);
    }
  }
}
