package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bale.testing.Bale;
import dev.bale.testing.ImageValidator;
import dev.bale.testing.Program;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the creation time that the config and each history step record, from {@code --created},
 * {@code SOURCE_DATE_EPOCH} and the default, in bale processes with their own environment.
 */
class CreationTimeIT {
  // 2023-11-14T22:13:20Z.
  private static final String EPOCH = "1700000000";

  @TempDir Path temp;
  private Bale bale;
  private String hello;

  @BeforeEach
  void createClosure() throws Exception {
    bale = new Bale(temp.resolve("store"));
    hello = bale.addHelloClosure(temp.resolve("work"), "when").get(1);
  }

  @Test
  void pack_created_isTheTimeOfConfigAndHistory() throws Exception {
    Path docker = temp.resolve("docker.tar");
    Path oci = temp.resolve("oci.tar");
    String time = "2024-05-06T07:08:09Z";

    bale(EPOCH, "pack", "--created", time, "-o", docker.toString(), hello);
    bale(EPOCH, "pack", "--created", time, "-f", "oci", "-o", oci.toString(), hello);

    assertCreated(ImageValidator.dockerArchive(docker).config(), time, 3);
    assertCreated(ImageValidator.ociArchive(oci).config(), time, 3);
  }

  @Test
  void pack_sourceDateEpoch_isTheTimeOfConfigAndHistory() throws Exception {
    Path docker = temp.resolve("docker.tar");
    Path oci = temp.resolve("oci.tar");

    bale(EPOCH, "pack", "-o", docker.toString(), hello);
    bale(EPOCH, "pack", "-f", "oci", "-o", oci.toString(), hello);

    assertCreated(ImageValidator.dockerArchive(docker).config(), "2023-11-14T22:13:20Z", 3);
    assertCreated(ImageValidator.ociArchive(oci).config(), "2023-11-14T22:13:20Z", 3);
  }

  @Test
  void pack_noTimeGiven_isOneSecondAfterTheEpoch() throws Exception {
    Path docker = temp.resolve("docker.tar");

    // An empty SOURCE_DATE_EPOCH counts as unset, whatever the test's own environment holds.
    bale("", "pack", "-o", docker.toString(), hello);

    assertCreated(ImageValidator.dockerArchive(docker).config(), "1970-01-01T00:00:01Z", 3);
  }

  @Test
  void archiveDocker_sourceDateEpoch_isHonouredAndReproducible() throws Exception {
    Path first = temp.resolve("first.tar");
    Path second = temp.resolve("second.tar");
    Path unset = temp.resolve("unset.tar");

    bale(EPOCH, "archive", "--format=docker", "-o", first.toString(), hello);
    Thread.sleep(1100);
    bale(EPOCH, "archive", "--format=docker", "-o", second.toString(), hello);
    bale("", "archive", "--format=docker", "-o", unset.toString(), hello);

    assertCreated(ImageValidator.dockerArchive(first).config(), "2023-11-14T22:13:20Z", 1);
    assertThat(Files.readAllBytes(second)).isEqualTo(Files.readAllBytes(first));
    assertCreated(ImageValidator.dockerArchive(unset).config(), "1970-01-01T00:00:01Z", 1);
  }

  private static void assertCreated(JsonNode config, String time, int layers) {
    assertThat(config.get("created").asText()).isEqualTo(time);
    assertThat(config.get("history")).hasSize(layers);
    for (JsonNode step : config.get("history")) {
      assertThat(step.get("created").asText()).isEqualTo(time);
    }
  }

  /** Runs bale's jar with {@code SOURCE_DATE_EPOCH} set to {@code epoch}, in another zone. */
  private void bale(String epoch, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "java",
                "-jar",
                Path.of("target/bale.jar").toAbsolutePath().toString(),
                "--store",
                bale.storeUri()));
    command.addAll(List.of(args));
    Map<String, String> env = Map.of("SOURCE_DATE_EPOCH", epoch, "TZ", "Asia/Kathmandu");
    Program.run(command, env, null).checked();
  }
}
