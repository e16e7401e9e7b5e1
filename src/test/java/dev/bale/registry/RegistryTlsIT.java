package dev.bale.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bale.testing.RegistryCli;
import dev.bale.testing.RegistryFixture;
import dev.bale.testing.RegistryImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pushes to the reference registry serving TLS with a self-signed certificate on 127.0.0.1. */
class RegistryTlsIT {
  @TempDir Path dir;

  private RegistryCli push(String reference, String... options) throws Exception {
    Path layout = dir.resolve("layout");
    if (!Files.exists(layout)) {
      RegistryImages.writeLayout(layout, RegistryImages.busybox("amd64", "tls\n"), "latest");
    }
    String[] args =
        java.util.stream.Stream.of(
                List.of("push", "--from", layout.toString()),
                List.of("--cache-dir", dir.resolve("cache").toString()),
                List.of(options),
                List.of(reference))
            .flatMap(List::stream)
            .toArray(String[]::new);
    return RegistryCli.run(args);
  }

  @Test
  void push_insecure_speaksTlsWithoutCheckingTheCertificate() throws Exception {
    try (RegistryFixture registry =
        RegistryFixture.startWithTls(Files.createDirectories(dir.resolve("registry")))) {
      String reference = registry.host() + "/bale/tls:1";

      RegistryCli result = push(reference, "--insecure");

      assertThat(result.exitCode()).as(result.err()).isZero();
      String inspect =
          RegistryFixture.run(
              List.of("skopeo", "inspect", "--tls-verify=false", "docker://" + reference));
      assertThat(new ObjectMapper().readTree(inspect).path("Digest").asText())
          .isEqualTo(result.out().strip().substring(result.out().indexOf('@') + 1));
    }
  }

  @Test
  void push_tlsRegistryWithoutInsecure_failsInOneLine() throws Exception {
    try (RegistryFixture registry =
        RegistryFixture.startWithTls(Files.createDirectories(dir.resolve("registry")))) {
      RegistryCli result = push(registry.host() + "/bale/tls:1");

      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(result.out()).isEmpty();
      assertThat(result.err().strip())
          .startsWith("bale: ")
          .contains(registry.host())
          .contains("HTTP 400")
          .contains("give --insecure")
          .doesNotContain("\n");
    }
  }

  @Test
  void push_insecureToPlainRegistry_fallsBackToHttp() throws Exception {
    try (RegistryFixture registry =
        RegistryFixture.start(Files.createDirectories(dir.resolve("registry")))) {
      RegistryCli result = push(registry.host() + "/bale/plain:1", "--insecure");

      assertThat(result.exitCode()).as(result.err()).isZero();
      assertThat(result.err()).contains("does not speak TLS; using HTTP").contains("2 blobs sent");
    }
  }
}
