package dev.bale.nar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bale.hash.Digest;
import dev.bale.testing.ByteMutation;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of the NAR writer and reader over random trees and randomly damaged archives. The
 * reader must never accept an archive it would not restore exactly: each mutated archive is either
 * refused with a {@link NarFormatException} or restored to a tree whose NAR is the bytes the reader
 * consumed. Any other exception fails the try, and so does a read that runs past a time limit, so
 * that no input can make the reader hang.
 */
class NarPropertiesTest {
  private static final AtomicInteger TRIES = new AtomicInteger();
  private static final AtomicInteger MUTATED = new AtomicInteger();
  private static final AtomicInteger REJECTED = new AtomicInteger();
  private static final String OUTSIDE = "outside";

  // Every try takes milliseconds; a loaded machine stays far below this.
  private static final Duration TRY_TIME_LIMIT = Duration.ofSeconds(20);
  private static Path temp;

  /** A file tree to generate, write and restore. */
  sealed interface Node {}

  record File(byte[] contents, boolean executable) implements Node {}

  record Link(String target) implements Node {}

  record Dir(Map<String, Node> entries) implements Node {}

  @BeforeContainer
  static void createTemp() throws IOException {
    temp = MemoryTempDir.create();
    Files.createDirectory(temp.resolve(OUTSIDE));
  }

  @AfterContainer
  static void deleteTemp() throws IOException {
    deleteTree(temp);
    System.out.printf(
        "NarPropertiesTest: %d mutated NARs tried, %d rejected cleanly, %d restored and checked"
            + " (%d tries in all)%n",
        MUTATED.get(), REJECTED.get(), MUTATED.get() - REJECTED.get(), TRIES.get());
  }

  @Property(tries = 300)
  void writeRestoreWrite_givesTheSameBytes(@ForAll("trees") Node tree) throws IOException {
    Path work = Files.createDirectory(temp.resolve("try" + TRIES.incrementAndGet()));
    Path root = work.resolve("tree");
    materialize(tree, root);

    byte[] written = write(root);
    assertThat(written).isEqualTo(encode(tree));

    Path restored = work.resolve("restored");
    if (climbsAboveTheRoot(tree, List.of())) {
      assertThatThrownBy(() -> restore(new ByteArrayInputStream(written), restored))
          .isInstanceOf(NarFormatException.class)
          .hasMessageContaining("which climbs above the");
      assertThat(Files.exists(restored, LinkOption.NOFOLLOW_LINKS)).isFalse();
      Statistics.label("root").collect("climbing link refused");
      deleteTree(work);
      return;
    }
    NarSummary summary = restore(new ByteArrayInputStream(written), restored);
    assertThat(summary).isEqualTo(new NarSummary(Digest.of(written), written.length));
    assertThat(write(restored)).isEqualTo(written);

    Statistics.label("root").collect(tree.getClass().getSimpleName());
    deleteTree(work);
  }

  @Property(tries = 3000)
  void mutatedArchive_isRejectedOrRestoredExactly(
      @ForAll("smallTrees") Node tree, @ForAll("mutations") ByteMutation mutation)
      throws IOException {
    byte[] nar = mutation.apply(encode(tree));
    Path target = temp.resolve("try" + TRIES.incrementAndGet());
    ByteArrayInputStream in = new ByteArrayInputStream(nar);
    MUTATED.incrementAndGet();

    NarSummary summary;
    try {
      summary = restore(in, target);
    } catch (NarFormatException e) {
      REJECTED.incrementAndGet();
      assertThat(Files.exists(target, LinkOption.NOFOLLOW_LINKS)).isFalse();
      Statistics.label("outcome").collect(mutation.kind(), "rejected");
      return;
    }

    long consumed = nar.length - in.available();
    byte[] archive = Arrays.copyOf(nar, (int) consumed);
    assertThat(summary).isEqualTo(new NarSummary(Digest.of(archive), consumed));
    assertThat(write(target)).isEqualTo(archive);
    assertThat(verify(new ByteArrayInputStream(nar))).isEqualTo(summary);
    Statistics.label("outcome").collect(mutation.kind(), "restored");
    deleteTree(target);
  }

