package dev.bale.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.event.EventSink;
import dev.bale.event.Level;
import dev.bale.hash.Digest;
import dev.bale.testing.RegistryFixture;
import dev.bale.testing.RegistryImages;
import dev.bale.testing.RegistryProxy;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pushes a blob over 64 MB, which goes up in chunks, and resumes it after a dropped connection. */
class RegistryChunkIT {
  private static final int BIG = 70_000_000;

  @TempDir static Path shared;
  private static RegistryFixture registry;
  private static byte[] big;
  private static Digest bigDigest;

  @TempDir Path dir;
  private final List<String> messages = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryFixture.start(Files.createDirectories(shared.resolve("registry")));
    big = new byte[BIG];
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < BIG; i += 8) {
      long value = random.nextLong();
      for (int j = 0; j < 8 && i + j < BIG; j++) {
        big[i + j] = (byte) (value >>> (8 * j));
      }
    }
    bigDigest = Digest.of(big);
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  private RegistryClient client() {
    return RegistryClient.builder()
        .stateDirectory(dir)
        .retry(
            new RetryPolicy(
                5, Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(60)))
        .events(
            new EventSink() {
              @Override
              public void log(Level level, String message) {
                messages.add(level + " " + message);
              }

              @Override
              public void progress(String task, long done, long total) {}
            })
        .build();
  }

  /** Returns the big blob as a store would hand it over: written to a stream on demand. */
  private static PushImage bigImage() throws RegistryException {
    Blob layer =
        Blob.of(bigDigest, BIG, MediaTypes.OCI_LAYER, (OutputStream out) -> out.write(big));
    String config =
        "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
            + "\"diff_ids\":[\""
            + bigDigest
            + "\"]}}";
    Blob configBlob = Blob.ofBytes(config.getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_CONFIG);
    return PushImage.of(ManifestFormat.OCI, configBlob, List.of(layer));
  }

  @Test
  void push_bigBlob_goesUpInChunks() throws Exception {
    ImageReference target = ImageReference.parse(registry.host() + "/bale/big:1");

    PushResult result = client().push(target, bigImage());

    assertThat(result.sent()).isEqualTo(2);
    long chunks = (BIG + (16L << 20) - 1) / (16L << 20);
    assertThat(registry.requests("PATCH", "/v2/bale/big/blobs/uploads/")).isEqualTo(chunks);
    assertPulledBlobIsRight(target);
  }

  @Test
  void push_connectionDroppedBetweenChunks_resumesAtRegistryOffset() throws Exception {
    try (RegistryProxy proxy = RegistryProxy.droppingNextPatch(registry.port(), 40_000_000)) {
      ImageReference target = ImageReference.parse(proxy.host() + "/bale/resumed:1");

      PushResult result = client().push(target, bigImage());

      assertThat(proxy.dropped()).isTrue();
      assertThat(result.sent()).isEqualTo(2);
      // The first PATCH to start past 40 MB is the fourth chunk's, at 48 MiB: it was lost whole,
      // and the registry said it holds 48 MiB.
      assertThat(messages)
          .anyMatch(m -> m.contains("resuming the upload of " + bigDigest + " at byte 50331648"));
      assertThat(messages).noneMatch(m -> m.contains("starting it over"));
      assertThat(result.bytesSent()).isLessThan(BIG + 1000);
      assertThat(registry.requests("GET", "/v2/bale/resumed/blobs/uploads/")).isEqualTo(1);
      assertPulledBlobIsRight(ImageReference.parse(registry.host() + "/bale/resumed:1"));
    }
  }

  @Test
  void push_connectionDroppedInsideChunk_startsOverAndDigestIsRight() throws Exception {
    try (RegistryProxy proxy = RegistryProxy.tearingRequest(registry.port(), 40_000_000)) {
      ImageReference target = ImageReference.parse(proxy.host() + "/bale/torn:1");

      PushResult result = client().push(target, bigImage());

      assertThat(proxy.dropped()).isTrue();
      assertThat(result.sent()).isEqualTo(2);
      // The reference registry invalidates an upload whose PATCH was torn (its data file is
      // past the offset it signed), so bale asks, is refused, and starts the blob over.
      assertThat(messages).anyMatch(m -> m.contains("asking the registry where to resume"));
      assertThat(messages).anyMatch(m -> m.contains("starting it over"));
      assertPulledBlobIsRight(ImageReference.parse(registry.host() + "/bale/torn:1"));
    }
  }

  private void assertPulledBlobIsRight(ImageReference target) throws Exception {
    Path pulled = dir.resolve("pulled");
    client().pull(target, null, pulled);
    Path blob = pulled.resolve("blobs/sha256").resolve(bigDigest.hex());
    assertThat(Files.size(blob)).isEqualTo(BIG);
    assertThat(RegistryImages.digest(Files.readAllBytes(blob))).isEqualTo(bigDigest.toString());
  }
}
