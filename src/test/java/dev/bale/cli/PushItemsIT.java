package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bale.hash.Digest;
import dev.bale.registry.MediaTypes;
import dev.bale.testing.Bale;
import dev.bale.testing.Podman;
import dev.bale.testing.Program;
import dev.bale.testing.RegistryFaults;
import dev.bale.testing.RegistryFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushes store items straight to the reference registry and checks the result against what {@code
 * pack -f oci-dir} writes, podman, skopeo and {@code bale pull}.
 */
class PushItemsIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path temp;
  private Bale bale;
  private String hello;
  private int layouts;

  @BeforeEach
  void addClosure() throws IOException {
    bale = new Bale(temp.resolve("store"));
    hello = bale.addHelloClosure(temp.resolve("work"), "hello from the store").get(1);
  }

  @Test
  void pushItems_runsAfterPodmanPull_andMatchesPack() throws Exception {
    try (RegistryFixture registry = RegistryFixture.start(temp)) {
      String reference = registry.host() + "/hello:1";

      Bale.Result pushed = push("--entry-point", "bin/hello", hello, reference);

      assertThat(pushed.exitCode()).as(pushed.err()).isZero();
      assertThat(pushed.out().strip()).startsWith(reference + "@sha256:");
      assertThat(pushed.err()).contains("4 blobs sent", "0 mounted", "0 skipped");
      Path layout = pack("--entry-point", "bin/hello", hello);
      assertThat(digestOf(pushed)).isEqualTo(manifestDigest(layout));

      Podman podman = new Podman(temp.resolve("podman"));
      podman.command("pull", "--tls-verify=false", reference);
      assertThat(podman.run(reference, List.of()).checked().stdout())
          .isEqualTo("hello from the store\n");

      assertThat(skopeoCopy(reference)).isEqualTo(digestOf(pushed));

      Path pulled = temp.resolve("pulled");
      Bale.Result pull =
          bale.run("pull", reference, "-o", pulled.toString(), "--cache-dir", cacheDir()[1]);
      assertThat(pull.exitCode()).as(pull.err()).isZero();
      assertThat(blobs(pulled)).isEqualTo(blobs(layout)).hasSize(5);
    }
  }

  @Test
  void pullOfPushedItems_equalsPackByteForByte_asLayoutAndAsOciArchive() throws Exception {
    try (RegistryFixture registry = RegistryFixture.start(temp)) {
      String reference = registry.host() + "/hello:1";
      // push takes the tag from the reference; pack is given the same one for its index.
      List<String> options = List.of("--entry-point", "bin/hello", "--image-tag", "hello:1", hello);
      Path layout = pack(options.toArray(String[]::new));
      Bale.Result pushed = push("--entry-point", "bin/hello", hello, reference);
      assertThat(pushed.exitCode()).as(pushed.err()).isZero();

      Path pulled = temp.resolve("pulled");
      Bale.Result pull = bale.run("pull", reference, "-o", pulled.toString());

      assertThat(pull.exitCode()).as(pull.err()).isZero();
      assertThat(blobs(pulled)).isEqualTo(blobs(layout)).hasSize(5);
      for (String blob : blobs(layout)) {
        assertThat(Files.readAllBytes(pulled.resolve("blobs/sha256").resolve(blob)))
            .as(blob)
            .isEqualTo(Files.readAllBytes(layout.resolve("blobs/sha256").resolve(blob)));
      }
      JsonNode packedEntry = JSON.readTree(layout.resolve("index.json").toFile()).get("manifests");
      JsonNode pulledEntry = JSON.readTree(pulled.resolve("index.json").toFile()).get("manifests");
      assertThat(pulledEntry).isEqualTo(packedEntry).hasSize(1);
      assertThat(pulled.resolve("index.json")).hasSameBinaryContentAs(layout.resolve("index.json"));
      assertThat(pulled.resolve("oci-layout")).hasSameBinaryContentAs(layout.resolve("oci-layout"));

      Path packedTar = temp.resolve("packed-oci.tar");
      List<String> packTar =
          new ArrayList<>(List.of("pack", "-f", "oci", "-o", packedTar.toString()));
      packTar.addAll(options);
      Bale.Result packed = bale.run(packTar.toArray(String[]::new));
      assertThat(packed.exitCode()).as(packed.err()).isZero();
      Path pulledTar = temp.resolve("pulled-oci.tar");
      Bale.Result pullTar =
          bale.run("pull", reference, "-o", pulledTar.toString(), "--format", "oci");

      assertThat(pullTar.exitCode()).as(pullTar.err()).isZero();
      assertThat(pulledTar).hasSameBinaryContentAs(packedTar);
    }
  }

  @Test
  void pushAgain_sendsNoBlob_andAfterOneChange_onlyThatLayerAndConfig() throws Exception {
    try (RegistryFixture registry = RegistryFixture.start(temp)) {
      String reference = registry.host() + "/hello:1";
      assertThat(push("--entry-point", "bin/hello", hello, reference).exitCode()).isZero();
      long uploads = registry.requests("PUT", "/blobs/uploads/");
      assertThat(uploads).isEqualTo(4);

      Bale.Result again = push("--entry-point", "bin/hello", hello, reference);

      assertThat(again.exitCode()).as(again.err()).isZero();
      assertThat(again.err()).contains("0 blobs sent (0.0 MB), 0 mounted, 4 skipped");
      assertThat(registry.requests("PUT", "/blobs/uploads/")).isEqualTo(uploads);

      String changed = bale.addHelloClosure(temp.resolve("work2"), "hello, changed").get(1);
      assertThat(changed).isNotEqualTo(hello);
      Bale.Result third = push("--entry-point", "bin/hello", changed, reference);

      assertThat(third.exitCode()).as(third.err()).isZero();
      assertThat(third.err()).contains("2 blobs sent", "0 mounted, 2 skipped");
      assertThat(registry.requests("PUT", "/blobs/uploads/")).isEqualTo(uploads + 2);
      Path layout = pack("--entry-point", "bin/hello", changed);
      assertThat(digestOf(third)).isEqualTo(manifestDigest(layout));
    }
  }

  @Test
  void pushTwoSystems_tagsAnIndexOfBothPackedManifests() throws Exception {
    try (RegistryFixture registry = RegistryFixture.start(temp)) {
      String reference = registry.host() + "/hello:multi";

      Bale.Result pushed =
          push(
              "--platform",
              "x86_64-linux=" + hello,
              "--platform",
              "linux/arm64=" + hello,
              "--compression",
              "zstd",
              reference);

      assertThat(pushed.exitCode()).as(pushed.err()).isZero();
      String raw =
          RegistryFixture.run(
              List.of("skopeo", "inspect", "--tls-verify=false", "--raw", "docker://" + reference));
      assertThat(digestOf(pushed))
          .isEqualTo(Digest.of(raw.getBytes(StandardCharsets.UTF_8)).toString());
      JsonNode index = JSON.readTree(raw);
      assertThat(index.get("mediaType").asText())
          .isEqualTo("application/vnd.oci.image.index.v1+json");
      List<String> platforms = new ArrayList<>();
      List<String> digests = new ArrayList<>();
      for (JsonNode entry : index.get("manifests")) {
        JsonNode platform = entry.get("platform");
        platforms.add(platform.get("os").asText() + "/" + platform.get("architecture").asText());
        digests.add(entry.get("digest").asText());
      }
      assertThat(platforms).containsExactly("linux/amd64", "linux/arm64");
      assertThat(digests)
          .containsExactly(
              manifestDigest(pack("--system", "x86_64-linux", "--compression", "zstd", hello)),
              manifestDigest(pack("--system", "aarch64-linux", "--compression", "zstd", hello)));
    }
  }

  @Test
  void pushItemsAsDocker_hasDockerMediaTypes_andRunsAfterPodmanPull() throws Exception {
    try (RegistryFixture registry = RegistryFixture.start(temp)) {
      String reference = registry.host() + "/hello:docker";
      String plain = registry.host() + "/hello:docker-plain";

      Bale.Result pushed =
          push("--format", "docker", "--entry-point", "bin/hello", hello, reference);
      Bale.Result uncompressed =
          push(
              "--format",
              "docker",
              "--compression",
              "none",
              "--entry-point",
              "bin/hello",
              hello,
              plain);

      assertThat(pushed.exitCode()).as(pushed.err()).isZero();
      assertThat(uncompressed.exitCode()).as(uncompressed.err()).isZero();
      assertDockerManifest(reference, digestOf(pushed), MediaTypes.DOCKER_LAYER_GZIP);
      assertDockerManifest(plain, digestOf(uncompressed), MediaTypes.DOCKER_LAYER);

      Podman podman = new Podman(temp.resolve("podman"));
      podman.command("pull", "--tls-verify=false", reference);
      assertThat(podman.run(reference, List.of()).checked().stdout())
          .isEqualTo("hello from the store\n");
    }
  }

  @Test
  void pushTwoSystemsAsDocker_tagsAManifestListOfDockerManifests() throws Exception {
    try (RegistryFixture registry = RegistryFixture.start(temp)) {
      String reference = registry.host() + "/hello:docker-multi";

      Bale.Result pushed =
          push(
              "--format",
              "docker",
              "--platform",
              "x86_64-linux=" + hello,
              "--platform",
              "aarch64-linux=" + hello,
              reference);

      assertThat(pushed.exitCode()).as(pushed.err()).isZero();
      String raw =
          RegistryFixture.run(
              List.of("skopeo", "inspect", "--tls-verify=false", "--raw", "docker://" + reference));
      assertThat(Digest.of(raw.getBytes(StandardCharsets.UTF_8)).toString())
          .isEqualTo(digestOf(pushed));
      JsonNode list = JSON.readTree(raw);
      assertThat(list.get("mediaType").asText()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
      assertThat(list.get("manifests")).hasSize(2);
      for (JsonNode entry : list.get("manifests")) {
        assertThat(entry.get("mediaType").asText()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
        String one =
            reference.substring(0, reference.lastIndexOf(':')) + "@" + entry.get("digest").asText();
        assertDockerManifest(one, entry.get("digest").asText(), MediaTypes.DOCKER_LAYER_GZIP);
      }
    }
  }

  @Test
  void pushItemsAsDockerWithZstd_isUsageError_pushingNothing() throws Exception {
    try (RegistryFixture registry = RegistryFixture.start(temp)) {
      long pings = registry.requests("GET", "/v2/");

      Bale.Result pushed =
          push("--format", "docker", "--compression", "zstd", hello, registry.host() + "/hello:1");

      assertThat(pushed.exitCode()).as(pushed.err()).isEqualTo(ExitCode.USAGE);
      assertThat(pushed.err()).startsWith("bale: --format docker has no media type for zstd");
      // Refused before the registry is asked anything.
      assertThat(registry.requests("GET", "/v2/")).isEqualTo(pings);
    }
  }

  /**
   * Checks with skopeo that {@code reference} is a Docker schema 2 manifest with the digest bale
   * printed, a Docker config and layers of {@code layerType}.
   */
  private static void assertDockerManifest(String reference, String digest, String layerType)
      throws Exception {
    String raw =
        RegistryFixture.run(
            List.of("skopeo", "inspect", "--tls-verify=false", "--raw", "docker://" + reference));
    assertThat(Digest.of(raw.getBytes(StandardCharsets.UTF_8)).toString()).isEqualTo(digest);
    JsonNode manifest = JSON.readTree(raw);
    assertThat(manifest.get("mediaType").asText()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
    assertThat(manifest.at("/config/mediaType").asText()).isEqualTo(MediaTypes.DOCKER_CONFIG);
    assertThat(manifest.get("layers")).isNotEmpty();
    for (JsonNode layer : manifest.get("layers")) {
      assertThat(layer.get("mediaType").asText()).isEqualTo(layerType);
    }
  }

  @Test
  void pushBadInput_failsInOneLine_pushingNothing() throws Exception {
    try (RegistryFixture registry = RegistryFixture.start(temp)) {
      String host = registry.host();
      String down = "127.0.0.1:" + RegistryFixture.freePort() + "/hello:1";
      Path outside = Files.writeString(temp.resolve("outside.txt"), "not in the store\n");

      Set<String> storeBefore = items();

      Bale.Result unknown = push("no-such-item-1.0", host + "/hello:1");
      Bale.Result badReference = push(outside.toString(), host + "/Hello:1");
      Bale.Result unreachable = push(outside.toString(), down);
      Bale.Result secondUnknown =
          push(
              "--platform",
              "x86_64-linux=" + outside,
              "--platform",
              "aarch64-linux=no-such-item-1.0",
              host + "/hello:1");
      Bale.Result both = push("--platform", "x86_64-linux=" + hello, hello, host + "/hello:1");

      for (Bale.Result result : List.of(unknown, badReference, unreachable, secondUnknown)) {
        assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.FAILURE);
        assertThat(result.err().strip()).startsWith("bale: ").doesNotContain("\n");
        assertThat(result.out()).isEmpty();
      }
      assertThat(unknown.err()).contains("no-such-item-1.0");
      assertThat(secondUnknown.err()).contains("no-such-item-1.0");
      assertThat(badReference.err()).contains("bad image reference '" + host + "/Hello:1'");
      assertThat(unreachable.err()).contains("127.0.0.1");
      assertThat(both.exitCode()).isEqualTo(ExitCode.USAGE);
      assertThat(registry.requests("PUT", "/v2/")).isZero();
      assertThat(registry.requests("POST", "/v2/")).isZero();
      assertThat(items()).as("the store must be as it was").isEqualTo(storeBefore);
    }
  }

  @Test
  void pushFailingBlobUpload_failsInOneLine_taggingNothing() throws Exception {
    RegistryFaults.Fault refused =
        new RegistryFaults.Fault("PUT", "/blobs/uploads/", 400, null, 99);
    try (RegistryFixture registry = RegistryFixture.start(temp);
        RegistryFaults faults = RegistryFaults.start(registry.host()).inject(refused)) {
      Bale.Result pushed = push("--entry-point", "bin/hello", hello, faults.host() + "/hello:1");

      assertThat(pushed.exitCode()).as(pushed.err()).isEqualTo(ExitCode.FAILURE);
      assertThat(pushed.err().strip())
          .startsWith("bale: ")
          .contains("HTTP 400")
          .doesNotContain("\n");
      assertThat(pushed.out()).isEmpty();
      assertThat(faults.injected(refused)).isPositive();
      assertThat(registry.requests("PUT", "/manifests/")).isZero();
    }
  }

  @Test
  void pushForbiddenUpload_namesRegistryRepositoryAnd403_taggingNothing() throws Exception {
    RegistryFaults.Fault forbidden =
        new RegistryFaults.Fault("POST", "/blobs/uploads/", 403, null, 99);
    try (RegistryFixture registry = RegistryFixture.start(temp);
        RegistryFaults faults = RegistryFaults.start(registry.host()).inject(forbidden)) {
      Bale.Result pushed =
          push("--entry-point", "bin/hello", hello, faults.host() + "/team/hello:1");

      assertOneLineFailure(pushed, faults.host(), "team/hello", "HTTP 403");
      assertThat(pushed.err()).contains("may not");
      assertThat(faults.injected(forbidden)).isPositive();
      assertThat(registry.requests("PUT", "/v2/")).isZero();
    }
  }

  @Test
  void pushToUnknownRepository_namesRegistryRepositoryAnd404_taggingNothing() throws Exception {
    // Registries that create no repository on push (Harbor without the project, Quay) say 404.
    RegistryFaults.Fault unknown =
        new RegistryFaults.Fault("POST", "/blobs/uploads/", 404, null, 99);
    try (RegistryFixture registry = RegistryFixture.start(temp);
        RegistryFaults faults = RegistryFaults.start(registry.host()).inject(unknown)) {
      Bale.Result pushed =
          push("--entry-point", "bin/hello", hello, faults.host() + "/nobody/hello:1");

      assertOneLineFailure(pushed, faults.host(), "nobody/hello", "HTTP 404");
      assertThat(registry.requests("PUT", "/v2/")).isZero();
    }
  }

  @Test
  void pullMissingTag_namesRegistryRepositoryAnd404_writingNothing() throws Exception {
    try (RegistryFixture registry = RegistryFixture.start(temp)) {
      assertThat(push(hello, registry.host() + "/hello:1").exitCode()).isZero();
      Path output = temp.resolve("pulled");

      Bale.Result pulled =
          bale.run(
              "pull",
              registry.host() + "/hello:missing",
              "-o",
              output.toString(),
              cacheDir()[0],
              cacheDir()[1]);

      assertOneLineFailure(pulled, registry.host(), "hello", "HTTP 404");
      assertThat(pulled.err()).contains("missing");
      assertThat(output).doesNotExist();
    }
  }

  /**
   * Copies {@code reference} with skopeo into an OCI layout, its scratch files in the test's
   * directory, and returns the digest of the manifest it wrote after checking its bytes.
   */
  private String skopeoCopy(String reference) throws Exception {
    Program.require("skopeo", "skopeo");
    Path copy = temp.resolve("skopeo-copy");
    Path scratch = Files.createDirectories(temp.resolve("skopeo-tmp"));
    Program.run(
            List.of(
                "skopeo",
                "--tmpdir",
                scratch.toString(),
                "copy",
                "--quiet",
                "--src-tls-verify=false",
                "docker://" + reference,
                "oci:" + copy + ":copied"),
            Map.of("TMPDIR", scratch.toString()),
            temp)
        .checked();
    String digest = manifestDigest(copy);
    byte[] manifest = Files.readAllBytes(copy.resolve("blobs/sha256").resolve(digest.substring(7)));
    assertThat(Digest.of(manifest).toString()).isEqualTo(digest);
    return digest;
  }

  private static void assertOneLineFailure(
      Bale.Result result, String registry, String repository, String status) {
    assertThat(result.exitCode()).as(result.err()).isEqualTo(ExitCode.FAILURE);
    assertThat(result.err().strip())
        .startsWith("bale: ")
        .contains("registry '" + registry + "'", "repository '" + repository + "'", status)
        .doesNotContain("\n")
        .doesNotContain("Exception");
    assertThat(result.out()).isEmpty();
  }

  /** Returns the base names of the store's items, found on disk. */
  private Set<String> items() throws IOException {
    Path physical = temp.resolve("store");
    try (Stream<Path> files = Files.walk(physical, 4)) {
      return files
          .filter(file -> file.getFileName().toString().matches("[0-9a-z]{32}-.*"))
          .map(file -> file.getFileName().toString())
          .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
    }
  }

  private Bale.Result push(String... args) {
    List<String> command = new ArrayList<>(List.of("push"));
    command.addAll(List.of(cacheDir()));
    command.addAll(List.of(args));
    return bale.run(command.toArray(String[]::new));
  }

  private String[] cacheDir() {
    return new String[] {"--cache-dir", temp.resolve("cache").toString()};
  }

  /** Packs an OCI layout directory with {@code args} and returns it. */
  private Path pack(String... args) throws IOException {
    Path layout = temp.resolve("layout-" + layouts++);
    List<String> command = new ArrayList<>(List.of("pack", "-f", "oci-dir"));
    command.addAll(List.of("-o", layout.toString()));
    command.addAll(List.of(args));
    Bale.Result packed = bale.run(command.toArray(String[]::new));
    assertThat(packed.exitCode()).as(packed.err()).isZero();
    return layout;
  }

  private static String manifestDigest(Path layout) throws IOException {
    JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
    return index.get("manifests").get(0).get("digest").asText();
  }

  private static String digestOf(Bale.Result pushed) {
    String reference = pushed.out().strip();
    return reference.substring(reference.indexOf('@') + 1);
  }

  private static Set<String> blobs(Path layout) throws IOException {
    try (Stream<Path> files = Files.list(layout.resolve("blobs/sha256"))) {
      return files
          .map(file -> file.getFileName().toString())
          .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
    }
  }
}
