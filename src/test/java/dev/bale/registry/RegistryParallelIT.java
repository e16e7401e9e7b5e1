package dev.bale.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.hash.Digest;
import dev.bale.testing.RegistryFaults;
import dev.bale.testing.RegistryFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushes and pulls an image of several layers through a slow proxy and watches how many blobs go up
 * or come down at once.
 */
class RegistryParallelIT {
  private static final int LAYERS = 6;

  @TempDir Path dir;

  @Test
  void push_manyLayers_uploadsSeveralAtOnce_butNoMoreThanThree() throws Exception {
    Path storage = Files.createDirectories(dir.resolve("registry"));
    try (RegistryFixture registry = RegistryFixture.start(storage);
        RegistryFaults slow =
            RegistryFaults.start(registry.host()).holdUploads(Duration.ofMillis(400))) {
      ImageReference target = ImageReference.parse(slow.host() + "/bale/parallel:1");
      RegistryClient client = RegistryClient.builder().stateDirectory(dir.resolve("state")).build();

      PushResult result = client.push(target, image());

      assertThat(result.sent()).isEqualTo(LAYERS + 1);
      assertThat(slow.uploadsHeld()).isEqualTo(LAYERS + 1);
      assertThat(slow.peakUploadsHeld()).isGreaterThan(1).isLessThanOrEqualTo(3);
    }
  }

  @Test
  void push_withOneUploadAtATime_neverHoldsTwo() throws Exception {
    Path storage = Files.createDirectories(dir.resolve("registry"));
    try (RegistryFixture registry = RegistryFixture.start(storage);
        RegistryFaults slow =
            RegistryFaults.start(registry.host()).holdUploads(Duration.ofMillis(100))) {
      ImageReference target = ImageReference.parse(slow.host() + "/bale/serial:1");
      RegistryClient client =
          RegistryClient.builder().stateDirectory(dir.resolve("state")).parallelUploads(1).build();

      client.push(target, image());

      assertThat(slow.uploadsHeld()).isEqualTo(LAYERS + 1);
      assertThat(slow.peakUploadsHeld()).isEqualTo(1);
    }
  }

  @Test
  void pull_manyLayers_fetchesSeveralAtOnce_butNoMoreThanThree() throws Exception {
    Path storage = Files.createDirectories(dir.resolve("registry"));
    try (RegistryFixture registry = RegistryFixture.start(storage);
        RegistryFaults slow =
            RegistryFaults.start(registry.host()).holdDownloads(Duration.ofMillis(400))) {
      RegistryClient client = RegistryClient.builder().stateDirectory(dir.resolve("state")).build();
      client.push(ImageReference.parse(registry.host() + "/bale/pulled:1"), image());

      client.pull(
          ImageReference.parse(slow.host() + "/bale/pulled:1"), null, dir.resolve("layout"));

      assertThat(slow.downloadsHeld()).isEqualTo(LAYERS + 1);
      assertThat(slow.peakDownloadsHeld()).isGreaterThan(1).isLessThanOrEqualTo(3);
      try (var blobs = Files.list(dir.resolve("layout/blobs/sha256"))) {
        // The layers, the config and the manifest.
        assertThat(blobs.count()).isEqualTo(LAYERS + 2);
      }
    }
  }

  /** Returns an image of {@link #LAYERS} small layers, each of its own bytes. */
  private static PushImage image() throws RegistryException {
    List<Blob> layers = new ArrayList<>();
    List<String> diffIds = new ArrayList<>();
    for (int i = 0; i < LAYERS; i++) {
      byte[] bytes = ("layer " + i + "\n").repeat(1000).getBytes(StandardCharsets.UTF_8);
      layers.add(Blob.ofBytes(bytes, MediaTypes.OCI_LAYER));
      diffIds.add("\"" + Digest.of(bytes) + "\"");
    }
    String config =
        "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
            + "\"diff_ids\":["
            + String.join(",", diffIds)
            + "]}}";
    Blob configBlob = Blob.ofBytes(config.getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_CONFIG);
    return PushImage.of(ManifestFormat.OCI, configBlob, layers);
  }
}
