package dev.bale.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bale.event.EventSink;
import dev.bale.event.Level;
import dev.bale.testing.RegistryFaults;
import dev.bale.testing.RegistryFaults.Fault;
import dev.bale.testing.RegistryFixture;
import dev.bale.testing.RegistryImages;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pushes through a proxy that makes the reference registry fail now and then. */
class RegistryRetryIT {
  @TempDir static Path shared;
  private static RegistryFixture registry;
  private static PushImage image;

  @TempDir Path dir;
  private final List<String> messages = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryFixture.start(Files.createDirectories(shared.resolve("registry")));
    Path layout =
        RegistryImages.writeLayout(
            shared.resolve("layout"), RegistryImages.busybox("amd64", "retry\n"), "latest");
    image = LocalImage.read(layout, null).images().get(0);
  }

  @AfterAll
  static void stop() throws Exception {
    registry.close();
  }

  private RegistryClient client() {
    return client(
        new RetryPolicy(4, Duration.ofMillis(50), Duration.ofSeconds(3), Duration.ofSeconds(60)));
  }

  private RegistryClient client(RetryPolicy retry) {
    return RegistryClient.builder()
        .stateDirectory(dir)
        .retry(retry)
        .events(
            new EventSink() {
              @Override
              public void log(Level level, String message) {
                messages.add(level + " " + message);
              }

              @Override
              public void progress(String task, long done, long total) {}
            })
        .build();
  }

  @Test
  void push_toRegistryThatNeverAnswers_givesUpWithClearError() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = new CopyOnWriteArrayList<>();
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    accepted.add(silent.accept());
                  }
                } catch (IOException closed) {
                  // The test is over.
                }
              });
      acceptor.start();
      ImageReference target =
          ImageReference.parse("127.0.0.1:" + silent.getLocalPort() + "/bale/silent:1");
      RetryPolicy patient =
          new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(1));
      long start = System.nanoTime();

      assertThatThrownBy(() -> client(patient).push(target, image))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("127.0.0.1:" + silent.getLocalPort())
          .hasMessageContaining("gave up after 2 attempts");

      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
      assertThat(accepted).isNotEmpty();
      for (Socket socket : accepted) {
        socket.close();
      }
    }
  }

  @Test
  void push_through503And429_retriesAndHonoursRetryAfter() throws Exception {
    Fault unavailable = new Fault("PUT", "/blobs/uploads/", 503, null, 2);
    Fault limited = new Fault("HEAD", "/blobs/", 429, "1", 1);
    try (RegistryFaults faults =
        RegistryFaults.start(registry.host()).inject(unavailable).inject(limited)) {
      ImageReference target = ImageReference.parse(faults.host() + "/bale/retried:1");
      long start = System.nanoTime();

      PushResult result = client().push(target, image);

      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(result.sent()).isEqualTo(2);
      assertThat(faults.injected(unavailable)).isGreaterThanOrEqualTo(2);
      assertThat(faults.injected(limited)).isGreaterThanOrEqualTo(1);
      assertThat(messages).anyMatch(m -> m.contains("after HTTP 503"));
      assertThat(messages).anyMatch(m -> m.contains("after HTTP 429"));
      // The 429 asked for one second, more than the 50 ms the policy would have waited.
      assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
      assertThat(result.reference().digest()).isEqualTo(image.manifest().digest());
    }
  }

  @Test
  void push_blobPut429WithRetryAfter_waitsAsAsked() throws Exception {
    Fault limited = new Fault("PUT", "/blobs/uploads/", 429, "2", 1);
    try (RegistryFaults faults = RegistryFaults.start(registry.host()).inject(limited)) {
      ImageReference target = ImageReference.parse(faults.host() + "/bale/put-limited:1");
      long start = System.nanoTime();

      PushResult result = client().push(target, image);

      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(faults.injected(limited)).isGreaterThanOrEqualTo(1);
      assertThat(messages).anyMatch(m -> m.contains("upload blob") && m.contains("HTTP 429"));
      // The policy alone would have waited 50 ms before the second attempt.
      assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
      assertThat(result.reference().digest()).isEqualTo(image.manifest().digest());
    }
  }

  @Test
  void push_chunkPatch429WithRetryAfter_waitsAsAskedAndResumes() throws Exception {
    Fault limited = new Fault("PATCH", "/blobs/uploads/", 429, "2", 1);
    try (RegistryFaults faults = RegistryFaults.start(registry.host()).inject(limited)) {
      ImageReference target = ImageReference.parse(faults.host() + "/bale/patch-limited:1");
      RegistryClient chunking =
          RegistryClient.builder()
              .stateDirectory(dir)
              .retry(
                  new RetryPolicy(
                      4, Duration.ofMillis(50), Duration.ofSeconds(3), Duration.ofSeconds(60)))
              .chunking(64 * 1024, 256 * 1024)
              .build();
      long start = System.nanoTime();

      PushResult result = chunking.push(target, image);

      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(faults.injected(limited)).isGreaterThanOrEqualTo(1);
      assertThat(registry.requests("PATCH", "/v2/bale/patch-limited/blobs/uploads/"))
          .isGreaterThan(1);
      assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
      assertThat(result.reference().digest()).isEqualTo(image.manifest().digest());
      // A pull checks the digest of every blob, the chunked layer's included.
      ImageReference direct = ImageReference.parse(registry.host() + "/bale/patch-limited:1");
      assertThat(chunking.pull(direct, null, dir.resolve("pulled")))
          .isEqualTo(image.manifest().digest());
    }
  }

  @Test
  void push_manifestAlways503_givesUpInOneLineAndTagsNothing() throws Exception {
    Fault broken = new Fault("PUT", "/manifests/", 503, null, 100);
    try (RegistryFaults faults = RegistryFaults.start(registry.host()).inject(broken)) {
      ImageReference target = ImageReference.parse(faults.host() + "/bale/broken:1");

      assertThatThrownBy(() -> client().push(target, image))
          .isInstanceOf(RegistryException.class)
          .hasMessage(
              "cannot put manifest '1' in repository 'bale/broken' on registry '"
                  + faults.host()
                  + "': HTTP 503");
      assertThat(faults.injected(broken)).isEqualTo(4);
      assertThat(registry.requests("PUT", "/v2/bale/broken/manifests/")).isZero();
    }
  }
}
