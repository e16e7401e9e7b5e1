package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.registry.PullFormat;
import dev.bale.testing.Bale;
import dev.bale.testing.RegistryCli;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PushCommandTest {
  @TempDir Path dir;

  @Test
  void push_badFormat_isUsageError() {
    RegistryCli result =
        RegistryCli.run("push", "--from", dir.toString(), "--format", "tgz", "localhost/a");

    assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(result.err()).startsWith("bale: --format must be oci or docker, not 'tgz'");
  }

  @Test
  void push_badReference_failsInOneLine() {
    RegistryCli result = RegistryCli.run("push", "--from", dir.toString(), "localhost/Bad");

    assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE);
    assertThat(result.err().strip())
        .startsWith("bale: bad image reference 'localhost/Bad'")
        .doesNotContain("\n");
  }

  @Test
  void push_notAnImage_failsInOneLineNamingThePath() {
    RegistryCli result =
        RegistryCli.run(
            "push", "--from", dir.toString(), "--cache-dir", dir.toString(), "127.0.0.1:1/a:1");

    assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE);
    assertThat(result.err().strip())
        .isEqualTo(
            "bale: cannot read image '"
                + dir
                + "': it is neither an OCI image layout"
                + " (oci-layout, index.json) nor a Docker archive (manifest.json)");
  }

  @Test
  void pull_badFormat_isUsageErrorNamingPackFormats() {
    RegistryCli result =
        RegistryCli.run("pull", "127.0.0.1:1/a:1", "-o", dir.resolve("out").toString(), "-h");
    RegistryCli bad =
        RegistryCli.run(
            "pull", "127.0.0.1:1/a:1", "-o", dir.resolve("out").toString(), "--format", "tgz");

    assertThat(result.out().replaceAll("\\s+", " "))
        .contains("oci-dir (default", "oci (a layout in a tar)", "docker (a Docker archive)");
    assertThat(bad.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(bad.err())
        .isEqualTo(
            "bale: unknown image format 'tgz': use docker, oci or oci-dir"
                + " (see 'bale pull --help')\n");
  }

  @Test
  void pullFormat_takesPackNamesAndSkopeoNames() {
    assertThat(PullFormat.byName("docker")).contains(PullFormat.DOCKER_ARCHIVE);
    assertThat(PullFormat.byName("docker-archive")).contains(PullFormat.DOCKER_ARCHIVE);
    assertThat(PullFormat.byName("oci")).contains(PullFormat.OCI_ARCHIVE);
    assertThat(PullFormat.byName("oci-archive")).contains(PullFormat.OCI_ARCHIVE);
    assertThat(PullFormat.byName("oci-dir")).contains(PullFormat.OCI_DIR);
    assertThat(PullFormat.byName("tar")).isEmpty();
  }

  @Test
  void pull_platformWithoutArchitecture_failsInOneLine() {
    RegistryCli result =
        RegistryCli.run(
            "pull", "127.0.0.1:1/a:1", "-o", dir.resolve("out").toString(), "--platform", "linux");

    assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE);
    assertThat(result.err()).contains("bad platform 'linux'");
  }

  @Test
  void push_platformAndItems_isUsageError() {
    Bale.Result result =
        store().run("push", "--platform", "x86_64-linux=a", "b", "127.0.0.1:1/a:1");

    assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(result.err())
        .startsWith("bale: give --platform SYSTEM=ITEM..., or ITEMs and --system, not both");
  }

  @Test
  void push_platformWithoutItems_isUsageError() {
    Bale.Result result = store().run("push", "--platform", "x86_64-linux=", "127.0.0.1:1/a:1");

    assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(result.err())
        .startsWith("bale: --platform 'x86_64-linux=' is not of the form SYSTEM=ITEM[,ITEM...]");
  }

  @Test
  void push_sameSystemTwice_isUsageError() {
    Bale.Result result =
        store()
            .run(
                "push",
                "--platform",
                "x86_64-linux=a",
                "--platform",
                "linux/amd64=b",
                "127.0.0.1:1/a:1");

    assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(result.err()).startsWith("bale: --platform names system 'x86_64-linux' twice");
  }

  @Test
  void push_unknownPlatform_failsInOneLine() {
    Bale.Result result = store().run("push", "--platform", "linux/sparc=a", "127.0.0.1:1/a:1");

    assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE);
    assertThat(result.err().strip())
        .startsWith("bale: unknown system 'linux/sparc'")
        .doesNotContain("\n");
  }

  @Test
  void push_fromAndItems_isUsageError() {
    Bale.Result result = store().run("push", "--from", dir.toString(), "a", "127.0.0.1:1/a:1");

    assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(result.err()).startsWith("bale: give --from or store items, not both");
  }

  @Test
  void push_referenceOnly_isUsageError() {
    Bale.Result result = store().run("push", "127.0.0.1:1/a:1");

    assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(result.err())
        .startsWith("bale: give the ITEMs to push before the REFERENCE, or --from");
  }

  @Test
  void push_itemsAsDockerManifestWithZstd_isUsageError() {
    Bale.Result result =
        store().run("push", "--format", "docker", "--compression", "zstd", "a", "127.0.0.1:1/a:1");

    assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(result.err())
        .isEqualTo(
            "bale: --format docker has no media type for zstd layers; give --compression gzip"
                + " or none (see 'bale push --help')\n");
  }

  private Bale store() {
    return new Bale(dir.resolve("store"));
  }
}
