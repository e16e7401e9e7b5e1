package dev.bale.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.hash.Digest;
import dev.bale.store.ProcessTag;
import dev.bale.testing.RegistryCli;
import dev.bale.testing.RegistryFaults;
import dev.bale.testing.RegistryFixture;
import dev.bale.testing.RegistryImages;
import dev.bale.testing.RegistryImages.TestImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls from the reference registry through a proxy that corrupts blobs, and into layouts whose
 * blobs were damaged on disk: every digest is checked, and a failed pull changes nothing.
 */
class RegistryPullIT {
  @TempDir static Path shared;
  private static RegistryFixture registry;
  private static TestImage first;
  private static TestImage second;

  @TempDir Path dir;

  @BeforeAll
  static void startRegistryWithTwoImages() throws Exception {
    registry = RegistryFixture.start(Files.createDirectories(shared.resolve("registry")));
    first = RegistryImages.busybox("amd64", "first\n");
    second = RegistryImages.busybox("amd64", "second\n");
    push(first, "first");
    push(second, "second");
  }

  @AfterAll
  static void stopRegistry() throws Exception {
    registry.close();
  }

  private static void push(TestImage image, String tag) throws IOException {
    Path layout = RegistryImages.writeLayout(shared.resolve("layout-" + tag), image, "latest");
    RegistryCli pushed =
        RegistryCli.run(
            "push",
            "--from",
            layout.toString(),
            "--cache-dir",
            shared.resolve("cache").toString(),
            registry.host() + "/bale/pull:" + tag);
    assertThat(pushed.exitCode()).as(pushed.err()).isZero();
  }

  private static RegistryCli pull(String reference, Path output, String format) {
    return RegistryCli.run("pull", reference, "-o", output.toString(), "--format", format);
  }

  @Test
  void pull_corruptBlob_failsInOneLineNamingTheDigest_andLeavesEveryOutputAsItWas()
      throws Exception {
    Path layout = dir.resolve("layout");
    Path ociArchive = dir.resolve("image-oci.tar");
    Path dockerArchive = dir.resolve("image.tar");
    String firstImage = registry.host() + "/bale/pull:first";
    assertThat(pull(firstImage, layout, "oci-dir").exitCode()).isZero();
    assertThat(pull(firstImage, ociArchive, "oci").exitCode()).isZero();
    assertThat(pull(firstImage, dockerArchive, "docker").exitCode()).isZero();
    String layer = second.blobDigests().get(1);
    Map<Path, String> outputs = new LinkedHashMap<>();
    outputs.put(layout, "oci-dir");
    outputs.put(ociArchive, "oci");
    outputs.put(dockerArchive, "docker");
    outputs.put(dir.resolve("new-layout"), "oci-dir");
    outputs.put(dir.resolve("new-oci.tar"), "oci");
    outputs.put(dir.resolve("new.tar"), "docker");

    try (RegistryFaults faults =
        RegistryFaults.start(registry.host()).corrupt(layer.substring("sha256:".length()))) {
      for (Map.Entry<Path, String> output : outputs.entrySet()) {
        Map<String, String> before = snapshot(dir);

        RegistryCli result =
            pull(faults.host() + "/bale/pull:second", output.getKey(), output.getValue());

        assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
        assertThat(result.out()).isEmpty();
        assertThat(result.err().strip())
            .startsWith("bale: ")
            .contains("blob " + layer)
            .contains("wrong digest")
            .doesNotContain("\n");
        assertThat(snapshot(dir)).as(output.getKey().toString()).isEqualTo(before);
      }
      assertThat(faults.corruptions()).isGreaterThanOrEqualTo(outputs.size());
    }
  }

