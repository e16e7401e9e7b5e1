package dev.bale.image.oci;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.event.EventSink;
import dev.bale.hash.Digest;
import dev.bale.image.ClosureItem;
import dev.bale.image.Compression;
import dev.bale.image.Customisation;
import dev.bale.image.Image;
import dev.bale.image.ImageConfig;
import dev.bale.image.ImageName;
import dev.bale.image.LayerPlanner;
import dev.bale.image.Platform;
import dev.bale.image.Symlink;
import dev.bale.image.WrittenImage;
import dev.bale.image.docker.DockerArchiveWriter;
import dev.bale.testing.ImageValidator;
import dev.bale.testing.TestStore;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Runs every format writer on one closure and checks the output with the shared validator. */
class ImageWritersTest {
  @TempDir Path temp;
  private TestStore store;
  private ClosureItem hello;

  @BeforeEach
  void createClosure() throws Exception {
    store = new TestStore(temp.resolve("store"));
    ClosureItem lib =
        store.add(
            "lib-1",
            tree -> {
              Files.createDirectories(tree.resolve("lib"));
              Files.write(tree.resolve("lib/big"), new byte[300_000]);
              Files.writeString(tree.resolve("lib/" + "long-name-".repeat(15)), "long");
            });
    hello =
        store.add(
            "hello-1",
            tree -> {
              Files.createDirectories(tree.resolve("bin"));
              Files.writeString(tree.resolve("bin/hello"), "#!" + lib.path() + "/lib/big\n");
            },
            lib.path());
  }

  private Image image(Compression compression, int maxLayers) throws Exception {
    Customisation customisation =
        Customisation.of(
            TestStore.DIRECTORY, List.of(new Symlink("/usr/bin/hello", hello.path() + "/bin")));
    ImageConfig config =
        ImageConfig.builder(Platform.forSystem("armhf-linux"))
            .entrypoint(List.of(hello.path() + "/bin/hello"))
            .env("A=b")
            .label("z", "1")
            .label("a", "2")
            .expose("80/tcp")
            .workingDir("/tmp")
            .user("1000")
            .cmd(List.of("x"))
            .build();
    return new Image(
        ImageName.parse("hello:1"),
        config,
        LayerPlanner.plan(store.items(), maxLayers, customisation),
        compression);
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void dockerArchive_fileAndStream_areValidAndEqual(Compression compression) throws Exception {
    Path archive = temp.resolve("docker.tar");
    Path streamed = temp.resolve("streamed.tar");
    WrittenImage written;
    try (FileChannel channel =
        FileChannel.open(archive, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      written = DockerArchiveWriter.write(image(compression, 100), channel, EventSink.DISCARD);
    }
    try (OutputStream out = Files.newOutputStream(streamed)) {
      DockerArchiveWriter.write(image(compression, 100), out, EventSink.DISCARD);
    }
    assertThat(Files.readAllBytes(archive)).isEqualTo(Files.readAllBytes(streamed));

    ImageValidator.Checked checked = ImageValidator.dockerArchive(archive);
    assertThat(checked.layers()).hasSize(3);
    assertThat(written.bytes()).isEqualTo(Files.size(archive));
    assertThat(checked.configDigest()).isEqualTo(written.config().digest());
    assertThat(checked.config().get("variant").asText()).isEqualTo("v7");
    assertThat(checked.config().get("config").get("Labels").fieldNames())
        .toIterable()
        .containsExactly("a", "z");
    assertCustomisationLayer(checked.layers().get(2));
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void ociArchive_fileAndStream_areValidAndEqual(Compression compression) throws Exception {
    Path seekable = temp.resolve("seekable.tar");
    Path streamed = temp.resolve("streamed.tar");
    WrittenImage written;
    try (FileChannel channel =
        FileChannel.open(seekable, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      written = OciArchiveWriter.write(image(compression, 100), channel, EventSink.DISCARD);
    }
    try (OutputStream out = Files.newOutputStream(streamed)) {
      OciArchiveWriter.write(image(compression, 100), out, EventSink.DISCARD);
    }

    ImageValidator.Checked checked = ImageValidator.ociArchive(seekable);
    assertThat(Files.readAllBytes(seekable)).isEqualTo(Files.readAllBytes(streamed));
    assertThat(written.bytes()).isEqualTo(Files.size(seekable));
    assertThat(checked.layers()).hasSize(3);
    assertThat(checked.index().get("manifests").get(0).get("digest").asText())
        .isEqualTo(written.manifest().digest().toString());
    assertCustomisationLayer(checked.layers().get(2));
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void ociLayout_isValidAndEqualsTheArchive(Compression compression) throws Exception {
    Path layout = temp.resolve("layout");
    WrittenImage written =
        OciLayoutWriter.write(image(compression, 100), layout, EventSink.DISCARD);
    Path archive = temp.resolve("oci.tar");
    try (OutputStream out = Files.newOutputStream(archive)) {
      OciArchiveWriter.write(image(compression, 100), out, EventSink.DISCARD);
    }

    ImageValidator.Checked checked = ImageValidator.ociLayout(layout);
    var inArchive = ImageValidator.readTar(Files.readAllBytes(archive));
    try (Stream<Path> files = Files.walk(layout)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String name = layout.relativize(file).toString();
        assertThat(Files.readAllBytes(file)).as(name).isEqualTo(inArchive.get(name));
      }
    }
    assertThat(checked.configDigest()).isEqualTo(written.config().digest());
    assertThat(checked.config().get("config").get("ExposedPorts").has("80/tcp")).isTrue();
  }

  @Test
  void ociLayout_existingBlob_isNotRewrittenAndOtherTagsStay() throws Exception {
    Path layout = temp.resolve("layout");
    WrittenImage first =
        OciLayoutWriter.write(image(Compression.GZIP, 100), layout, EventSink.DISCARD);
    Digest layer = first.layers().get(0).digest();
    Path blob = layout.resolve("blobs/sha256/" + layer.hex());
    var before = Files.getLastModifiedTime(blob);
    Files.setLastModifiedTime(blob, java.nio.file.attribute.FileTime.fromMillis(5000));

    Image other =
        new Image(
            ImageName.parse("hello:2"),
            image(Compression.GZIP, 1).config(),
            image(Compression.GZIP, 1).layers(),
            Compression.GZIP);
    OciLayoutWriter.write(image(Compression.GZIP, 100), layout, EventSink.DISCARD);
    OciLayoutWriter.write(other, layout, EventSink.DISCARD);

    assertThat(Files.getLastModifiedTime(blob).toMillis())
        .isEqualTo(5000)
        .isNotEqualTo(before.toMillis());
    ImageValidator.Checked checked = ImageValidator.ociLayout(layout);
    assertThat(checked.index().get("manifests")).hasSize(2);
    assertThat(checked.layers()).hasSize(1);
    try (Stream<Path> names = Files.list(layout.resolve("blobs/sha256"))) {
      assertThat(names.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
    }
  }

  /** Checks the last layer: store directory parents, /tmp 1777, the link and its parents. */
  private void assertCustomisationLayer(byte[] layer) throws Exception {
    List<TarArchiveEntry> entries = ImageValidator.entries(layer);
    assertThat(entries)
        .extracting(TarArchiveEntry::getName)
        .containsExactly("gnu/", "gnu/store/", "tmp/", "usr/", "usr/bin/", "usr/bin/hello");
    assertThat(entries.get(2).getMode() & 07777).isEqualTo(01777);
    assertThat(entries.get(5).getLinkName()).isEqualTo(hello.path() + "/bin");
  }
}
