package dev.bale.archive;

import static dev.bale.archive.ExportFixtures.addClosure;
import static dev.bale.archive.ExportFixtures.export;
import static dev.bale.archive.ExportFixtures.store;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.bale.event.EventSink;
import dev.bale.hash.Digest;
import dev.bale.nar.NarWriter;
import dev.bale.store.LocalStore;
import dev.bale.store.PathInfo;
import dev.bale.store.StorePath;
import dev.bale.store.Verifier;
import dev.bale.testing.ByteMutation;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Imports damaged archives: each import either fails with a format or archive error in one line and
 * leaves the store exactly as it was, or succeeds with items whose trees dump to exactly the NARs
 * the damaged archive encodes, read here by the format's rules alone. An import that runs past a
 * time limit fails its try, so that no archive can make the importer hang.
 */
class ImporterMutationTest {
  // Every import takes milliseconds; a loaded machine stays far below this.
  private static final Duration TRY_TIME_LIMIT = Duration.ofSeconds(20);

  private static Path temp;
  private static byte[] archive;
  private static byte[] small;
  private static byte[] signed;
  private static SigningKey key;
  private static LocalStore target;
  private static StoreState empty;
  private static int stores;
  private static int tried;
  private static int refused;

  /** What an archive encodes for one item, read without bale's readers. */
  record Encoded(String path, byte[] nar, List<String> references) {}

  @BeforeContainer
  static void exportClosure() throws Exception {
    // In memory when the machine has a tmpfs: thousands of imports create and delete directories.
    Path memory = Path.of("/dev/shm");
    temp =
        Files.isDirectory(memory) && Files.isWritable(memory)
            ? Files.createTempDirectory(memory, "bale-mutation")
            : Files.createTempDirectory("bale-mutation");
    try (LocalStore source = store(temp.resolve("source"), "/gnu/store")) {
      List<StorePath> closure = addClosure(source, temp.resolve("work")).all();
      archive = export(source, closure);
      key = SigningKey.generate();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      new ExportWriter(source, key, EventSink.DISCARD).write(closure, out);
      signed = out.toByteArray();
    }
    try (LocalStore source = store(temp.resolve("small-source"), "/gnu/store")) {
      small = export(source, addSmallClosure(source, temp.resolve("small-work")));
    }
    newTarget();
  }

  @AfterContainer
  static void deleteTemporaryFiles() throws Exception {
    System.out.printf(
        "ImporterMutationTest: %d damaged exports tried, %d refused cleanly, %d imported exactly"
            + " as they encode%n",
        tried, refused, tried - refused);
    target.close();
    try (Stream<Path> walk = Files.walk(temp)) {
      for (Path path : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        path.toFile().setWritable(true);
        Files.delete(path);
      }
    }
  }

