package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bale.hash.Digest;
import dev.bale.testing.Bale;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the bytes bale writes for one fixed store item: its store path, and the digests of its image
 * in each compression. Every other test compares bale with itself or with other tools; this one
 * fails when a new version of bale, or of a compressor inside it, writes other bytes for the same
 * input, which would give every user's layers new digests. When that change is meant, the layer
 * cache must not keep naming the old digests: raise {@code LayerWriter.RULES_VERSION} for a change
 * to the tar rules and {@code ParallelGzipOutputStream.ENCODER_VERSION} for one to gzip's encoder
 * (a new zstd-jni changes the cache key by itself), then put the new digests here.
 *
 * <p>The gzip digests depend on bale's own deflate encoder alone, not on the JDK or its zlib, so
 * they are the same on every machine; the zstd ones on the zstd inside zstd-jni.
 */
class PackGoldenDigestsTest {
  private static final String STORE_PATH = "/gnu/store/wrgkdczjqa24941wrm9qcc3gzd14r5mq-golden-1.0";

  private static final String REMEDY =
      "bale wrote other bytes for the same item: if that is meant, raise LayerWriter.RULES_VERSION"
          + " where the tar rules changed (ParallelGzipOutputStream.ENCODER_VERSION where gzip's"
          + " encoder did), and update the digests in this test";

  @TempDir Path temp;
  private Bale bale;
  private String item;

  @BeforeEach
  void addGoldenItem() throws Exception {
    bale = new Bale(temp.resolve("store"));
    item = bale.add(goldenTree(temp.resolve("golden")), "golden-1.0");
  }

  /**
   * Writes a tree that exercises every tar rule and both compressors' block and job boundaries: an
   * executable, an empty file and directory, a relative symbolic link, a name past 100 bytes, text
   * of 100 KB and of 9 MiB (more than one zstd job and many gzip blocks), and random bytes.
   */
  private static Path goldenTree(Path root) throws Exception {
    Path bin = Files.createDirectories(root.resolve("bin"));
    Path share = Files.createDirectories(root.resolve("share/golden"));
    Files.createDirectories(root.resolve("var/empty"));

    Path tool = Files.writeString(bin.resolve("tool"), "#!/bin/sh\necho golden\n");
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(share.resolve("empty"), "");
    Files.write(share.resolve("small.txt"), text(100_000, 1));
    Files.write(share.resolve("large.txt"), text(9 << 20, 2));
    byte[] random = new byte[300_000];
    new Random(3).nextBytes(random);
    Files.write(share.resolve("random.bin"), random);
    Files.writeString(share.resolve("n".repeat(120) + ".txt"), "a long name\n");
    Files.createSymbolicLink(bin.resolve("small"), Path.of("../share/golden/small.txt"));
    return root;
  }

  /** Returns {@code size} bytes of words and numbers, a pure function of the seed. */
  private static byte[] text(int size, long seed) {
    String[] words = {"store ", "item ", "closure ", "layer ", "digest ", "\n", "/gnu/store/"};
    Random random = new Random(seed);
    StringBuilder text = new StringBuilder(size + 16);
    while (text.length() < size) {
      if (random.nextInt(6) == 0) {
        text.append(random.nextInt(100_000)).append(' ');
      } else {
        text.append(words[random.nextInt(words.length)]);
      }
    }
    return text.substring(0, size).getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void add_goldenTree_getsItsStorePath() {
    assertThat(item).as(REMEDY).isEqualTo(STORE_PATH);
  }

  /** The compression, the digest of the item's layer and that of the manifest. */
  static Stream<Arguments> pinnedDigests() {
    return Stream.of(
        Arguments.of(
            "none",
            "sha256:0ee1010af648ed3ebd576e6c2de562fbda132c6fe82554b65d1aa6cccfa3b59e",
            "sha256:485a0e092b3eafd1240c037768eab0ff6a4a059935ec8785890013f1350db5e1"),
        Arguments.of(
            "gzip",
            "sha256:ecbe61760840c1fb0ec89f06e81624d6636aafa19da8e63f38f37044c588d8b5",
            "sha256:e43860e9cb683a055b8b74b572376edfe588076703bafb1ee776310a770c9ec5"),
        Arguments.of(
            "zstd",
            "sha256:95fa8b916086ee0081c1217520be866ee689bc43951c63e2592970c802c0691f",
            "sha256:5299b8ee8aab9e049ac519d31e5b1a3d356d54418761dda32a3f2256fa3d27a9"));
  }

  @ParameterizedTest
  @MethodSource("pinnedDigests")
  void pack_goldenItem_writesThePinnedDigests(String compression, String layer, String manifest)
      throws Exception {
    Path layout = temp.resolve("layout-" + compression);

    Bale.Result result =
        bale.run(
            "pack",
            "--format=oci-dir",
            "--compression=" + compression,
            "--cmd",
            item + "/bin/tool",
            "-o",
            layout.toString(),
            item);

    assertThat(result.exitCode()).as(result.err()).isZero();
    ObjectMapper json = new ObjectMapper();
    JsonNode index = json.readTree(layout.resolve("index.json").toFile());
    String manifestDigest = index.get("manifests").get(0).get("digest").asText();
    JsonNode document = json.readTree(blob(layout, manifestDigest));
    List<String> layers = new ArrayList<>();
    document.get("layers").forEach(descriptor -> layers.add(descriptor.get("digest").asText()));
    // The first layer holds the item; the last, the store directory and /tmp.
    assertThat(layers.get(0)).as(REMEDY).isEqualTo(layer);
    assertThat(manifestDigest).as(REMEDY).isEqualTo(manifest);
  }

  @Test
  void pack_goldenItemAsDockerArchive_writesThePinnedBytes() throws Exception {
    Path archive = temp.resolve("golden.tar");

    Bale.Result result = bale.run("pack", "-o", archive.toString(), item);

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(Digest.of(Files.readAllBytes(archive)).toString())
        .as(REMEDY)
        .isEqualTo("sha256:7e9a532e8b40827302025ec6f7920a65f1e796d1286607040ae34e43c36e7254");
  }

  private static byte[] blob(Path layout, String digest) throws Exception {
    return Files.readAllBytes(layout.resolve("blobs/sha256").resolve(digest.substring(7)));
  }
}
