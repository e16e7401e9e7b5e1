package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.testing.Bale;
import dev.bale.testing.Podman;
import dev.bale.testing.RegistryFixture;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Packs images, pushes them to the reference registry with bale, and runs them from there. */
class PackPushIT {
  @TempDir Path temp;

  @Test
  void packedImages_pushedAndPulledBack_run() throws Exception {
    Bale bale = new Bale(temp.resolve("store"));
    String hello = bale.addHelloClosure(temp.resolve("work"), "hello via a registry").get(1);
    Path docker = temp.resolve("hello.tar");
    Path layout = temp.resolve("layout");
    for (List<String> args :
        List.of(
            List.of("-f", "docker", "--compression", "gzip", "-o", docker.toString()),
            List.of("-f", "oci-dir", "--compression", "zstd", "-o", layout.toString()))) {
      List<String> command = new java.util.ArrayList<>(List.of("pack"));
      command.addAll(args);
      command.addAll(List.of("--entry-point", "bin/hello", "--image-tag", "hello:t", hello));
      Bale.Result packed = bale.run(command.toArray(String[]::new));
      assertThat(packed.exitCode()).as(packed.err()).isZero();
    }

    try (RegistryFixture registry = RegistryFixture.start(temp)) {
      Podman podman = new Podman(temp.resolve("podman"));
      for (var pair :
          List.of(List.of(docker.toString(), "docker"), List.of(layout.toString(), "oci"))) {
        String reference = registry.host() + "/hello:" + pair.get(1);
        Bale.Result pushed = bale.run("push", "--from", pair.get(0), reference);
        assertThat(pushed.exitCode()).as(pushed.err()).isZero();

        podman.command("pull", "--tls-verify=false", reference);
        assertThat(podman.run(reference, List.of()).checked().stdout())
            .isEqualTo("hello via a registry\n");
      }
    }
  }
}