  @Property(tries = 1000)
  void mutatedArchiveWithAbsoluteLinks_neverWritesThroughALink(
      @ForAll("treesLinkingOutside") Node tree, @ForAll("someMutations") ByteMutation mutation)
      throws IOException {
    byte[] nar = mutation == null ? encode(tree) : mutation.apply(encode(tree));
    Path target = temp.resolve("try" + TRIES.incrementAndGet());

    String archive = mutation == null ? "intact" : "mutated";
    if (mutation != null) {
      MUTATED.incrementAndGet();
    }
    try {
      restore(new ByteArrayInputStream(nar), target);
      Statistics.label("outcome").collect(archive, "restored");
      deleteTree(target);
    } catch (NarFormatException e) {
      assertThat(mutation).as("an intact archive was refused: %s", e.getMessage()).isNotNull();
      REJECTED.incrementAndGet();
      Statistics.label("outcome").collect(archive, "rejected");
    }

    try (Stream<Path> written = Files.list(temp.resolve(OUTSIDE))) {
      assertThat(written).isEmpty();
    }
  }

  /**
   * Restores as {@link NarReader#restore} does, in a thread of its own: a try whose input makes the
   * reader run for longer than the time limit fails, rather than hanging the build.
   */
  private static NarSummary restore(InputStream in, Path target) throws IOException {
    return assertTimeoutPreemptively(TRY_TIME_LIMIT, () -> NarReader.restore(in, target));
  }

  /** Verifies as {@link NarReader#verify} does, within the time limit. */
  private static NarSummary verify(InputStream in) throws IOException {
    return assertTimeoutPreemptively(TRY_TIME_LIMIT, () -> NarReader.verify(in));
  }

  @Provide
  Arbitrary<ByteMutation> someMutations() {
    // Half the archives intact, so that most restores get past their links.
    return mutations().injectNull(0.5);
  }

  @Provide
  Arbitrary<Node> treesLinkingOutside() {
    // Links into a directory outside the restored tree, and to names inside it that the
    // archive's own entries use, so that a restore following a link would write there.
    String outside = temp.resolve(OUTSIDE).toString();
    Arbitrary<Node> links =
        Arbitraries.oneOf(Arbitraries.just(""), names().map(name -> "/" + name))
            .map(name -> new Link(outside + name));
    return tree(smallContents(), links);
  }

  @Provide
  Arbitrary<Node> trees() {
    // Large contents come from a seed, since generating them byte by byte is slow; they cross
    // the reader's buffer boundaries.
    Arbitrary<byte[]> large =
        Combinators.combine(Arbitraries.integers().between(0, 300_000), Arbitraries.longs())
            .as(NarPropertiesTest::randomBytes);
    return tree(Arbitraries.frequencyOf(Tuple.of(30, smallContents()), Tuple.of(1, large)));
  }

  @Provide
  Arbitrary<Node> smallTrees() {
    // Small files only, so that mutations land in the structure as often as in contents.
    return tree(smallContents());
  }

  @Provide
  Arbitrary<ByteMutation> mutations() {
    return ByteMutation.any();
  }

  private static Arbitrary<Node> tree(Arbitrary<byte[]> contents) {
    return tree(contents, links());
  }

  private static Arbitrary<Node> tree(Arbitrary<byte[]> contents, Arbitrary<Node> links) {
    // Mostly directories at the root: they give the archive the most structure.
    Arbitrary<Node> dirs = dirs(3, contents, links);
    return Arbitraries.frequencyOf(Tuple.of(4, dirs), Tuple.of(1, node(3, contents, links)));
  }

  private static Arbitrary<Node> node(
      int depth, Arbitrary<byte[]> contents, Arbitrary<Node> links) {
    Arbitrary<Node> files =
        Combinators.combine(contents, Arbitraries.of(true, false)).as(File::new);
    if (depth == 0) {
      return Arbitraries.frequencyOf(Tuple.of(3, files), Tuple.of(1, links));
    }
    return Arbitraries.frequencyOf(
        Tuple.of(2, files), Tuple.of(1, links), Tuple.of(2, dirs(depth, contents, links)));
  }