  @Test
  void pull_blobLongerThanItsDescriptor_stopsReadingAtTheSize_andWritesNothing() throws Exception {
    String layer = second.blobDigests().get(1);
    Path layout = dir.resolve("padded-layout");

    try (RegistryFaults faults =
        RegistryFaults.start(registry.host()).pad(layer.substring("sha256:".length()))) {
      Map<String, String> before = snapshot(dir);

      RegistryCli result = pull(faults.host() + "/bale/pull:second", layout, "oci-dir");

      assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
      assertThat(result.err().strip())
          .startsWith("bale: ")
          .contains("blob " + layer)
          .contains("has more than the")
          .doesNotContain("\n");
      assertThat(snapshot(dir)).isEqualTo(before);
      // The proxy had 256 MiB to send; bale hung up one byte past the blob's size.
      assertThat(faults.paddingsCutShort()).isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void pull_intoLayoutWithTruncatedOrChangedBlob_fetchesItAgain() throws Exception {
    Path layout = dir.resolve("layout");
    String reference = registry.host() + "/bale/pull:first";
    String layer = first.blobDigests().get(1);
    String hex = layer.substring("sha256:".length());
    Path blob = layout.resolve("blobs/sha256").resolve(hex);
    assertThat(pull(reference, layout, "oci-dir").exitCode()).isZero();
    long fetches = registry.requests("GET", "/blobs/" + layer);

    Files.write(blob, Arrays.copyOf(first.layer(), first.layer().length / 2));
    RegistryCli truncated = pull(reference, layout, "oci-dir");

    assertThat(truncated.exitCode()).as(truncated.err()).isZero();
    assertThat(truncated.err()).contains("blob " + layer, "fetching it again");
    assertThat(Files.readAllBytes(blob)).isEqualTo(first.layer());
    assertThat(registry.requests("GET", "/blobs/" + layer)).isEqualTo(fetches + 1);

    byte[] changed = first.layer().clone();
    changed[changed.length / 3] ^= 1;
    Files.write(blob, changed);
    RegistryCli sameSize = pull(reference, layout, "oci-dir");

    assertThat(sameSize.exitCode()).as(sameSize.err()).isZero();
    assertThat(sameSize.err()).contains("has other content; fetching it again");
    assertThat(Files.readAllBytes(blob)).isEqualTo(first.layer());
    assertThat(registry.requests("GET", "/blobs/" + layer)).isEqualTo(fetches + 2);

    RegistryCli intact = pull(reference, layout, "oci-dir");

    assertThat(intact.exitCode()).as(intact.err()).isZero();
    assertThat(intact.err()).doesNotContain("fetching it again");
    assertThat(registry.requests("GET", "/blobs/" + layer)).isEqualTo(fetches + 2);
  }

  @Test
  void pull_removesTheStagingThatKilledPullsLeft_andKeepsThoseOfLiveOnes() throws Exception {
    Path layout = dir.resolve("staged-layout");
    String reference = registry.host() + "/bale/pull:first";
    assertThat(pull(reference, layout, "oci-dir").exitCode()).isZero();
    // No process has this id (Linux's largest is 4194304), so its staging is a leftover.
    String dead = "999999999-1-0123456789abcdef";
    Path leftInLayout = Files.createDirectories(layout.resolve(".pull-" + dead + "/blobs"));
    Files.writeString(leftInLayout.resolve("half"), "half a blob");
    Path leftBeside = Files.createDirectories(dir.resolve(".new-layout.pull-" + dead));
    Path live = Files.createDirectories(layout.resolve(".pull-" + ProcessTag.next()));

    RegistryCli again = pull(reference, layout, "oci-dir");
    RegistryCli fresh = pull(reference, dir.resolve("new-layout"), "oci-dir");

    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(fresh.exitCode()).as(fresh.err()).isZero();
    assertThat(layout.resolve(".pull-" + dead)).doesNotExist();
    assertThat(leftBeside).doesNotExist();
    assertThat(live).isDirectory();
  }

  /** Returns every file and directory under {@code root} with the digest of its content. */
  private static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> entries = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      List<Path> all = new ArrayList<>(paths.toList());
      for (Path path : all) {
        String name = root.relativize(path).toString();
        entries.put(
            name, Files.isDirectory(path) ? "dir" : Digest.of(Files.readAllBytes(path)).toString());
      }
    }
    return entries;
  }
}
