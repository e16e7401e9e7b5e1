package dev.bale.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bale.hash.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Blob config =
      Blob.ofBytes("{}".getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_CONFIG);
  private final Blob layer = Blob.ofBytes(new byte[] {1, 2, 3}, MediaTypes.OCI_LAYER_GZIP);

  @Test
  void forImage_docker_convertsEveryMediaType() throws Exception {
    Manifest manifest = Manifest.forImage(ManifestFormat.DOCKER, config, List.of(layer));

    JsonNode json = JSON.readTree(manifest.bytes());
    assertThat(manifest.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
    assertThat(json.path("mediaType").asText()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
    assertThat(json.path("config").path("mediaType").asText()).isEqualTo(MediaTypes.DOCKER_CONFIG);
    assertThat(json.path("layers").get(0).path("mediaType").asText())
        .isEqualTo(MediaTypes.DOCKER_LAYER_GZIP);
    assertThat(json.path("layers").get(0).path("digest").asText())
        .isEqualTo(Digest.of(new byte[] {1, 2, 3}).toString());
    assertThat(manifest.digest()).isEqualTo(Digest.of(manifest.bytes()));
  }

  @Test
  void forImage_zstdInDocker_isRejected() {
    Blob zstd = Blob.ofBytes(new byte[] {4}, MediaTypes.OCI_LAYER_ZSTD);

    assertThatThrownBy(() -> Manifest.forImage(ManifestFormat.DOCKER, config, List.of(zstd)))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining(MediaTypes.OCI_LAYER_ZSTD)
        .hasMessageContaining("docker");
  }

  @Test
  void forIndex_listsPlatformsInOrder() throws Exception {
    Manifest amd64 = Manifest.forImage(ManifestFormat.OCI, config, List.of(layer));
    Manifest arm = Manifest.forImage(ManifestFormat.OCI, config, List.of());

    Manifest index =
        Manifest.forIndex(
            ManifestFormat.OCI,
            List.of(
                new Manifest.PlatformManifest(amd64, Platform.parse("linux/amd64")),
                new Manifest.PlatformManifest(arm, Platform.parse("linux/arm/v7"))));

    JsonNode manifests = JSON.readTree(index.bytes()).path("manifests");
    assertThat(index.isIndex()).isTrue();
    assertThat(manifests.get(0).path("digest").asText()).isEqualTo(amd64.digest().toString());
    assertThat(manifests.get(1).path("platform").path("variant").asText()).isEqualTo("v7");
    assertThat(manifests.get(1).path("size").asInt()).isEqualTo(arm.size());
  }

  @Test
  void blobOf_writerStreamsThroughPipe_andFailuresReachTheReader() throws Exception {
    byte[] data = new byte[300_000];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 31);
    }
    Blob good =
        Blob.of(
            Digest.of(data),
            data.length,
            MediaTypes.OCI_LAYER,
            out -> {
              for (int i = 0; i < data.length; i += 1000) {
                out.write(data, i, Math.min(1000, data.length - i));
              }
            });
    Blob bad =
        Blob.of(
            Digest.of(data),
            data.length,
            MediaTypes.OCI_LAYER,
            out -> {
              out.write(data, 0, 10);
              throw new IOException("store item vanished");
            });

    try (InputStream in = good.open()) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    try (InputStream in = bad.open()) {
      assertThatThrownBy(in::readAllBytes).hasMessage("store item vanished");
    }
  }

  @Test
  void platformParse_badShape_isRejected() {
    assertThatThrownBy(() -> Platform.parse("amd64"))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("'amd64'");
  }
}
