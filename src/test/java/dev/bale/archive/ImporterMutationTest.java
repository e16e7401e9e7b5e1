package dev.bale.archive;

import static dev.bale.archive.ExportFixtures.addClosure;
import static dev.bale.archive.ExportFixtures.export;
import static dev.bale.archive.ExportFixtures.store;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.event.EventSink;
import dev.bale.store.LocalStore;
import dev.bale.store.StorePath;
import dev.bale.store.Verifier;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
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

  @BeforeContainer
  static void exportClosure() throws Exception {
    temp = Files.createTempDirectory("bale-mutation");
    try (LocalStore source = store(temp.resolve("source"), "/gnu/store")) {
      archive = export(source, addClosure(source, temp.resolve("work")).all());
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

  @Provide
  Arbitrary<Integer> offsets() {
    return Arbitraries.integers().between(0, archive.length - 1);
  }

  @Provide
  Arbitrary<Byte> bytes() {
    return Arbitraries.bytes();
  }
}