  private static Arbitrary<Node> dirs(
      int depth, Arbitrary<byte[]> contents, Arbitrary<Node> links) {
    return Arbitraries.maps(names(), Arbitraries.lazy(() -> node(depth - 1, contents, links)))
        .ofMaxSize(5)
        .map(Dir::new);
  }

  private static Arbitrary<byte[]> smallContents() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
  }

  private static Arbitrary<Node> links() {
    Arbitrary<String> texts =
        Arbitraries.strings().withChars("ab./\u00e9\u2603 -").ofMinLength(1).ofMaxLength(20);
    // Paths of '..', '.' and names, so that many targets climb and many come back down.
    Arbitrary<String> climbs =
        Arbitraries.of("..", ".", "a", "b")
            .list()
            .ofMinSize(1)
            .ofMaxSize(6)
            .map(components -> String.join("/", components));
    return Arbitraries.frequencyOf(Tuple.of(2, texts), Tuple.of(1, climbs))
        .filter(target -> Path.of(target).toString().equals(target))
        .map(Link::new);
  }

  /**
   * Tells whether a relative link in {@code node}, found at {@code path} below the item's root,
   * passes above the root (or, for an item that is a link, above the store directory) at some step
   * of its target.
   */
  private static boolean climbsAboveTheRoot(Node node, List<String> path) {
    if (node instanceof Dir dir) {
      return dir.entries().entrySet().stream()
          .anyMatch(
              entry -> {
                List<String> child = new ArrayList<>(path);
                child.add(entry.getKey());
                return climbsAboveTheRoot(entry.getValue(), child);
              });
    }
    if (!(node instanceof Link link) || link.target().startsWith("/")) {
      return false;
    }

    Path root = path.isEmpty() ? Path.of("store") : Path.of("store", "item");
    Path directory = path.isEmpty() ? root : root.resolve(String.join("/", path)).getParent();
    Path step = directory;
    for (String component : link.target().split("/")) {
      step = step.resolve(component).normalize();
      if (!step.startsWith(root)) {
        return true;
      }
    }
    return false;
  }

  private static Arbitrary<String> names() {
    return Arbitraries.strings()
        .withChars("abczAZ09 .-_\u00e9\u2603\u65e5")
        .ofMinLength(1)
        .ofMaxLength(8)
        .filter(name -> !name.equals(".") && !name.equals(".."));
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /** Encodes {@code tree} as a NAR from the format's rules, independently of the writer. */
  static byte[] encode(Node tree) {
    NarBytes nar = NarBytes.nar();
    encode(tree, nar);
    return nar.bytes();
  }

  private static void encode(Node node, NarBytes nar) {
    nar.add("(", "type");
    if (node instanceof File file) {
      nar.add("regular");
      if (file.executable()) {
        nar.add("executable", "");
      }
      nar.add("contents").add(file.contents());
    } else if (node instanceof Link link) {
      nar.add("symlink", "target", link.target());
    } else if (node instanceof Dir dir) {
      nar.add("directory");
      List<Map.Entry<String, Node>> entries = new ArrayList<>(dir.entries().entrySet());
      entries.sort(Comparator.comparing(e -> utf8(e.getKey()), Arrays::compareUnsigned));
      for (Map.Entry<String, Node> entry : entries) {
        nar.entry(entry.getKey());
        encode(entry.getValue(), nar);
        nar.end();
      }
    }
    nar.end();
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static void materialize(Node node, Path path) throws IOException {
    if (node instanceof File file) {
      Files.write(path, file.contents());
      String mode = file.executable() ? "rwxr-xr-x" : "rw-r--r--";
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(mode));
    } else if (node instanceof Link link) {
      Files.createSymbolicLink(path, Path.of(link.target()));
    } else if (node instanceof Dir dir) {
      Files.createDirectory(path);
      for (Map.Entry<String, Node> entry : dir.entries().entrySet()) {
        materialize(entry.getValue(), path.resolve(entry.getKey()));
      }
    }
  }

  private static byte[] write(Path root) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    NarWriter.write(root, out);
    return out.toByteArray();
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
