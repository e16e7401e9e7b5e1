package dev.bale.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bale.testing.RegistryCli;
import dev.bale.testing.RegistryFixture;
import dev.bale.testing.RegistryImages;
import dev.bale.testing.RegistryImages.TestImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushes small real images with {@code bale push} to the reference registry, and checks them with
 * skopeo, podman and {@code bale pull}.
 */
class RegistryPushIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path shared;
  private static RegistryFixture registry;
  private static TestImage amd64;

  @TempDir Path dir;

  @BeforeAll
  static void startRegistry() throws Exception {
    registry = RegistryFixture.start(Files.createDirectories(shared.resolve("registry")));
    amd64 = RegistryImages.busybox("amd64", "hello from amd64\n");
  }

  @AfterAll
  static void stopRegistry() throws Exception {
    registry.close();
  }

  private RegistryCli push(Path from, String reference, String... options) {
    List<String> args = new ArrayList<>(List.of("push", "--from", from.toString()));
    // Each test keeps its own memory of pushed blobs, so mounts happen only where meant.
    args.addAll(List.of("--cache-dir", dir.resolve("cache").toString()));
    args.addAll(List.of(options));
    args.add(reference);
    return RegistryCli.run(args.toArray(String[]::new));
  }

  private static String skopeo(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("skopeo"));
    command.addAll(List.of(args));
    return RegistryFixture.run(command);
  }

  private List<String> podman(String... args) {
    List<String> command = new ArrayList<>(List.of("podman", "--root", dir.resolve("root")
        .toString(), "--runroot", dir.resolve("runroot").toString(), "--storage-driver", "vfs"));
    command.addAll(List.of(args));
    return command;
  }

  @Test
  void push_busyboxLayout_runsInPodmanAndInspectsInSkopeo() throws Exception {
    Path layout = RegistryImages.writeLayout(dir.resolve("layout"), amd64, "latest");
    String reference = registry.host() + "/bale/busybox:1";

    RegistryCli result = push(layout, reference);

    assertThat(result.exitCode()).as(result.err()).isZero();
    String manifestDigest = RegistryImages.digest(amd64.manifest());
    assertThat(result.out().strip()).isEqualTo(reference + "@" + manifestDigest);
    assertThat(result.err()).contains("2 blobs sent").contains("0 mounted").contains("0 skipped");

    JsonNode inspect =
        JSON.readTree(skopeo("inspect", "--tls-verify=false", "docker://" + reference));
    assertThat(inspect.path("Digest").asText()).isEqualTo(manifestDigest);
    assertThat(inspect.path("Architecture").asText()).isEqualTo("amd64");

    RegistryFixture.run(podman("pull", "--tls-verify=false", "-q", reference));
    String hi =
        RegistryFixture.run(
            podman(
                "--runtime", "runc", "run", "--rm", "--ulimit", "nofile=1024:1024",
                "--ulimit", "nproc=1024:1024", "--network", "none", reference,
                "busybox", "echo", "hi"));
    assertThat(hi.strip()).isEqualTo("hi");
  }
}
