package dev.bale.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.event.EventSink;
import dev.bale.event.Level;
import dev.bale.testing.RegistryFixture;
import dev.bale.testing.RegistryImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pushes to the reference registry and checks what a push tells its event sink. */
class RegistryEventsIT {
  @TempDir static Path shared;
  private static RegistryFixture registry;
  private static PushImage image;

  @TempDir Path dir;
  private final Recorder events = new Recorder();

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryFixture.start(Files.createDirectories(shared.resolve("registry")));
    Path layout =
        RegistryImages.writeLayout(
            shared.resolve("layout"), RegistryImages.busybox("amd64", "events\n"), "latest");
    image = LocalImage.read(layout, null).images().get(0);
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  @Test
  void push_reportsBytesPerBlob_endingAtItsSize() throws Exception {
    RegistryClient client = RegistryClient.builder().stateDirectory(dir).events(events).build();

    client.push(ImageReference.parse(registry.host() + "/bale/progress:1"), image);

    assertProgressOfEveryBlob();
  }

  @Test
  void pushInChunks_reportsBytesAfterEachChunk_endingAtItsSize() throws Exception {
    RegistryClient client =
        RegistryClient.builder()
            .stateDirectory(dir)
            .chunking(64 * 1024, 256 * 1024)
            .events(events)
            .build();

    client.push(ImageReference.parse(registry.host() + "/bale/chunk-progress:1"), image);

    assertProgressOfEveryBlob();
    Blob layer = image.layers().get(0);
    List<Long> boundaries = new ArrayList<>();
    for (long end = 256 * 1024; end < layer.size(); end += 256 * 1024) {
      boundaries.add(end);
    }
    boundaries.add(layer.size());
    assertThat(events.progress.get(layer.digest().toString()).stream().map(r -> r[0]))
        .containsExactlyElementsOf(boundaries);
  }

  @Test
  void pushAgainAndElsewhere_namesEachSkippedAndMountedBlob() throws Exception {
    RegistryClient client = RegistryClient.builder().stateDirectory(dir).events(events).build();
    client.push(ImageReference.parse(registry.host() + "/bale/named:1"), image);
    events.messages.clear();

    PushResult again = client.push(ImageReference.parse(registry.host() + "/bale/named:1"), image);
    List<String> skipped = List.copyOf(events.messages);
    events.messages.clear();
    PushResult elsewhere =
        client.push(ImageReference.parse(registry.host() + "/bale/named-too:1"), image);

    assertThat(again.skipped()).isEqualTo(2);
    assertThat(elsewhere.mounted()).isEqualTo(2);
    for (Blob blob : image.blobs()) {
      assertThat(skipped).contains("LIFECYCLE blob " + blob.digest() + " is already in bale/named");
      assertThat(events.messages)
          .contains("LIFECYCLE blob " + blob.digest() + " mounted from bale/named");
    }
  }

  /** Checks that each blob's progress grows in bytes up to its size, and ends there. */
  private void assertProgressOfEveryBlob() {
    for (Blob blob : image.blobs()) {
      List<long[]> reports = events.progress.get(blob.digest().toString());
      assertThat(reports).as(blob.digest().toString()).isNotEmpty();
      long[] last = reports.get(reports.size() - 1);
      assertThat(last).containsExactly(blob.size(), blob.size());
      for (int i = 1; i < reports.size(); i++) {
        assertThat(reports.get(i)[0]).isGreaterThanOrEqualTo(reports.get(i - 1)[0]);
        assertThat(reports.get(i)[1]).isEqualTo(blob.size());
      }
    }
    // The layer, over a megabyte, is reported while it goes, not only once it is there.
    Blob layer = image.layers().get(0);
    assertThat(layer.size()).isGreaterThan(1 << 20);
    assertThat(events.progress.get(layer.digest().toString()))
        .anyMatch(report -> report[0] > 0 && report[0] < layer.size());
  }

  /** Keeps every event, progress per task in the order it came. */
  private static final class Recorder implements EventSink {
    final List<String> messages = new CopyOnWriteArrayList<>();
    final Map<String, List<long[]>> progress = new ConcurrentHashMap<>();

    @Override
    public void log(Level level, String message) {
      messages.add(level + " " + message);
    }

    @Override
    public void progress(String task, long done, long total) {
      progress
          .computeIfAbsent(task, key -> new CopyOnWriteArrayList<>())
          .add(new long[] {done, total});
    }
  }
}
