package dev.bale.image.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.event.EventSink;
import dev.bale.image.ClosureItem;
import dev.bale.image.Compression;
import dev.bale.image.Customisation;
import dev.bale.image.Image;
import dev.bale.image.ImageConfig;
import dev.bale.image.ImageName;
import dev.bale.image.LayerPlanner;
import dev.bale.image.Platform;
import dev.bale.image.Symlink;
import dev.bale.testing.ImageValidator;
import dev.bale.testing.Podman;
import dev.bale.testing.TestStore;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerArchiveIT {
  @TempDir Path temp;

  @Test
  void write_busyboxClosure_loadsAndRunsInPodman() throws Exception {
    TestStore store = new TestStore(temp.resolve("store"));
    ClosureItem busybox = store.addBusybox();
    ClosureItem hello = store.addHello(busybox, "hello from a layered image");
    Customisation customisation =
        Customisation.of(TestStore.DIRECTORY, List.of(new Symlink("/bin", hello.path() + "/bin")));
    ImageConfig config =
        ImageConfig.builder(Platform.current())
            .entrypoint(List.of(hello.path() + "/bin/hello"))
            .build();
    Image image =
        new Image(
            ImageName.parse("hello:test"),
            config,
            LayerPlanner.plan(store.items(), 100, customisation),
            Compression.NONE);

    Path archive = temp.resolve("hello.tar");
    try (OutputStream out = Files.newOutputStream(archive)) {
      DockerArchiveWriter.write(image, out, EventSink.DISCARD);
    }

    ImageValidator.Checked checked = ImageValidator.dockerArchive(archive);
    assertThat(checked.layers()).hasSize(3);
    Podman podman = new Podman(temp.resolve("podman"));
    assertThat(podman.load(archive)).contains("hello:test");
    assertThat(podman.run("localhost/hello:test", List.of()).checked().stdout())
        .isEqualTo("hello from a layered image\n");
    assertThat(podman.run("localhost/hello:test", List.of()).exitCode()).isZero();
  }
}
