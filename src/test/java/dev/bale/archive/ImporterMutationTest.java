package dev.bale.archive;

import static dev.bale.archive.ExportFixtures.addClosure;
import static dev.bale.archive.ExportFixtures.export;
import static dev.bale.archive.ExportFixtures.store;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bale.event.EventSink;
import dev.bale.store.LocalStore;
import dev.bale.store.StorePath;
import dev.bale.store.Verifier;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Imports archives with one byte changed: each import either succeeds with items that verify, or
 * fails with a format or archive error and leaves the store exactly as it was.
 */
class ImporterMutationTest {
  private static Path temp;
  private static byte[] archive;
  private static byte[] signed;
  private static SigningKey key;

  @BeforeContainer
  static void exportClosure() throws Exception {
    temp = Files.createTempDirectory("bale-mutation");
    try (LocalStore source = store(temp.resolve("source"), "/gnu/store")) {
      List<StorePath> closure = addClosure(source, temp.resolve("work")).all();
      archive = export(source, closure);
      key = SigningKey.generate();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      new ExportWriter(source, key, EventSink.DISCARD).write(closure, out);
      signed = out.toByteArray();
    }
  }

  @AfterContainer
  static void deleteTemporaryFiles() throws IOException {
    try (Stream<Path> walk = Files.walk(temp)) {
      for (Path path : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        path.toFile().setWritable(true);
        Files.delete(path);
      }
    }
  }

  @Property(tries = 60, seed = "20261203")
  void importArchive_oneByteChanged_importsConsistentlyOrChangesNothing(
      @ForAll("offsets") int offset, @ForAll("bytes") byte value) throws Exception {
    byte[] mutated = archive.clone();
    mutated[offset] = value;
    Path root = Files.createTempDirectory(temp, "target");
    try (LocalStore target = store(root, "/gnu/store")) {
      StoreState before = StoreState.of(target);

      try {
        new Importer(target, SignaturePolicy.allowingUnsigned(), EventSink.DISCARD)
            .importArchive(new ByteArrayInputStream(mutated));
      } catch (ExportFormatException | ArchiveException e) {
        assertThat(e.getMessage()).doesNotContain("\n");
        assertThat(StoreState.of(target)).isEqualTo(before);
        return;
      }

      assertThat(Verifier.verify(target, target.validPaths(), EventSink.DISCARD)).isEmpty();
      for (StorePath path : target.validPaths()) {
        assertThat(target.references(path)).isSubsetOf(target.validPaths());
      }
    }
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
    Path root = Files.createTempDirectory(temp, "signed");
    try (LocalStore target = store(root, "/gnu/store")) {
      StoreState before = StoreState.of(target);
      SignaturePolicy policy =
          new SignaturePolicy(AuthorizedKeys.of(List.of(key.publicKey())), false);

      assertThatThrownBy(
              () ->
                  new Importer(target, policy, EventSink.DISCARD)
                      .importArchive(new ByteArrayInputStream(mutated)))
          .isInstanceOfAny(ExportFormatException.class, ArchiveException.class)
          .message()
          .doesNotContain("\n");
      assertThat(StoreState.of(target)).isEqualTo(before);
    }
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
  Arbitrary<Integer> offsets() {
    return Arbitraries.integers().between(0, archive.length - 1);
  }

  @Provide
  Arbitrary<Byte> bytes() {
    return Arbitraries.bytes();
  }
}
