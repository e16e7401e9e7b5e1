package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
  void pull_platformWithoutArchitecture_failsInOneLine() {
    RegistryCli result =
        RegistryCli.run(
            "pull", "127.0.0.1:1/a:1", "-o", dir.resolve("out").toString(), "--platform", "linux");

    assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE);
    assertThat(result.err()).contains("bad platform 'linux'");
  }
}
