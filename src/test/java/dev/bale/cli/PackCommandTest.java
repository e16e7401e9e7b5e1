package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bale.hash.Digest;
import dev.bale.testing.Bale;
import dev.bale.testing.ImageValidator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class PackCommandTest {
  @TempDir Path temp;
  private Bale bale;
  private String hello;
  private Path out;

  @BeforeEach
  void createStore() throws Exception {
    bale = new Bale(temp.resolve("store"));
    hello = bale.addHelloClosure(temp.resolve("work"), "hi").get(1);
    out = Files.createDirectories(temp.resolve("out"));
  }

  private List<String> outputFiles() throws Exception {
    try (Stream<Path> files = Files.list(out)) {
      return files.map(p -> p.getFileName().toString()).toList();
    }
  }

  private Bale.Result pack(String... args) {
    List<String> all = new ArrayList<>(List.of("pack", "-o", out.resolve("image.tar").toString()));
    all.addAll(List.of(args));
    return bale.run(all.toArray(String[]::new));
  }

  @Test
  void pack_item_writesAValidImageAndOneSummaryLine() throws Exception {
    Bale.Result result = pack("--entry-point", "bin/hello", "-S", "/bin=bin", hello);

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err().lines()).hasSize(1);
    assertThat(result.err())
        .startsWith("bale: packed hello-2.12:latest: 2 items, 3 layers, ")
        .contains("image ID sha256:")
        .contains("image.tar");
    assertThat(outputFiles()).containsExactly("image.tar");
    ImageValidator.Checked checked = ImageValidator.dockerArchive(out.resolve("image.tar"));
    assertThat(checked.config().get("config").get("Entrypoint").get(0).asText())
        .isEqualTo(hello + "/bin/hello");
  }

  @Test
  void pack_twoItems_resolvesLinksAndEntryPointInTheFirstAndTagsBoth() throws Exception {
    String busybox = busyboxOf(hello);
    Path file = out.resolve("default.tar");

    Bale.Result result =
        bale.run(
            "pack",
            "-o",
            file.toString(),
            "-S",
            "/bin=bin",
            "--entry-point",
            "bin/busybox",
            "--entry-point-arg",
            "echo",
            busybox,
            hello);

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err()).startsWith("bale: packed busybox-static-hello-2.12:latest: 2 items, ");
    ImageValidator.Checked checked = ImageValidator.dockerArchive(file);
    assertThat(checked.config().get("config").get("Entrypoint").get(0).asText())
        .isEqualTo(busybox + "/bin/busybox");
    Map<String, byte[]> archive = ImageValidator.readTar(Files.readAllBytes(file));
    String manifest = new String(archive.get("manifest.json"), StandardCharsets.UTF_8);
    assertThat(manifest).contains("\"RepoTags\":[\"busybox-static-hello-2.12:latest\"]");
    assertThat(storeItems(checked)).containsExactlyInAnyOrder(busybox, hello);
    assertThat(links(checked)).containsEntry("bin", busybox + "/bin");
  }

  @Test
  void pack_unrelatedItems_packsTheUnionOfTheirClosures() throws Exception {
    Path tree = Files.createDirectories(temp.resolve("extra/share"));
    Files.writeString(tree.resolve("note"), "unrelated\n");
    String extra = bale.add(tree.getParent(), "extra-1");
    String busybox = busyboxOf(hello);

    Bale.Result result = pack("--entry-point", "bin/hello", hello, extra);

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err()).startsWith("bale: packed hello-2.12-extra-1:latest: 3 items, ");
    ImageValidator.Checked checked = ImageValidator.dockerArchive(out.resolve("image.tar"));
    assertThat(storeItems(checked)).containsExactlyInAnyOrder(busybox, hello, extra);
  }

  @Test
  void pack_entryPointOfTheSecondItem_isNotFoundInTheFirst() throws Exception {
    String busybox = busyboxOf(hello);

    Bale.Result result = pack("--entry-point", "bin/hello", busybox, hello);

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err().strip())
        .isEqualTo("bale: cannot use entry point 'bin/hello': it is not in '" + busybox + "'");
    assertThat(outputFiles()).isEmpty();
  }

  private String busyboxOf(String item) {
    return bale.run("requisites", item)
        .out()
        .lines()
        .filter(path -> path.endsWith("-busybox-static"))
        .findFirst()
        .orElseThrow();
  }

  /** Returns the store paths whose top directories the image's layers hold. */
  private static List<String> storeItems(ImageValidator.Checked checked) throws Exception {
    List<String> items = new ArrayList<>();
    for (byte[] layer : checked.layers()) {
      for (var entry : ImageValidator.entries(layer)) {
        String name = entry.getName().replaceAll("/$", "");
        if (name.matches("gnu/store/[^/]+")) {
          items.add("/" + name);
        }
      }
    }
    return items;
  }

  /** Returns the symbolic links of the image's layers, by name. */
  private static Map<String, String> links(ImageValidator.Checked checked) throws Exception {
    Map<String, String> links = new TreeMap<>();
    for (byte[] layer : checked.layers()) {
      for (var entry : ImageValidator.entries(layer)) {
        if (entry.isSymbolicLink()) {
          links.put(entry.getName(), entry.getLinkName());
        }
      }
    }
    return links;
  }

  @ParameterizedTest
  @MethodSource("dev.bale.image.PlatformTest#systems")
  void pack_system_recordsItsPlatformInEveryDocument(
      String system, String architecture, String variant) throws Exception {
    Path docker = out.resolve("docker.tar");
    Path oci = out.resolve("oci.tar");

    Bale.Result toDocker = bale.run("pack", "--system", system, "-o", docker.toString(), hello);
    Bale.Result toOci =
        bale.run("pack", "--system", system, "-f", "oci", "-o", oci.toString(), hello);

    assertThat(toDocker.exitCode()).as(toDocker.err()).isZero();
    assertThat(toOci.exitCode()).as(toOci.err()).isZero();
    ImageValidator.Checked dockerImage = ImageValidator.dockerArchive(docker);
    ImageValidator.Checked ociImage = ImageValidator.ociArchive(oci);
    List<JsonNode> documents =
        new ArrayList<>(
            List.of(
                dockerImage.config(),
                ociImage.config(),
                ociImage.index().get("manifests").get(0).get("platform")));
    Map<String, byte[]> files = ImageValidator.readTar(Files.readAllBytes(docker));
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      if (file.getKey().endsWith("/json")) {
        documents.add(new ObjectMapper().readTree(file.getValue()));
      }
    }
    assertThat(documents).hasSize(3 + dockerImage.layers().size());
    for (JsonNode document : documents) {
      assertThat(document.get("architecture").asText()).as(system).isEqualTo(architecture);
      assertThat(document.get("os").asText()).isEqualTo("linux");
      assertThat(document.path("variant").asText()).as(system).isEqualTo(variant);
    }
  }

  @Test
  void pack_defaultCompression_isNoneForDockerAndGzipForOci() throws Exception {
    Path docker = out.resolve("docker.tar");
    Path oci = out.resolve("oci.tar");
    Path layout = out.resolve("layout");

    assertThat(bale.run("pack", "-o", docker.toString(), hello).exitCode()).isZero();
    assertThat(bale.run("pack", "-f", "oci", "-o", oci.toString(), hello).exitCode()).isZero();
    assertThat(bale.run("pack", "-f", "oci-dir", "-o", layout.toString(), hello).exitCode())
        .isZero();

    Map<String, byte[]> dockerFiles = ImageValidator.readTar(Files.readAllBytes(docker));
    List<String> layerFiles = new ArrayList<>();
    new ObjectMapper()
        .readTree(dockerFiles.get("manifest.json"))
        .get(0)
        .get("Layers")
        .forEach(layer -> layerFiles.add(layer.asText()));
    assertThat(layerFiles).hasSize(3);
    for (String layer : layerFiles) {
      assertThat(isPlainTar(dockerFiles.get(layer))).as(layer).isTrue();
    }
    assertLayerMediaTypes(ImageValidator.readTar(Files.readAllBytes(oci)), "tar+gzip");
    assertLayerMediaTypes(files(layout), "tar+gzip");
  }

  @ParameterizedTest
  @CsvSource({"none, tar", "gzip, tar+gzip", "zstd, tar+zstd"})
  void pack_ociCompression_givesItsMediaType(String compression, String type) throws Exception {
    Path layout = out.resolve("layout");
    Bale.Result result =
        bale.run(
            "pack", "-f", "oci-dir", "--compression", compression, "-o", layout.toString(), hello);

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertLayerMediaTypes(files(layout), type);
    ImageValidator.ociLayout(layout);
  }

  /** Checks that every layer of the one image in an OCI layout has the media type and bytes. */
  private static void assertLayerMediaTypes(Map<String, byte[]> files, String type)
      throws Exception {
    ObjectMapper json = new ObjectMapper();
    String manifestDigest =
        json.readTree(files.get("index.json")).get("manifests").get(0).get("digest").asText();
    JsonNode manifest = json.readTree(files.get(blobName(manifestDigest)));
    assertThat(manifest.get("layers")).hasSize(3);
    for (JsonNode layer : manifest.get("layers")) {
      assertThat(layer.get("mediaType").asText())
          .isEqualTo("application/vnd.oci.image.layer.v1." + type);
      byte[] blob = files.get(blobName(layer.get("digest").asText()));
      switch (type) {
        case "tar" -> assertThat(isPlainTar(blob)).isTrue();
        case "tar+gzip" -> assertThat(blob).startsWith(0x1f, 0x8b);
        default -> assertThat(blob).startsWith(0x28, 0xb5, 0x2f, 0xfd);
      }
    }
  }

  private static String blobName(String digest) {
    return "blobs/" + digest.replace(':', '/');
  }

  /** Tells an uncompressed tar by the ustar magic of its first header. */
  private static boolean isPlainTar(byte[] bytes) {
    String magic = new String(bytes, 257, 5, StandardCharsets.US_ASCII);
    return magic.equals("ustar");
  }

  private static Map<String, byte[]> files(Path directory) throws Exception {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path file : paths.filter(Files::isRegularFile).toList()) {
        files.put(directory.relativize(file).toString(), Files.readAllBytes(file));
      }
    }
    return files;
  }

  @ParameterizedTest
  @ValueSource(strings = {"docker", "oci", "oci-dir"})
  void pack_summary_givesTheOutputsSizeAndDigest(String format) throws Exception {
    Path output = out.resolve("image");
    Bale.Result result = bale.run("pack", "-f", format, "-o", output.toString(), hello);
    assertThat(result.exitCode()).as(result.err()).isZero();

    Matcher summary =
        Pattern.compile(
                "bale: packed hello-2.12:latest: 2 items, 3 layers, ([0-9]+) bytes,"
                    + " (image ID|manifest) (sha256:[0-9a-f]{64}), to '(.*)'")
            .matcher(result.err().strip());
    assertThat(summary.matches()).as(result.err()).isTrue();
    assertThat(summary.group(4)).isEqualTo(output.toString());
    Map<String, byte[]> files =
        format.equals("oci-dir") ? files(output) : Map.of("image", Files.readAllBytes(output));
    long size = files.values().stream().mapToLong(bytes -> bytes.length).sum();
    assertThat(Long.parseLong(summary.group(1))).isEqualTo(size);
    if (format.equals("docker")) {
      assertThat(summary.group(2)).isEqualTo("image ID");
      assertThat(summary.group(3))
          .isEqualTo(ImageValidator.dockerArchive(output).configDigest().toString());
    } else {
      Map<String, byte[]> layout =
          format.equals("oci") ? ImageValidator.readTar(files.get("image")) : files;
      JsonNode index = new ObjectMapper().readTree(layout.get("index.json"));
      assertThat(summary.group(2)).isEqualTo("manifest");
      assertThat(summary.group(3)).isEqualTo(index.get("manifests").get(0).get("digest").asText());
    }
  }

  @Test
  void pack_explain_printsThePlan() {
    Bale.Result result = pack("--explain", "--max-layers", "2", hello);
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err())
        .contains("layer 1/2: 2 store items (", "layer 2/2: customisation (0 bytes)")
        .containsPattern("busybox-static: needed by 1, [0-9]+ bytes")
        .containsPattern("hello-2.12: needed by 0, [0-9]+ bytes");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "nonexistent-item",
        "-S /bin=/gnu/store",
        "-S /bin=../../etc",
        "--image-tag Bad:Tag",
        "--system sparc-linux",
        "--entry-point bin/missing",
        "--entry-point ../busybox/bin/sh",
        "--entry-point /bin/sh",
        "--compression lz4",
        "--created yesterday",
        "--expose 99999"
      })
  void pack_badInput_failsWithOneLineAndLeavesNoOutput(String option) throws Exception {
    List<String> args = new ArrayList<>(List.of(option.split(" ")));
    if (!option.equals("nonexistent-item")) {
      args.add(hello);
    }
    Bale.Result result = pack(args.toArray(String[]::new));

    // One line says what failed; a usage error (exit 2) also says where help is.
    assertThat(result.exitCode()).isIn(1, 2);
    assertThat(result.err().lines()).as(result.err()).hasSize(1);
    if (result.exitCode() == 2) {
      assertThat(result.err()).endsWith(" (see 'bale pack --help')\n");
    }
    assertThat(result.err()).startsWith("bale: ").doesNotContain("Exception");
    assertThat(outputFiles()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"..", "../../etc", "bin/../../busybox", "./bin/../../..", "a/b/../../../x"})
  void pack_symlinkTargetLeavingTheFirstItem_isAUsageError(String target) throws Exception {
    Bale.Result result = pack("-S", "/bin=" + target, hello);

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "bale: cannot add symbolic link '/bin="
                + target
                + "': its target leaves the first item; TARGET is a path inside it, such as"
                + " bin (see 'bale pack --help')\n");
    assertThat(outputFiles()).isEmpty();
  }

  @Test
  void pack_symlinkTargetClimbingBackInside_isNormalised() throws Exception {
    Bale.Result result = pack("-S", "/bin=./lib/../bin/", "-S", "/item=bin/..", hello);
    assertThat(result.exitCode()).as(result.err()).isZero();

    List<byte[]> layers = ImageValidator.dockerArchive(out.resolve("image.tar")).layers();
    Map<String, String> links = new TreeMap<>();
    for (TarArchiveEntry entry : ImageValidator.entries(layers.get(layers.size() - 1))) {
      if (entry.isSymbolicLink()) {
        links.put(entry.getName(), entry.getLinkName());
      }
    }
    assertThat(links).containsEntry("bin", hello + "/bin").containsEntry("item", hello);
  }

  @Test
  void pack_oneLayerWithSymlinks_isAUsageError() throws Exception {
    Bale.Result result = pack("--max-layers", "1", "-S", "/bin=bin", hello);
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--max-layers 1");
    assertThat(outputFiles()).isEmpty();
  }

  @Test
  void pack_layoutDirectoryToStandardOutput_isAUsageErrorThatAddsNothing() throws Exception {
    Path tree = Files.createDirectories(temp.resolve("site/www"));
    Files.writeString(tree.resolve("index.html"), "<p>hi</p>");

    Bale.Result result =
        bale.run("pack", "-f", "oci-dir", "-o", "-", temp.resolve("site").toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .isEqualTo(
            "bale: -f oci-dir writes a directory: give -o DIR, not -o - (see 'bale pack --help')\n");
    assertThat(result.out()).isEmpty();
    assertThat(bale.run("requisites", "site").exitCode()).isNotZero();
  }

  @Test
  void pack_pathOutsideTheStore_addsItFirst() throws Exception {
    Path tree = Files.createDirectories(temp.resolve("site/www"));
    Files.writeString(tree.resolve("index.html"), "<p>hi</p>");

    Bale.Result result = pack("--image-tag", "site:1", temp.resolve("site").toString());
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(bale.run("requisites", "site").out()).contains("-site");
    ImageValidator.Checked checked = ImageValidator.dockerArchive(out.resolve("image.tar"));
    assertThat(checked.layers()).hasSize(2);
  }

  @Test
  void pack_pathWithMissingEntryPoint_addsNothingToTheStore() throws Exception {
    Path tree = Files.createDirectories(temp.resolve("site/www"));
    Files.writeString(tree.resolve("index.html"), "<p>hi</p>");

    Bale.Result result = pack("--entry-point", "bin/server", temp.resolve("site").toString());
    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err().strip())
        .isEqualTo(
            "bale: cannot use entry point 'bin/server': it is not in '"
                + temp.resolve("site")
                + "'");
    assertThat(bale.run("requisites", "site").exitCode()).isNotZero();
    assertThat(outputFiles()).isEmpty();
  }

  @Test
  void archiveDocker_writesOneLayerNamedAfterTheItem() throws Exception {
    Path file = out.resolve("img.tar");
    Bale.Result result = bale.run("archive", "--format=docker", "-o", file.toString(), hello);
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out().strip()).isEqualTo(file.toString());
    ImageValidator.Checked checked = ImageValidator.dockerArchive(file);
    assertThat(checked.layers()).hasSize(1);
    var names =
        ImageValidator.entries(checked.layers().get(0)).stream().map(e -> e.getName()).toList();
    assertThat(names).contains("bin", "tmp/", hello.substring(1) + "/bin/hello");
  }

  @Test
  void pack_ociDirectoryAgain_readsNoStoreItemAndWritesTheSameLayout() throws Exception {
    Path layout = out.resolve("layout");
    Bale.Result first =
        bale.run("pack", "-f", "oci-dir", "-o", layout.toString(), "-S", "/bin=bin", hello);
    assertThat(first.exitCode()).as(first.err()).isZero();
    Map<String, String> before = digests(layout);

    // The items' trees move away: a pack that opened any of their files would fail.
    Path items = temp.resolve("store/store");
    Path moved = temp.resolve("moved");
    Files.move(items, moved);
    Bale.Result second =
        bale.run("pack", "-f", "oci-dir", "-o", layout.toString(), "-S", "/bin=bin", hello);
    Files.delete(items);
    Files.move(moved, items);

    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(digests(layout)).isEqualTo(before);
    ImageValidator.ociLayout(layout);
    Bale.Result verify = bale.run("verify");
    assertThat(verify.exitCode()).as(verify.err()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"docker", "oci", "oci-dir"})
  void pack_itemTreeGoneWhileWriting_failsInOneLineAndLeavesNoOutput(String format)
      throws Exception {
    // Root reads any file whatever its mode, so the tree of the second layer's item goes away:
    // the first layer (busybox, needed by hello) is written before the failure.
    Path helloTree = temp.resolve("store/store").resolve(Path.of(hello).getFileName());
    deleteTree(helloTree);
    Path output = out.resolve("image");

    Bale.Result result = bale.run("pack", "-f", format, "-o", output.toString(), hello);

    assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
    assertThat(result.err().lines()).as(result.err()).hasSize(1);
    assertThat(result.err().strip())
        .isEqualTo(
            "bale: cannot read store item '" + hello + "': '" + helloTree + "' does not exist");
    assertThat(outputFiles()).isEmpty();
    assertThat(temp.resolve("store/tmp")).isEmptyDirectory();
  }

  @Test
  void pack_itemTreeGoneWhileWritingIntoALayout_leavesItsIndexAndFiles() throws Exception {
    Path layout = out.resolve("layout");
    Bale.Result first = bale.run("pack", "-f", "oci-dir", "-o", layout.toString(), hello);
    assertThat(first.exitCode()).as(first.err()).isZero();
    Map<String, String> before = digests(layout);

    Path helloTree = temp.resolve("store/store").resolve(Path.of(hello).getFileName());
    deleteTree(helloTree);
    Bale.Result result =
        bale.run("pack", "-f", "oci-dir", "-o", layout.toString(), "--compression", "zstd", hello);

    assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
    assertThat(result.err().lines()).as(result.err()).hasSize(1);
    assertThat(result.err()).contains(helloTree.toString());

    // The index and every file it names are as they were; the layers written before the failure
    // stay as unreferenced blobs (another process may already use them), under their digests.
    Map<String, String> after = digests(layout);
    assertThat(after).containsAllEntriesOf(before);
    after.keySet().removeAll(before.keySet());
    assertThat(after).allSatisfy((name, hex) -> assertThat(name).isEqualTo("blobs/sha256/" + hex));
    ImageValidator.ociLayout(layout);
  }

  private static void deleteTree(Path tree) throws Exception {
    try (Stream<Path> paths = Files.walk(tree)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  private static Map<String, String> digests(Path directory) throws Exception {
    Map<String, String> digests = new TreeMap<>();
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String name = directory.relativize(file).toString();
        digests.put(name, Digest.of(Files.readAllBytes(file)).hex());
      }
    }
    return digests;
  }
}
