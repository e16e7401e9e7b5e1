package dev.bale.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bale.testing.RegistryImages;
import dev.bale.testing.RegistryImages.TestImage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalImageTest {
  @TempDir Path dir;

  @Test
  void read_layout_keepsManifestBytesAndBlobs() throws Exception {
    TestImage image = RegistryImages.busybox("amd64", "x\n");
    Path layout = RegistryImages.writeLayout(dir.resolve("layout"), image, "latest");

    LocalImage local = LocalImage.read(layout, null);

    PushImage pushImage = local.images().get(0);
    assertThat(local.index()).isNull();
    assertThat(pushImage.manifest().bytes()).isEqualTo(image.manifest());
    assertThat(pushImage.blobs().stream().map(b -> b.digest().toString()).toList())
        .isEqualTo(image.blobDigests());
    try (InputStream in = pushImage.layers().get(0).open()) {
      assertThat(in.readAllBytes()).isEqualTo(image.layer());
    }
  }

  @Test
  void read_indexLayoutAsDocker_rebuildsManifestList() throws Exception {
    List<TestImage> images =
        List.of(RegistryImages.busybox("amd64", "a\n"), RegistryImages.busybox("arm64", "b\n"));
    Path layout = RegistryImages.writeIndexLayout(dir.resolve("layout"), images, "multi");

    LocalImage local = LocalImage.read(layout, ManifestFormat.DOCKER);

    assertThat(local.index().mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
    assertThat(local.images())
        .allMatch(i -> i.manifest().mediaType().equals(MediaTypes.DOCKER_MANIFEST));
    assertThat(new String(local.index().bytes(), "UTF-8"))
        .contains(local.images().get(1).manifest().digest().toString())
        .contains("arm64");
  }

  @Test
  void read_missingLayer_failsNamingTheBlob() throws Exception {
    TestImage image = RegistryImages.busybox("amd64", "x\n");
    Path layout = RegistryImages.writeLayout(dir.resolve("layout"), image, "latest");
    String layer = image.blobDigests().get(1);
    Files.delete(layout.resolve("blobs/sha256").resolve(layer.substring(7)));

    assertThatThrownBy(() -> LocalImage.read(layout, null))
        .isInstanceOf(RegistryException.class)
        .hasMessage("cannot read image '" + layout + "': blob " + layer + " is missing");
  }

  @Test
  void read_tamperedManifest_isRejected() throws Exception {
    TestImage image = RegistryImages.busybox("amd64", "x\n");
    Path layout = RegistryImages.writeLayout(dir.resolve("layout"), image, "latest");
    String manifest = RegistryImages.digest(image.manifest());
    Files.writeString(layout.resolve("blobs/sha256").resolve(manifest.substring(7)), "{}");

    assertThatThrownBy(() -> LocalImage.read(layout, null))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("manifest " + manifest + " does not match its digest");
  }
}
