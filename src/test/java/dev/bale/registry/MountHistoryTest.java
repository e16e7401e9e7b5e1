package dev.bale.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.hash.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountHistoryTest {
  private static final Digest FIRST = Digest.of("first".getBytes(StandardCharsets.UTF_8));
  private static final Digest SECOND = Digest.of("second".getBytes(StandardCharsets.UTF_8));

  @TempDir Path dir;

  @Test
  void sources_areTheOtherRepositoriesOfTheSameRegistry_newestFirst() throws IOException {
    MountHistory history = new MountHistory(dir);
    history.record(Set.of(FIRST), "registry:5000", "team/a");
    history.record(Set.of(FIRST, SECOND), "registry:5000", "team/b");
    history.record(Set.of(FIRST), "elsewhere:5000", "team/c");
    history.record(Set.of(FIRST), "registry:5000", "team/d");

    Map<Digest, List<String>> sources =
        history.sources(List.of(FIRST, SECOND), "registry:5000", "team/b");

    assertThat(sources.get(FIRST)).containsExactly("team/d", "team/a");
    assertThat(sources.get(SECOND)).isEmpty();
  }

  @Test
  void record_ofAKnownFact_writesNothing() throws IOException {
    MountHistory history = new MountHistory(dir);

    history.record(Set.of(FIRST), "registry:5000", "team/a");
    history.record(Set.of(FIRST), "registry:5000", "team/a");

    assertThat(Files.readAllLines(dir.resolve("pushed-blobs"))).hasSize(1);
  }

  @Test
  void sources_skipLinesThatAreNotFacts() throws IOException {
    Files.writeString(
        dir.resolve("pushed-blobs"),
        "garbage\n" + FIRST + " registry:5000\n" + FIRST + " registry:5000 team/a\n\n");

    Map<Digest, List<String>> sources =
        new MountHistory(dir).sources(List.of(FIRST), "registry:5000", "team/b");

    assertThat(sources.get(FIRST)).containsExactly("team/a");
  }

  @Test
  void record_pastTheLimit_keepsTheNewestFactsInHalfOfIt() throws IOException {
    long limit = 2000;
    MountHistory history = new MountHistory(dir, limit);
    for (int i = 0; i < 60; i++) {
      history.record(Set.of(FIRST), "registry:5000", "team/repository-" + i);
    }

    Path file = dir.resolve("pushed-blobs");
    List<String> lines = Files.readAllLines(file);
    assertThat(Files.size(file)).isLessThanOrEqualTo(limit);
    assertThat(lines.get(lines.size() - 1)).endsWith(" team/repository-59");
    assertThat(lines).noneMatch(line -> line.endsWith(" team/repository-0"));
    assertThat(history.sources(List.of(FIRST), "registry:5000", "team/x").get(FIRST))
        .startsWith("team/repository-59", "team/repository-58")
        .hasSameSizeAs(lines);
  }
}
