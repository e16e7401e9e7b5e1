package dev.bale.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bale.event.EventSink;
import dev.bale.event.Level;
import dev.bale.hash.Digest;
import dev.bale.image.ClosureItem;
import dev.bale.image.Compression;
import dev.bale.image.Customisation;
import dev.bale.image.Image;
import dev.bale.image.ImageConfig;
import dev.bale.image.ImageName;
import dev.bale.image.LayerCache;
import dev.bale.image.LayerPlanner;
import dev.bale.image.Symlink;
import dev.bale.image.oci.OciLayoutWriter;
import dev.bale.testing.TestStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks that a pushed image is, blob for blob, the OCI layout of the same image. */
class StoreImageTest {
  private static final EventSink QUIET =
      new EventSink() {
        @Override
        public void log(Level level, String message) {}

        @Override
        public void progress(String task, long done, long total) {}
      };

  @TempDir Path temp;

  @Test
  void of_givesTheBlobsAndManifestOfTheOciLayout() throws Exception {
    for (Compression compression : Compression.values()) {
      Image image = busyboxImage(compression);
      Path layout = temp.resolve("layout-" + compression);
      OciLayoutWriter.write(image, layout, QUIET);

      PushImage pushed = StoreImage.of(image, LayerCache.disabled(), QUIET, 1);

      JsonNode index = new ObjectMapper().readTree(layout.resolve("index.json").toFile());
      String manifestDigest = index.get("manifests").get(0).get("digest").asText();
      assertThat(pushed.manifest().digest().toString()).isEqualTo(manifestDigest);
      assertThat(pushed.manifest().bytes()).isEqualTo(blob(layout, manifestDigest));
      assertThat(bytesOf(pushed.config()))
          .isEqualTo(blob(layout, pushed.config().digest().toString()));
      assertThat(pushed.layers()).hasSize(image.layers().size());
      for (Blob layer : pushed.layers()) {
        byte[] streamed = bytesOf(layer);
        assertThat(streamed).hasSize((int) layer.size());
        assertThat(streamed).isEqualTo(blob(layout, layer.digest().toString()));
        assertThat(layer.mediaType()).isEqualTo(compression.ociMediaType());
      }
    }
  }

  @Test
  void of_dockerFormat_namesTheSameBlobsWithDockerMediaTypes() throws Exception {
    for (Compression compression : List.of(Compression.GZIP, Compression.NONE)) {
      Image image = busyboxImage(compression);
      PushImage oci = StoreImage.of(image, LayerCache.disabled(), QUIET, 1);

      PushImage docker =
          StoreImage.of(image, ManifestFormat.DOCKER, LayerCache.disabled(), QUIET, 1);

      assertThat(docker.manifest().mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
      JsonNode manifest = new ObjectMapper().readTree(docker.manifest().bytes());
      assertThat(manifest.get("schemaVersion").asInt()).isEqualTo(2);
      assertThat(manifest.get("mediaType").asText()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
      assertThat(manifest.at("/config/mediaType").asText()).isEqualTo(MediaTypes.DOCKER_CONFIG);
      assertThat(manifest.at("/config/digest").asText())
          .isEqualTo(oci.config().digest().toString());
      String layerType =
          compression == Compression.GZIP ? MediaTypes.DOCKER_LAYER_GZIP : MediaTypes.DOCKER_LAYER;
      assertThat(manifest.get("layers")).hasSize(oci.layers().size());
      for (int i = 0; i < oci.layers().size(); i++) {
        JsonNode layer = manifest.get("layers").get(i);
        assertThat(layer.get("mediaType").asText()).isEqualTo(layerType);
        assertThat(layer.get("digest").asText()).isEqualTo(oci.layers().get(i).digest().toString());
        assertThat(layer.get("size").asLong()).isEqualTo(oci.layers().get(i).size());
      }
    }
  }

  @Test
  void of_dockerFormatWithZstd_isRefused_ociFormatTakesIt() throws Exception {
    Image image = busyboxImage(Compression.ZSTD);

    PushImage oci = StoreImage.of(image, ManifestFormat.OCI, LayerCache.disabled(), QUIET, 1);

    assertThat(oci.manifest().bytes())
        .isEqualTo(StoreImage.of(image, LayerCache.disabled(), QUIET, 1).manifest().bytes());

    assertThatThrownBy(
            () -> StoreImage.of(image, ManifestFormat.DOCKER, LayerCache.disabled(), QUIET, 1))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("zstd")
        .hasMessageContaining("docker");
  }

  @Test
  void of_warmCache_digestsWithoutReadingTheStore() throws Exception {
    Image image = busyboxImage(Compression.GZIP);
    Path cacheFile = temp.resolve("layers.sqlite");
    LayerCache.NarHashes hashes =
        item -> Digest.of(item.path().toString().getBytes(StandardCharsets.UTF_8));
    PushImage cold;
    try (LayerCache cache = LayerCache.open(cacheFile, hashes)) {
      cold = StoreImage.of(image, cache, QUIET, 1);
    }
    deleteTree(temp.resolve("store-" + Compression.GZIP));

    PushImage warm;
    try (LayerCache cache = LayerCache.open(cacheFile, hashes)) {
      warm = StoreImage.of(image, cache, QUIET, 1);
    }

    assertThat(warm.manifest().bytes()).isEqualTo(cold.manifest().bytes());
    assertThat(bytesOf(warm.config())).isEqualTo(bytesOf(cold.config()));
    // The layers are read only when sent, and the store no longer has them.
    assertThatThrownBy(() -> bytesOf(warm.layers().get(0))).isInstanceOf(IOException.class);
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        path.toFile().setWritable(true);
        Files.delete(path);
      }
    }
  }

  @Test
  void platformOf_keepsTheVariant() throws Exception {
    Image image = busyboxImage(Compression.GZIP);

    assertThat(StoreImage.platformOf(image).toString()).isEqualTo("linux/arm/v7");
  }

  private Image busyboxImage(Compression compression) throws Exception {
    TestStore store = new TestStore(temp.resolve("store-" + compression));
    ClosureItem busybox = store.addBusybox();
    ClosureItem hello = store.addHello(busybox, "hi");
    Customisation customisation =
        Customisation.of(TestStore.DIRECTORY, List.of(new Symlink("/bin", hello.path() + "/bin")));
    ImageConfig config =
        ImageConfig.builder(dev.bale.image.Platform.forSystem("armhf-linux"))
            .entrypoint(List.of(hello.path() + "/bin/hello"))
            .build();
    return new Image(
        ImageName.parse("hello:1"),
        config,
        LayerPlanner.plan(store.items(), 100, customisation),
        compression);
  }

  private static byte[] bytesOf(Blob blob) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    blob.writeTo(out);
    return out.toByteArray();
  }

  private static byte[] blob(Path layout, String digest) throws IOException {
    return Files.readAllBytes(layout.resolve("blobs/sha256").resolve(digest.substring(7)));
  }
}
