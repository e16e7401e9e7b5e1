package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.testing.Bale;
import dev.bale.testing.BaleBatch;
import dev.bale.testing.ImageValidator;
import dev.bale.testing.Program;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code pack} in its own process and working directory: what {@code -o -} leaves (nothing)
 * and the names outputs get when {@code -o} is not given.
 */
class PackOutputIT {
  private static final Pattern BYTES = Pattern.compile(", ([0-9]+) bytes, ");

  @TempDir Path temp;
  private Bale bale;
  private String hello;
  private Path work;

  @BeforeEach
  void createClosure() throws Exception {
    bale = new Bale(temp.resolve("store"));
    hello = bale.addHelloClosure(temp.resolve("items"), "streamed").get(1);
    work = Files.createDirectories(temp.resolve("work"));
  }

  @Test
  void pack_toStandardOutput_createsNoFileInTheWorkingDirectoryOrTheStore() throws Exception {
    for (String format : List.of("docker", "oci")) {
      Path streamed = temp.resolve(format + ".stdout");
      List<String> created;
      Program.Result result;
      try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
        // inotify sees a file however briefly it lives, which polling would miss.
        for (Path directory : List.of(work, temp.resolve("store/tmp"))) {
          directory.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
        }
        result =
            Program.run(
                List.of(
                    "sh",
                    "-c",
                    "exec \"$@\" >" + streamed,
                    "sh",
                    "java",
                    "-jar",
                    Path.of("target/bale.jar").toAbsolutePath().toString(),
                    "--store",
                    bale.storeUri(),
                    "pack",
                    "-f",
                    format,
                    "-o",
                    "-",
                    hello),
                Map.of(),
                work);
        created = createdNames(watcher);
      }

      assertThat(result.exitCode()).as(result.stderr()).isZero();
      assertThat(created).as(format).isEmpty();
      assertThat(listing(work)).isEmpty();
      assertThat(result.stderr()).endsWith(", to standard output\n");
      Matcher bytes = BYTES.matcher(result.stderr());
      assertThat(bytes.find()).isTrue();
      assertThat(Long.parseLong(bytes.group(1))).isEqualTo(Files.size(streamed));
      if (format.equals("docker")) {
        ImageValidator.dockerArchive(streamed);
      } else {
        ImageValidator.ociArchive(streamed);
      }
    }
  }

  @Test
  void pack_withoutOutput_namesTheFileAfterTheImage() throws Exception {
    String baseName = Path.of(hello).getFileName().toString();
    List<String> batch = new ArrayList<>();
    for (List<String> command :
        List.of(
            List.of("pack", hello),
            List.of("pack", "-f", "oci", hello),
            List.of("pack", "-f", "oci-dir", hello),
            List.of("pack", "--image-tag", "registry.example/team/app:1", hello),
            List.of("archive", "--format=docker", hello))) {
      batch.addAll(List.of("--store", bale.storeUri()));
      batch.addAll(command);
      batch.add("::");
    }

    List<String> java =
        new ArrayList<>(
            List.of(
                "java",
                "-cp",
                Path.of("target/bale.jar").toAbsolutePath()
                    + ":"
                    + Path.of("target/test-classes").toAbsolutePath(),
                BaleBatch.class.getName()));
    java.addAll(batch.subList(0, batch.size() - 1));
    Program.Result result = Program.run(java, Map.of(), work);

    assertThat(result.exitCode()).as(result.stderr()).isZero();
    assertThat(listing(work))
        .containsExactlyInAnyOrder(
            "hello-2.12.tar",
            "hello-2.12-oci.tar",
            "hello-2.12-oci",
            "app.tar",
            "docker-image-" + baseName + ".tar");
    assertThat(result.stdout()).isEqualTo("docker-image-" + baseName + ".tar\n");
    assertThat(result.stderr())
        .contains(
            "to 'hello-2.12.tar'",
            "to 'hello-2.12-oci.tar'",
            "to 'hello-2.12-oci'",
            "registry.example/team/app:1",
            "to 'app.tar'");
    ImageValidator.dockerArchive(work.resolve("hello-2.12.tar"));
    ImageValidator.ociArchive(work.resolve("hello-2.12-oci.tar"));
    ImageValidator.ociLayout(work.resolve("hello-2.12-oci"));
    ImageValidator.dockerArchive(work.resolve("docker-image-" + baseName + ".tar"));
  }

  /** Returns what was created, waiting a little for events still on their way. */
  private static List<String> createdNames(WatchService watcher) throws InterruptedException {
    List<String> names = new ArrayList<>();
    for (WatchKey key = watcher.poll(1, TimeUnit.SECONDS);
        key != null;
        key = watcher.poll(100, TimeUnit.MILLISECONDS)) {
      for (WatchEvent<?> event : key.pollEvents()) {
        names.add(key.watchable() + "/" + event.context());
      }
    }
    return names;
  }

  private static List<String> listing(Path directory) throws Exception {
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(p -> p.getFileName().toString()).toList();
    }
  }
}