  /**
   * Adds a closure of small items, so that changes land in the archive's structure (markers,
   * lengths, tokens, paths, references) as often as in file contents.
   */
  private static List<StorePath> addSmallClosure(LocalStore store, Path work) throws Exception {
    Path base = Files.createDirectories(work.resolve("base/share"));
    Files.writeString(base.resolve("data"), "base data\n");
    Files.createSymbolicLink(base.resolve("link"), Path.of("data"));
    Files.createDirectories(work.resolve("base/empty"));
    StorePath basePath = store.add(work.resolve("base"), "base-1");

    Path tool = Files.createDirectories(work.resolve("tool"));
    Files.writeString(tool.resolve("run"), "#!/bin/sh\nexec " + basePath + "/share/data\n");
    Files.setPosixFilePermissions(
        tool.resolve("run"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createSymbolicLink(tool.resolve("base"), Path.of(basePath.toString()));
    StorePath toolPath = store.add(tool, "tool-2");

    Path app = Files.writeString(work.resolve("app"), "app uses " + toolPath + "\n");
    return List.of(basePath, toolPath, store.add(app, "app"));
  }

  /** Replaces the store imports go to, once one has succeeded: failures share one store. */
  private static void newTarget() throws Exception {
    if (target != null) {
      target.close();
    }
    target = store(temp.resolve("target-" + stores++), "/gnu/store");
    empty = StoreState.of(target);
  }

  @Property(tries = 1000, seed = "20261204")
  void importArchive_mutated_isRefusedOrImportsExactlyWhatItEncodes(
      @ForAll boolean large, @ForAll("mutations") ByteMutation mutation) throws Exception {
    // Mostly the small archive: in the large one most changes land in one big file.
    byte[] mutated = mutation.apply(large && mutation.where() < 0.1 ? archive : small);

    List<StorePath> imported;
    try {
      imported = importUnsigned(mutated);
    } catch (ExportFormatException | ArchiveException e) {
      assertThat(e.getMessage()).doesNotContain("\n");
      assertThat(StoreState.of(target)).isEqualTo(empty);
      Statistics.label("outcome").collect(mutation.kind(), "refused");
      return;
    }

    List<Encoded> encoded = decode(mutated);
    assertThat(imported)
        .map(StorePath::toString)
        .isEqualTo(encoded.stream().map(Encoded::path).toList());
    for (int i = 0; i < imported.size(); i++) {
      StorePath path = imported.get(i);
      byte[] nar = encoded.get(i).nar();
      ByteArrayOutputStream dumped = new ByteArrayOutputStream();
      NarWriter.write(target.physicalPath(path), dumped);
      assertThat(dumped.toByteArray()).isEqualTo(nar);
      PathInfo info = target.pathInfo(path).orElseThrow();
      assertThat(info.narHash()).isEqualTo(Digest.of(nar));
      assertThat(info.narSize()).isEqualTo(nar.length);
      assertThat(info.references())
          .map(StorePath::toString)
          .containsExactlyInAnyOrderElementsOf(encoded.get(i).references());
    }
    assertThat(Verifier.verify(target, target.validPaths(), EventSink.DISCARD)).isEmpty();
    Statistics.label("outcome").collect(mutation.kind(), "imported");
    newTarget();
  }

  @Example
  void importArchive_truncatedAtEveryOffset_isRefusedAndChangesNothing() throws Exception {
    for (int length = 0; length < small.length; length++) {
      byte[] truncated = Arrays.copyOf(small, length);
      int at = length;
      assertThatThrownBy(() -> importUnsigned(truncated))
          .as("truncated to %d bytes", at)
          .isInstanceOf(ExportFormatException.class)
          .hasMessageStartingWith("bad export archive at byte ")
          .message()
          .doesNotContain("\n");
      assertThat(StoreState.of(target)).as("truncated to %d bytes", at).isEqualTo(empty);
    }
  }

  private static List<StorePath> importUnsigned(byte[] archive) throws Exception {
    return importWithinTimeLimit(SignaturePolicy.allowingUnsigned(), archive);
  }

  /**
   * Imports {@code archive} into the target store in a thread of its own: an import that runs for
   * longer than the time limit fails the try, rather than hanging the build.
   */
  private static List<StorePath> importWithinTimeLimit(SignaturePolicy policy, byte[] archive)
      throws Exception {
    Importer importer = new Importer(target, policy, EventSink.DISCARD);
    tried++;
    try {
      return assertTimeoutPreemptively(
          TRY_TIME_LIMIT, () -> importer.importArchive(new ByteArrayInputStream(archive)));
    } catch (Exception e) {
      if (e instanceof ExportFormatException || e instanceof ArchiveException) {
        refused++;
      }
      throw e;
    }
  }

  /** Reads what {@code archive}, which bale imported, encodes, by the export and NAR rules. */
  private static List<Encoded> decode(byte[] archive) {
    ByteBuffer in = ByteBuffer.wrap(archive).order(ByteOrder.LITTLE_ENDIAN);
    List<Encoded> items = new ArrayList<>();
    while (in.getLong() == 1) {
      int start = in.position();
      skipNar(in);
      byte[] nar = Arrays.copyOfRange(archive, start, in.position());
      assertThat(in.getLong()).isEqualTo(0x4558494eL);
      String path = text(in);
      List<String> references = new ArrayList<>();
      for (long count = in.getLong(); count > 0; count--) {
        references.add(text(in));
      }
      text(in);
      if (in.getLong() == 1) {
        text(in);
      }
      items.add(new Encoded(path, nar, references));
    }
    assertThat(in.hasRemaining()).isFalse();
    return items;
  }

  /** Moves past one NAR: strings, with names, targets and contents skipped as data. */
  private static void skipNar(ByteBuffer in) {
    text(in);
    int depth = 0;
    do {
      switch (text(in)) {
        case "(" -> depth++;
        case ")" -> depth--;
        case "contents", "target", "name" -> text(in);
        default -> {}
      }
    } while (depth > 0);
  }

  private static String text(ByteBuffer in) {
    byte[] bytes = new byte[Math.toIntExact(in.getLong())];
    in.get(bytes);
    in.position(in.position() + (-bytes.length & 7));
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  /**
   * Changes one byte of a signed archive outside the signatures' text (where a changed space or the
   * case of a hexadecimal digit changes nothing): every such import is refused.
   */
  @Property(tries = 40, seed = "20261203")
  void importArchive_signedWithOneByteChanged_isRefusedAndChangesNothing(
      @ForAll("signedOffsets") int offset, @ForAll("bytes") byte value) throws Exception {
    Assume.that(signed[offset] != value && !insideSignatureText(offset));
    byte[] mutated = signed.clone();
    mutated[offset] = value;
    SignaturePolicy policy =
        new SignaturePolicy(AuthorizedKeys.of(List.of(key.publicKey())), false);

    assertThatThrownBy(() -> importWithinTimeLimit(policy, mutated))
        .isInstanceOfAny(ExportFormatException.class, ArchiveException.class)
        .message()
        .doesNotContain("\n");
    assertThat(StoreState.of(target)).isEqualTo(empty);
  }

  private static boolean insideSignatureText(int offset) {
    byte[] start = "(signature".getBytes(StandardCharsets.US_ASCII);
    for (int i = offset; i >= 0 && offset - i < 1024; i--) {
      if (Arrays.equals(
          signed, i, Math.min(i + start.length, signed.length), start, 0, start.length)) {
        int length = (int) (signed[i - 8] & 0xff | (signed[i - 7] & 0xff) << 8);
        return offset < i + length;
      }
    }
    return false;
  }

  @Provide
  Arbitrary<Integer> signedOffsets() {
    return Arbitraries.integers().between(0, signed.length - 1);
  }

  @Provide
  Arbitrary<ByteMutation> mutations() {
    return ByteMutation.any();
  }

  @Provide
  Arbitrary<Byte> bytes() {
    return Arbitraries.bytes();
  }
}
