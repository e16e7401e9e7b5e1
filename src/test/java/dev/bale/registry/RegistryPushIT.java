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
    List<String> command =
        new ArrayList<>(
            List.of(
                "podman",
                "--root",
                dir.resolve("root").toString(),
                "--runroot",
                dir.resolve("runroot").toString(),
                "--storage-driver",
                "vfs"));
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
                "--runtime",
                "runc",
                "run",
                "--rm",
                "--ulimit",
                "nofile=1024:1024",
                "--ulimit",
                "nproc=1024:1024",
                "--network",
                "none",
                reference,
                "busybox",
                "echo",
                "hi"));
    assertThat(hi.strip()).isEqualTo("hi");
  }

  @Test
  void push_sameImageAgain_sendsNoBlob() throws Exception {
    Path layout = RegistryImages.writeLayout(dir.resolve("layout"), amd64, "latest");
    String reference = registry.host() + "/bale/again:1";
    assertThat(push(layout, reference).exitCode()).isZero();
    long uploadsBefore = registry.requests("PUT", "/v2/bale/again/blobs/uploads/");
    long startsBefore = registry.requests("POST", "/v2/bale/again/blobs/uploads/");

    RegistryCli again = push(layout, reference);

    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(again.err()).contains("0 blobs sent").contains("0 mounted").contains("2 skipped");
    assertThat(uploadsBefore).isEqualTo(2);
    assertThat(registry.requests("PUT", "/v2/bale/again/blobs/uploads/")).isEqualTo(uploadsBefore);
    assertThat(registry.requests("POST", "/v2/bale/again/blobs/uploads/")).isEqualTo(startsBefore);
    assertThat(registry.requests("PATCH", "/v2/bale/again/")).isZero();
  }

  @Test
  void push_toSecondRepository_mountsBlobs() throws Exception {
    Path layout = RegistryImages.writeLayout(dir.resolve("layout"), amd64, "latest");
    assertThat(push(layout, registry.host() + "/bale/first:1").exitCode()).isZero();

    RegistryCli second = push(layout, registry.host() + "/bale/second:1");

    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(second.err()).contains("0 blobs sent").contains("2 mounted");
    assertThat(registry.requests("POST", "/v2/bale/second/blobs/uploads/?mount=")).isEqualTo(2);
    assertThat(registry.requests("PUT", "/v2/bale/second/blobs/uploads/")).isZero();
    JsonNode inspect =
        JSON.readTree(
            skopeo(
                "inspect", "--tls-verify=false", "docker://" + registry.host() + "/bale/second:1"));
    assertThat(inspect.path("Layers").get(0).asText()).isEqualTo(amd64.blobDigests().get(1));
  }

  @Test
  void push_index_showsBothPlatformsAndPullsBackDigestForDigest() throws Exception {
    TestImage arm64 = RegistryImages.busybox("arm64", "hello from arm64\n");
    Path layout =
        RegistryImages.writeIndexLayout(dir.resolve("layout"), List.of(amd64, arm64), "multi");
    String reference = registry.host() + "/bale/multi:1";

    RegistryCli result = push(layout, reference);

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode raw =
        JSON.readTree(skopeo("inspect", "--raw", "--tls-verify=false", "docker://" + reference));
    assertThat(raw.path("mediaType").asText()).isEqualTo(MediaTypes.OCI_INDEX);
    List<String> platforms = new ArrayList<>();
    raw.path("manifests")
        .forEach(
            m ->
                platforms.add(
                    m.path("platform").path("os").asText()
                        + "/"
                        + m.path("platform").path("architecture").asText()));
    assertThat(platforms).containsExactly("linux/amd64", "linux/arm64");
    String indexDigest = result.out().strip().substring(result.out().indexOf('@') + 1);
    assertThat(
            RegistryImages.digest(
                Files.readAllBytes(
                    layout.resolve("blobs/sha256").resolve(indexDigest.substring(7)))))
        .isEqualTo(indexDigest);

    Path pulled = dir.resolve("pulled");
    RegistryCli pull = RegistryCli.run("pull", reference, "-o", pulled.toString());

    assertThat(pull.exitCode()).as(pull.err()).isZero();
    assertThat(pull.out().strip()).isEqualTo(reference + "@" + indexDigest);
    assertThat(blobNames(pulled)).isEqualTo(blobNames(layout));
    JsonNode top = JSON.readTree(pulled.resolve("index.json").toFile()).path("manifests").get(0);
    assertThat(top.path("digest").asText()).isEqualTo(indexDigest);
    skopeo("inspect", "oci:" + pulled + ":1");

    Path arm = dir.resolve("arm");
    RegistryCli pullArm =
        RegistryCli.run("pull", reference, "-o", arm.toString(), "--platform", "linux/arm64");
    assertThat(pullArm.exitCode()).as(pullArm.err()).isZero();
    assertThat(blobNames(arm))
        .containsExactlyInAnyOrder(
            RegistryImages.digest(arm64.manifest()).substring(7),
            arm64.blobDigests().get(0).substring(7),
            arm64.blobDigests().get(1).substring(7));
  }

  @Test
  void pull_afterPush_equalsPushedLayout() throws Exception {
    Path layout = RegistryImages.writeLayout(dir.resolve("layout"), amd64, "latest");
    String reference = registry.host() + "/bale/roundtrip:1";
    assertThat(push(layout, reference).exitCode()).isZero();
    Path pulled = dir.resolve("pulled");

    RegistryCli pull = RegistryCli.run("pull", reference, "-o", pulled.toString());

    assertThat(pull.exitCode()).as(pull.err()).isZero();
    assertThat(blobNames(pulled)).isEqualTo(blobNames(layout));
    for (String name : blobNames(pulled)) {
      assertThat(pulled.resolve("blobs/sha256").resolve(name))
          .hasSameBinaryContentAs(layout.resolve("blobs/sha256").resolve(name));
    }
    JsonNode inspect = JSON.readTree(skopeo("inspect", "oci:" + pulled + ":1"));
    assertThat(inspect.path("Digest").asText()).isEqualTo(RegistryImages.digest(amd64.manifest()));
  }

  @Test
  void pull_asArchives_skopeoAndPodmanReadThem() throws Exception {
    Path layout = RegistryImages.writeLayout(dir.resolve("layout"), amd64, "latest");
    String reference = registry.host() + "/bale/archives:1";
    assertThat(push(layout, reference).exitCode()).isZero();
    Path ociTar = dir.resolve("image.oci.tar");
    Path dockerTar = dir.resolve("image.docker.tar");

    RegistryCli oci =
        RegistryCli.run("pull", reference, "-o", ociTar.toString(), "--format", "oci");
    RegistryCli docker =
        RegistryCli.run("pull", reference, "-o", dockerTar.toString(), "--format", "docker");

    assertThat(oci.exitCode()).as(oci.err()).isZero();
    assertThat(docker.exitCode()).as(docker.err()).isZero();
    JsonNode fromOci = JSON.readTree(skopeo("inspect", "oci-archive:" + ociTar + ":1"));
    assertThat(fromOci.path("Digest").asText()).isEqualTo(RegistryImages.digest(amd64.manifest()));
    JsonNode fromDocker = JSON.readTree(skopeo("inspect", "docker-archive:" + dockerTar));
    assertThat(fromDocker.path("Layers").get(0).asText()).isEqualTo(amd64.blobDigests().get(1));
    RegistryFixture.run(podman("load", "-q", "-i", dockerTar.toString()));
    // --pull never: the image must come from the archive, under the tag the archive gives it.
    String hi =
        RegistryFixture.run(
            podman(
                "--runtime",
                "runc",
                "run",
                "--rm",
                "--pull",
                "never",
                "--ulimit",
                "nofile=1024:1024",
                "--ulimit",
                "nproc=1024:1024",
                "--network",
                "none",
                reference,
                "busybox",
                "cat",
                "/hello.txt"));
    assertThat(hi).isEqualTo("hello from amd64\n");
  }

  @Test
  void push_dockerFormat_putsDockerSchema2Manifest() throws Exception {
    Path layout = RegistryImages.writeLayout(dir.resolve("layout"), amd64, "latest");
    String reference = registry.host() + "/bale/docker:1";

    RegistryCli result = push(layout, reference, "--format", "docker");

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode raw =
        JSON.readTree(skopeo("inspect", "--raw", "--tls-verify=false", "docker://" + reference));
    assertThat(raw.path("mediaType").asText()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
    assertThat(raw.path("config").path("mediaType").asText()).isEqualTo(MediaTypes.DOCKER_CONFIG);
    assertThat(raw.path("layers").get(0).path("mediaType").asText())
        .isEqualTo(MediaTypes.DOCKER_LAYER);
    assertThat(raw.path("layers").get(0).path("digest").asText())
        .isEqualTo(amd64.blobDigests().get(1));

    Path pulled = dir.resolve("pulled");
    RegistryCli pull = RegistryCli.run("pull", reference, "-o", pulled.toString());
    assertThat(pull.exitCode()).as(pull.err()).isZero();
    String manifestDigest = pull.out().strip().substring(pull.out().indexOf('@') + 1);
    assertThat(manifestDigest)
        .isEqualTo(result.out().strip().substring(result.out().indexOf('@') + 1));
    assertThat(blobNames(pulled))
        .containsExactlyInAnyOrder(
            manifestDigest.substring(7),
            amd64.blobDigests().get(0).substring(7),
            amd64.blobDigests().get(1).substring(7));
    JsonNode top = JSON.readTree(pulled.resolve("index.json").toFile()).path("manifests").get(0);
    assertThat(top.path("mediaType").asText()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
  }

  @Test
  void push_dockerArchiveAndLayoutTar_keepUncompressedLayers() throws Exception {
    Path layout = RegistryImages.writeLayout(dir.resolve("layout"), amd64, "latest");
    Path archive = dir.resolve("image.tar");
    skopeo("copy", "-q", "oci:" + layout + ":latest", "docker-archive:" + archive + ":x:1");
    Path layoutTar = dir.resolve("layout.tar");
    RegistryFixture.run(List.of("tar", "-C", layout.toString(), "-cf", layoutTar.toString(), "."));

    RegistryCli fromArchive = push(archive, registry.host() + "/bale/archive:1");
    RegistryCli fromTar = push(layoutTar, registry.host() + "/bale/tar:1");

    assertThat(fromArchive.exitCode()).as(fromArchive.err()).isZero();
    JsonNode raw =
        JSON.readTree(
            skopeo(
                "inspect",
                "--raw",
                "--tls-verify=false",
                "docker://" + registry.host() + "/bale/archive:1"));
    assertThat(raw.path("mediaType").asText()).isEqualTo(MediaTypes.OCI_MANIFEST);
    assertThat(raw.path("layers").get(0).path("mediaType").asText())
        .isEqualTo(MediaTypes.OCI_LAYER);
    assertThat(raw.path("layers").get(0).path("digest").asText())
        .isEqualTo(amd64.blobDigests().get(1));
    assertThat(fromTar.exitCode()).as(fromTar.err()).isZero();
    assertThat(fromTar.out().strip()).endsWith("@" + RegistryImages.digest(amd64.manifest()));
  }

  private static Set<String> blobNames(Path layout) throws Exception {
    try (Stream<Path> files = Files.list(layout.resolve("blobs").resolve("sha256"))) {
      return files
          .map(p -> p.getFileName().toString())
          .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
    }
  }
}
