package dev.bale.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {
  private static final String DIGEST =
      "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  @ParameterizedTest
  @CsvSource({
    "busybox, docker.io/library/busybox:latest",
    "busybox:1.36, docker.io/library/busybox:1.36",
    "user/app, docker.io/user/app:latest",
    "index.docker.io/user/app:2, docker.io/user/app:2",
    "localhost/app, localhost/app:latest",
    "localhost:5000/a/b/c:v1.2-rc_3, localhost:5000/a/b/c:v1.2-rc_3",
    "127.0.0.1:5000/app, 127.0.0.1:5000/app:latest",
    "[::1]:5000/app:x, [::1]:5000/app:x",
    "ghcr.io/o-r/my_app__x.y:t, ghcr.io/o-r/my_app__x.y:t",
  })
  void parse_fillsDefaults(String text, String expected) throws Exception {
    assertThat(ImageReference.parse(text).toString()).isEqualTo(expected);
  }

  @Test
  void parse_digest_keepsTagAndDigest() throws Exception {
    ImageReference withTag = ImageReference.parse("quay.io/app:1@" + DIGEST);
    ImageReference bare = ImageReference.parse("quay.io/app@" + DIGEST);

    assertThat(withTag.tag()).isEqualTo("1");
    assertThat(withTag.digest().toString()).isEqualTo(DIGEST);
    assertThat(bare.tag()).isNull();
    assertThat(bare.manifestKey()).isEqualTo(DIGEST);
    assertThat(bare.toString()).isEqualTo("quay.io/app@" + DIGEST);
  }

  @Test
  void apiHost_dockerHub_isRegistryOne() throws Exception {
    assertThat(ImageReference.parse("busybox").apiHost()).isEqualTo("registry-1.docker.io");
    assertThat(ImageReference.parse("quay.io/a/b").apiHost()).isEqualTo("quay.io");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "Busybox",
        "app:",
        "app:-bad",
        "host.io/",
        "host.io//app",
        "app@sha256:1234",
        "app@md5:0123",
        "bad_host_.io:x/app",
        "a/b:c:d",
        "app/",
      })
  void parse_bad_isRejectedNamingTheReference(String text) {
    assertThatThrownBy(() -> ImageReference.parse(text))
        .isInstanceOf(RegistryException.class)
        .hasMessageStartingWith("bad image reference '" + text + "': ")
        .hasMessageContaining("expected HOST[:PORT]/REPOSITORY[:TAG]");
  }

  @Test
  void parse_tooLongRepository_isRejected() {
    String text = "host.io/" + "a".repeat(256);

    assertThatThrownBy(() -> ImageReference.parse(text))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("longer than 255");
  }

  @Test
  void isLoopback_onlyThisMachine() {
    assertThat(RegistryClient.isLoopback("127.0.0.1")).isTrue();
    assertThat(RegistryClient.isLoopback("127.12.0.9")).isTrue();
    assertThat(RegistryClient.isLoopback("::1")).isTrue();
    assertThat(RegistryClient.isLoopback("localhost")).isTrue();
    assertThat(RegistryClient.isLoopback("128.0.0.1")).isFalse();
    assertThat(RegistryClient.isLoopback("127.0.0.1.example.com")).isFalse();
    assertThat(RegistryClient.isLoopback("localhost.example.com")).isFalse();
  }
}
