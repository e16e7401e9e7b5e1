package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.testing.Bale;
import dev.bale.testing.BaleBatch;
import dev.bale.testing.ImageValidator;
import dev.bale.testing.Program;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Packs the same closure in two processes, at different times and under different time zones and
 * umasks, in every format and compression, and compares the bytes.
 */
class PackReproducibilityIT {
  private static final List<List<String>> VARIANTS =
      List.of(
          List.of("docker", "none"),
          List.of("docker", "gzip"),
          List.of("docker", "zstd"),
          List.of("oci", "none"),
          List.of("oci", "gzip"),
          List.of("oci", "zstd"),
          List.of("oci-dir", "none"),
          List.of("oci-dir", "gzip"),
          List.of("oci-dir", "zstd"));

  @TempDir Path temp;

  @Test
  void pack_twiceInDifferentSettings_givesTheSameBytes() throws Exception {
    Bale bale = new Bale(temp.resolve("store"));
    String hello = bale.addHelloClosure(temp.resolve("work"), "same").get(1);

    Path first = Files.createDirectories(temp.resolve("first"));
    Path second = Files.createDirectories(temp.resolve("second"));
    packAll(bale, hello, first, "UTC", "022");
    Thread.sleep(1100);
    packAll(bale, hello, second, "Pacific/Kiritimati", "077");

    for (List<String> variant : VARIANTS) {
      String name = String.join("-", variant);
      assertThat(contents(second.resolve(name)))
          .as(name)
          .isEqualTo(contents(first.resolve(name)))
          .isNotEmpty();
    }
    ImageValidator.ociLayout(first.resolve("oci-dir-zstd"));
    ImageValidator.ociArchive(first.resolve("oci-zstd"));
    ImageValidator.dockerArchive(first.resolve("docker-gzip"));
    for (String format : List.of("docker", "oci")) {
      Path streamed = temp.resolve(format + ".stdout");
      bale(
          bale,
          "UTC",
          "022 && exec >" + streamed,
          "pack",
          "-f",
          format,
          "--compression",
          "gzip",
          "-o",
          "-",
          "-S",
          "/bin=bin",
          "--entry-point",
          "bin/hello",
          hello);
      assertThat(Files.readAllBytes(streamed))
          .as("%s to standard output", format)
          .isEqualTo(Files.readAllBytes(first.resolve(format + "-gzip")));
    }
  }

  private void packAll(Bale bale, String item, Path directory, String zone, String umask)
      throws Exception {
    List<String> batch = new ArrayList<>();
    for (List<String> variant : VARIANTS) {
      Path output = directory.resolve(String.join("-", variant));
      batch.addAll(
          List.of(
              "--store",
              bale.storeUri(),
              "pack",
              "-f",
              variant.get(0),
              "--compression",
              variant.get(1),
              "-o",
              output.toString(),
              "-S",
              "/bin=bin",
              "--entry-point",
              "bin/hello",
              item,
              "::"));
    }
    Program.Result result = java(zone, umask, BaleBatch.class.getName(), batch);
    assertThat(result.stderr().lines().filter(l -> l.startsWith("bale: packed")))
        .hasSize(VARIANTS.size());
  }

  private Program.Result bale(Bale bale, String zone, String umask, String... args)
      throws Exception {
    List<String> all = new ArrayList<>(List.of("--store", bale.storeUri()));
    all.addAll(List.of(args));
    return java(zone, umask, "dev.bale.cli.Main", all);
  }

  /** Runs {@code mainClass} from bale's jar and the test classes, in a shell with the umask. */
  private Program.Result java(String zone, String umask, String mainClass, List<String> args)
      throws Exception {
    String classPath =
        Path.of("target/bale.jar").toAbsolutePath()
            + ":"
            + Path.of("target/test-classes").toAbsolutePath();
    List<String> command =
        new ArrayList<>(
            List.of(
                "sh",
                "-c",
                "umask " + umask + " && exec \"$@\"",
                "sh",
                "java",
                "-cp",
                classPath,
                mainClass));
    command.addAll(args);
    return Program.run(command, Map.of("TZ", zone, "LC_ALL", "C.UTF-8"), null).checked();
  }

  /** Returns every file's bytes under {@code path} (or of the file), by relative name. */
  private static Map<String, String> contents(Path path) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(path)) {
      for (Path file : paths.filter(Files::isRegularFile).toList()) {
        byte[] bytes = Files.readAllBytes(file);
        files.put(
            path.relativize(file).toString(), dev.bale.hash.Digest.of(bytes) + " " + bytes.length);
      }
    }
    return files;
  }
}
