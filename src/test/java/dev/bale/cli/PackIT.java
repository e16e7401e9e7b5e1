package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bale.hash.Digest;
import dev.bale.testing.Bale;
import dev.bale.testing.ImageValidator;
import dev.bale.testing.Podman;
import dev.bale.testing.Program;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Packs a real closure and checks the images with podman, skopeo and umoci. */
class PackIT {
  @TempDir Path temp;
  private Bale bale;
  private String busybox;
  private String hello;

  @BeforeEach
  void createClosure() throws Exception {
    bale = new Bale(temp.resolve("store"));
    List<String> paths = bale.addHelloClosure(temp.resolve("work"), "hello from bale");
    busybox = paths.get(0);
    hello = paths.get(1);
  }

  private Path pack(String... args) {
    List<String> all = new ArrayList<>(List.of("pack"));
    all.addAll(List.of(args));
    Bale.Result result = bale.run(all.toArray(String[]::new));
    assertThat(result.exitCode()).as(result.err()).isZero();
    return Path.of(args[1]);
  }

  @Test
  void dockerArchive_loadsAndRunsItsEntryPointInPodman() throws Exception {
    Path image =
        pack(
            "-o",
            temp.resolve("hello.tar").toString(),
            "--entry-point",
            "bin/hello",
            "--entry-point-arg",
            "and",
            "--cmd",
            "friends",
            "--image-tag",
            "hello:it",
            hello);
    ImageValidator.dockerArchive(image);

    Podman podman = new Podman(temp.resolve("podman"));
    assertThat(podman.load(image)).contains("localhost/hello:it");
    Program.Result run = podman.run("localhost/hello:it", List.of()).checked();
    assertThat(run.stdout()).isEqualTo("hello from bale and friends\n");
  }

  @Test
  void archiveDocker_runsTheItemThroughItsBinLink() throws Exception {
    Path work = Files.createDirectories(temp.resolve("cwd"));
    String jar = Path.of("target/bale.jar").toAbsolutePath().toString();
    Program.Result result =
        Program.run(
                List.of(
                    "java",
                    "-jar",
                    jar,
                    "--store",
                    bale.storeUri(),
                    "archive",
                    "--format=docker",
                    hello),
                Map.of(),
                work)
            .checked();
    String baseName = hello.substring(hello.lastIndexOf('/') + 1);
    assertThat(result.stdout().strip()).isEqualTo("docker-image-" + baseName + ".tar");
    Path image = work.resolve(result.stdout().strip());
    ImageValidator.dockerArchive(image);

    Podman podman = new Podman(temp.resolve("podman"));
    String tag = "localhost/hello-2.12:" + baseName.substring(0, 32);
    assertThat(podman.load(image)).contains(tag);
    assertThat(podman.run(tag, List.of("/bin/hello")).checked().stdout())
        .isEqualTo("hello from bale\n");
  }

  @Test
  void ociArchiveAndLayout_areReadBySkopeoAndUnpackByUmociToTheClosure() throws Exception {
    Program.require("skopeo", "skopeo");
    Program.require("umoci", "umoci");
    Path archive =
        pack(
            "-o",
            temp.resolve("hello-oci.tar").toString(),
            "-f",
            "oci",
            "-S",
            "/bin=bin",
            "--image-tag",
            "hello:oci",
            "--system",
            "aarch64-linux",
            "--compression",
            "none",
            hello);
    // umoci 0.4 reads no zstd layers; the validator checks those.
    Path layout =
        pack(
            "-o",
            temp.resolve("layout").toString(),
            "-f",
            "oci-dir",
            "-S",
            "/bin=bin",
            "--image-tag",
            "hello:oci",
            hello);
    ImageValidator.ociArchive(archive);
    ImageValidator.ociLayout(layout);

    JsonNode fromArchive = skopeoInspect("oci-archive:" + archive + ":oci");
    assertThat(fromArchive.get("Architecture").asText()).isEqualTo("arm64");
    assertThat(fromArchive.get("Layers")).hasSize(3);
    JsonNode fromLayout = skopeoInspect("oci:" + layout + ":oci");
    assertThat(fromLayout.get("Layers")).hasSize(3);

    Map<String, String> expected = closureTree();
    assertThat(umociUnpack(layout)).isEqualTo(expected);

    Path extracted = Files.createDirectories(temp.resolve("extracted"));
    Program.run(List.of("tar", "-xf", archive.toString(), "-C", extracted.toString())).checked();
    assertThat(umociUnpack(extracted)).isEqualTo(expected);
  }

