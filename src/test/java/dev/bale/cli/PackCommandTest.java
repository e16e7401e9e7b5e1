package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.hash.Digest;
import dev.bale.testing.Bale;
import dev.bale.testing.ImageValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
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

    // One line says what failed; a usage error (exit 2) adds the line pointing to --help.
    assertThat(result.exitCode()).isIn(1, 2);
    List<String> lines = result.err().lines().toList();
    List<String> hint =
        result.exitCode() == 2
            ? List.of("Try 'bale pack --help' for more information.")
            : List.of();
    assertThat(lines.subList(1, lines.size())).as(result.err()).isEqualTo(hint);
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
                + " bin\nTry 'bale pack --help' for more information.\n");
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
