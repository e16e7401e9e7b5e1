package dev.bale.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialProviderTest {
  @TempDir Path dir;

  private static String auth(String pair) {
    return Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  private Path authFile(Path file, String json) throws Exception {
    Files.createDirectories(file.getParent());
    return Files.writeString(file, json);
  }

  @Test
  void fromAuthFiles_followsTheOrderOfPodmanThenDocker() throws Exception {
    Path home = dir.resolve("home");
    Path runtime = dir.resolve("run");
    authFile(
        home.resolve(".docker/config.json"),
        "{\"auths\":{\"quay.io\":{\"auth\":\""
            + auth("docker:d")
            + "\"},"
            + "\"ghcr.io\":{\"auth\":\""
            + auth("docker:g")
            + "\"}}}");
    authFile(
        runtime.resolve("containers/auth.json"),
        "{\"auths\":{\"quay.io\":{\"auth\":\"" + auth("podman:p") + "\"}}}");
    CredentialProvider provider =
        CredentialProvider.fromAuthFiles(Map.of("XDG_RUNTIME_DIR", runtime.toString()), home);

    assertThat(provider.find(ImageReference.parse("quay.io/a/b")).orElseThrow())
        .isEqualTo(new Credentials("podman", "p"));
    assertThat(provider.find(ImageReference.parse("ghcr.io/a/b")).orElseThrow())
        .isEqualTo(new Credentials("docker", "g"));
    assertThat(provider.find(ImageReference.parse("example.com/a"))).isEmpty();
  }

  @Test
  void fromAuthFiles_registryAuthFileFirst_andMostSpecificKeyWins() throws Exception {
    Path file =
        authFile(
            dir.resolve("auth.json"),
            "{\"auths\":{\"quay.io\":{\"auth\":\""
                + auth("host:h")
                + "\"},"
                + "\"quay.io/team\":{\"auth\":\""
                + auth("team:t:with:colons")
                + "\"}}}");
    CredentialProvider provider =
        CredentialProvider.fromAuthFiles(
            Map.of("REGISTRY_AUTH_FILE", file.toString()), dir.resolve("nohome"));

    assertThat(provider.find(ImageReference.parse("quay.io/team/app")).orElseThrow())
        .isEqualTo(new Credentials("team", "t:with:colons"));
    assertThat(provider.find(ImageReference.parse("quay.io/other/app")).orElseThrow())
        .isEqualTo(new Credentials("host", "h"));
  }

  @Test
  void fromAuthFiles_dockerHub_usesTheIndexKey() throws Exception {
    Path home = dir.resolve("home");
    authFile(
        home.resolve(".docker/config.json"),
        "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" + auth("hub:h") + "\"}}}");

    assertThat(
            CredentialProvider.fromAuthFiles(Map.of(), home)
                .find(ImageReference.parse("busybox"))
                .orElseThrow())
        .isEqualTo(new Credentials("hub", "h"));
  }

  @Test
  void fromAuthFile_damaged_failsWithoutShowingContents() throws Exception {
    Path file = authFile(dir.resolve("auth.json"), "{\"auths\": {\"quay.io\": topsecret");

    assertThatThrownBy(
            () -> CredentialProvider.fromAuthFile(file, ImageReference.parse("quay.io/a")))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining(file.toString())
        .hasMessageNotContaining("topsecret");
  }

  @Test
  void fromAuthFile_badBase64_failsWithoutShowingIt() throws Exception {
    Path file =
        authFile(dir.resolve("auth.json"), "{\"auths\":{\"quay.io\":{\"auth\":\"%%secret%%\"}}}");

    assertThatThrownBy(
            () -> CredentialProvider.fromAuthFile(file, ImageReference.parse("quay.io/a")))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("not base64")
        .hasMessageNotContaining("secret%");
  }

  @Test
  void credentials_toStringAndParseErrors_hideTheSecret() {
    assertThat(new Credentials("user", "hunter2").toString()).doesNotContain("hunter2", "user");
    assertThatThrownBy(() -> Credentials.parse("hunter2", "--creds"))
        .isInstanceOf(RegistryException.class)
        .hasMessageNotContaining("hunter2");
  }
}