  @Test
  void pack_configOptions_reachTheConfigSkopeoReads() throws Exception {
    Program.require("skopeo", "skopeo");
    String[] options = {
      "--env",
      "GREETING=hi there",
      "--env",
      "PATH=/bin",
      "--label",
      "org.opencontainers.image.title=hello",
      "--label",
      "tier=demo",
      "--workdir",
      "/tmp",
      "--user",
      "1000:100",
      "--expose",
      "8080",
      "--expose",
      "53/udp",
      "--cmd",
      "--loud",
      "--cmd",
      "world",
      "--entry-point",
      "bin/hello",
      "--entry-point-arg",
      "a",
      "--entry-point-arg",
      "b c",
      "--image-tag",
      "hello:config",
      hello
    };
    Path archive = pack(withOutput("hello-oci.tar", "oci", options));
    Path docker = pack(withOutput("hello.tar", "docker", options));

    JsonNode fromSkopeo = skopeoInspectConfig("oci-archive:" + archive + ":config");
    for (JsonNode config :
        List.of(
            fromSkopeo,
            ImageValidator.ociArchive(archive).config(),
            ImageValidator.dockerArchive(docker).config())) {
      JsonNode run = config.get("config");
      assertThat(strings(run.get("Env"))).containsExactly("GREETING=hi there", "PATH=/bin");
      assertThat(run.get("Labels").properties())
          .extracting(e -> e.getKey() + "=" + e.getValue().asText())
          .containsExactlyInAnyOrder("org.opencontainers.image.title=hello", "tier=demo");
      assertThat(run.get("WorkingDir").asText()).isEqualTo("/tmp");
      assertThat(run.get("User").asText()).isEqualTo("1000:100");
      assertThat(run.get("ExposedPorts").fieldNames())
          .toIterable()
          .containsExactlyInAnyOrder("8080/tcp", "53/udp");
      assertThat(strings(run.get("Cmd"))).containsExactly("--loud", "world");
      assertThat(strings(run.get("Entrypoint"))).containsExactly(hello + "/bin/hello", "a", "b c");
    }
  }

  private String[] withOutput(String file, String format, String... options) {
    List<String> all = new ArrayList<>(List.of("-o", temp.resolve(file).toString(), "-f", format));
    all.addAll(List.of(options));
    return all.toArray(String[]::new);
  }

  private static List<String> strings(JsonNode array) {
    List<String> strings = new ArrayList<>();
    array.forEach(element -> strings.add(element.asText()));
    return strings;
  }

  @Test
  void pack_interrupted_leavesNoOutputFile() throws Exception {
    Path big = Files.createDirectories(temp.resolve("big"));
    try (var out = Files.newOutputStream(big.resolve("data"))) {
      byte[] block = new byte[1 << 20];
      for (int i = 0; i < 400; i++) {
        block[0] = (byte) i;
        out.write(block);
      }
    }
    String item = bale.add(big, "big");
    Path output = Files.createDirectories(temp.resolve("out"));

    String jar = Path.of("target/bale.jar").toAbsolutePath().toString();
    Process process =
        new ProcessBuilder(
                "java",
                "-jar",
                jar,
                "--store",
                bale.storeUri(),
                "pack",
                "-f",
                "oci",
                "-o",
                output.resolve("big.tar").toString(),
                item)
            .redirectErrorStream(true)
            .redirectOutput(temp.resolve("log").toFile())
            .start();
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (listing(output).isEmpty() && process.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(listing(output)).as("a temporary file while packing").hasSize(1);
    process.destroy();
    assertThat(process.waitFor()).isNotZero();
    assertThat(listing(output)).isEmpty();
  }

  private static List<String> listing(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(p -> p.getFileName().toString()).toList();
    }
  }

  private JsonNode skopeoInspect(String reference) throws Exception {
    Program.Result result =
        Program.run(List.of("skopeo", "--tmpdir", temp.toString(), "inspect", reference)).checked();
    return new ObjectMapper().readTree(result.stdout());
  }

  private JsonNode skopeoInspectConfig(String reference) throws Exception {
    Program.Result result =
        Program.run(
                List.of("skopeo", "--tmpdir", temp.toString(), "inspect", "--config", reference))
            .checked();
    return new ObjectMapper().readTree(result.stdout());
  }

  private Map<String, String> umociUnpack(Path layout) throws Exception {
    return umociUnpack(layout, temp.resolve("bundle-" + layout.getFileName()));
  }

  /** Unpacks the image tagged oci from {@code layout} into {@code bundle} and describes it. */
  static Map<String, String> umociUnpack(Path layout, Path bundle) throws Exception {
    Program.run(List.of("umoci", "unpack", "--image", layout + ":oci", bundle.toString()))
        .checked();
    return describe(bundle.resolve("rootfs"));
  }

  /** Returns what the image should hold: the closure, the store's parents, /tmp and /bin. */
  private Map<String, String> closureTree() throws Exception {
    Map<String, String> tree = new TreeMap<>();
    tree.put("gnu", "directory 755");
    tree.put("gnu/store", "directory 755");
    tree.put("tmp", "directory 1777");
    tree.put("bin", "symlink " + hello + "/bin");
    Path items = temp.resolve("store/store");
    for (String path : List.of(busybox, hello)) {
      String baseName = path.substring(path.lastIndexOf('/') + 1);
      Map<String, String> item = describe(items.resolve(baseName));
      item.forEach(
          (name, what) ->
              tree.put(("gnu/store/" + baseName + "/" + name).replaceAll("/$", ""), what));
    }
    return tree;
  }

  /** Describes every entry below {@code root}: kind, mode, and content digest or target. */
  static Map<String, String> describe(Path root) throws IOException {
    Map<String, String> tree = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.toList()) {
        String name = root.relativize(path).toString();
        if (name.isEmpty() && !Files.isRegularFile(root)) {
          if (root.getFileName().toString().equals("rootfs")) {
            continue;
          }
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        String octal = Integer.toOctalString(mode & 07777);
        if (Files.isSymbolicLink(path)) {
          tree.put(name, "symlink " + Files.readSymbolicLink(path));
        } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
          tree.put(name, "directory " + octal);
        } else {
          tree.put(name, "file " + octal + " " + Digest.of(Files.readAllBytes(path)));
        }
      }
    }
    return tree;
  }
}
