package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.testing.ImageValidator;
import dev.bale.testing.Podman;
import dev.bale.testing.Program;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the README's first command as it is written, on an embedded store in a temporary root. */
class ReadmeIT {
  @TempDir Path temp;

  @Test
  void firstCommand_packsTheExampleIntoHelloTarThatPodmanLoads() throws Exception {
    // The command names examples/hello relative to a checkout: run it where a copy of it is.
    Path work = Files.createDirectories(temp.resolve("checkout"));
    copyTree(Path.of("examples"), work.resolve("examples"));
    Path root = temp.resolve("bale-root");
    String script = Path.of("bale").toAbsolutePath().toString();

    Program.Result result =
        Program.run(
            List.of(script, "pack", "--entry-point", "bin/hello", "examples/hello"),
            Map.of("BALE_ROOT", root.toString(), "BALE_STORE", "local"),
            work);

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(result.stderr()).contains("bale: packed hello:latest: 1 item, ", "'hello.tar'");
    Path archive = work.resolve("hello.tar");
    assertThat(archive).isRegularFile();
    assertThat(root.resolve("store")).isNotEmptyDirectory();
    String entryPoint =
        ImageValidator.dockerArchive(archive)
            .config()
            .get("config")
            .get("Entrypoint")
            .get(0)
            .asText();
    assertThat(entryPoint).matches("/gnu/store/[0-9a-z]{32}-hello/bin/hello");

    Podman podman = new Podman(temp.resolve("podman"));
    assertThat(podman.load(archive)).contains("localhost/hello:latest");
    String inspected =
        podman.command("image", "inspect", "--format", "{{.Config.Entrypoint}}", "hello").stdout();
    assertThat(inspected).contains(entryPoint);
  }

  private static void copyTree(Path source, Path target) throws Exception {
    try (Stream<Path> paths = Files.walk(source)) {
      for (Path path : paths.toList()) {
        Files.copy(path, target.resolve(source.relativize(path).toString()));
      }
    }
  }
}
