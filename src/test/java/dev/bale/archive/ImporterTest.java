package dev.bale.archive;

import static dev.bale.archive.ExportFixtures.addClosure;
import static dev.bale.archive.ExportFixtures.export;
import static dev.bale.archive.ExportFixtures.indexOf;
import static dev.bale.archive.ExportFixtures.store;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bale.archive.ExportFixtures.Closure;
import dev.bale.event.EventSink;
import dev.bale.event.Level;
import dev.bale.nar.NarWriter;
import dev.bale.store.LocalStore;
import dev.bale.store.PathInfo;
import dev.bale.store.StorePath;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImporterTest {
  @TempDir Path temp;

  private Closure closure;
  private byte[] archive;
  private List<PathInfo> exported;

  @BeforeEach
  void exportClosure() throws Exception {
    try (LocalStore source = store(temp.resolve("source"), "/gnu/store")) {
      closure = addClosure(source, temp.resolve("work"));
      archive = export(source, closure.all());
      exported = new ArrayList<>();
      for (StorePath path : closure.all()) {
        exported.add(source.pathInfo(path).orElseThrow());
      }
    }
  }

  @Test
  void importArchive_closure_registersEveryItemAsExported() throws Exception {
    try (LocalStore target = store(temp.resolve("target"), "/gnu/store")) {
      List<StorePath> imported = importInto(target, archive);

      assertThat(imported).containsExactly(closure.lib(), closure.tool(), closure.app());
      for (PathInfo info : exported) {
        PathInfo copy = target.pathInfo(info.path()).orElseThrow();
        assertThat(copy.narHash()).isEqualTo(info.narHash());
        assertThat(copy.narSize()).isEqualTo(info.narSize());
        assertThat(copy.references()).isEqualTo(info.references());
        assertThat(NarWriter.summarize(target.physicalPath(info.path())).hash())
            .isEqualTo(info.narHash());
      }
      assertThat(target.requisites(List.of(closure.app())))
          .containsExactlyElementsOf(
              List.of(closure.app(), closure.lib(), closure.tool()).stream().sorted().toList());
    }
  }

  @Test
  void importArchive_exportedAgain_isByteIdentical() throws Exception {
    try (LocalStore target = store(temp.resolve("target"), "/gnu/store")) {
      importInto(target, archive);

      assertThat(export(target, closure.all())).isEqualTo(archive);
    }
  }

  @Test
  void importArchive_twice_changesNothingTheSecondTime() throws Exception {
    try (LocalStore target = store(temp.resolve("target"), "/gnu/store")) {
      importInto(target, archive);
      StoreState before = StoreState.of(target);

      List<StorePath> again = importInto(target, archive);

      assertThat(again).containsExactly(closure.lib(), closure.tool(), closure.app());
      assertThat(StoreState.of(target)).isEqualTo(before);
    }
  }

  @Test
  void importArchive_validItemWithOtherTree_keepsItAndWarns() throws Exception {
    byte[] changed = archive.clone();
    int hello = indexOf(changed, "hello\n");
    changed[hello] = 'j';
    List<String> warnings = new ArrayList<>();
    try (LocalStore target = store(temp.resolve("target"), "/gnu/store")) {
      importInto(target, archive);
      StoreState before = StoreState.of(target);

      new Importer(target, SignaturePolicy.allowingUnsigned(), collecting(warnings))
          .importArchive(new ByteArrayInputStream(changed));

      assertThat(StoreState.of(target)).isEqualTo(before);
      assertThat(warnings)
          .singleElement()
          .asString()
          .startsWith("WARN '" + closure.lib() + "' is valid already with NAR hash");
    }
  }

  @Test
  void importArchive_truncated_leavesStoreUnchanged() throws Exception {
    try (LocalStore target = store(temp.resolve("target"), "/gnu/store")) {
      StoreState before = StoreState.of(target);

      for (int length = 0; length < archive.length; length += 1 + length / 3) {
        byte[] truncated = Arrays.copyOf(archive, length);

        assertThatThrownBy(() -> importInto(target, truncated))
            .as("archive cut to %d bytes", length)
            .isInstanceOf(ExportFormatException.class)
            .hasMessageStartingWith("bad export archive at byte ");
        assertThat(StoreState.of(target)).isEqualTo(before);
      }
    }
  }

  @Test
  void importArchive_lastByteMissing_leavesStoreUnchanged() throws Exception {
    try (LocalStore target = store(temp.resolve("target"), "/gnu/store")) {
      StoreState before = StoreState.of(target);

      assertThatThrownBy(() -> importInto(target, Arrays.copyOf(archive, archive.length - 1)))
          .isInstanceOf(ExportFormatException.class)
          .hasMessageContaining("the archive ends inside an item marker");
      assertThat(StoreState.of(target)).isEqualTo(before);
    }
  }

  @Test
  void importArchive_brokenNarStructure_isRefused() throws Exception {
    byte[] broken = archive.clone();
    broken[indexOf(broken, "regular")] = 'X';
    try (LocalStore target = store(temp.resolve("target"), "/gnu/store")) {
      StoreState before = StoreState.of(target);

      assertThatThrownBy(() -> importInto(target, broken))
          .isInstanceOf(ExportFormatException.class)
          .hasMessageContaining("the NAR of item 1 is damaged");
      assertThat(StoreState.of(target)).isEqualTo(before);
    }
  }

  @Test
  void importArchive_referenceNotInArchive_isRefused() throws Exception {
    int secondItem = itemOffsets(archive).get(1);
    byte[] withoutLib = Arrays.copyOfRange(archive, secondItem, archive.length);
    try (LocalStore target = store(temp.resolve("target"), "/gnu/store")) {
      StoreState before = StoreState.of(target);

      assertThatThrownBy(() -> importInto(target, withoutLib))
          .isInstanceOf(ArchiveException.class)
          .hasMessage(
              "cannot import '"
                  + closure.tool()
                  + "': its reference '"
                  + closure.lib()
                  + "' is neither valid nor earlier in the archive");
      assertThat(StoreState.of(target)).isEqualTo(before);
    }
  }

  @Test
  void importArchive_referenceAlreadyValid_isAccepted() throws Exception {
    int secondItem = itemOffsets(archive).get(1);
    byte[] libOnly = Arrays.copyOf(archive, secondItem + 8);
    Arrays.fill(libOnly, secondItem, secondItem + 8, (byte) 0);
    byte[] rest = Arrays.copyOfRange(archive, secondItem, archive.length);
    try (LocalStore target = store(temp.resolve("target"), "/gnu/store")) {
      importInto(target, libOnly);

      assertThat(importInto(target, rest)).containsExactly(closure.tool(), closure.app());
      assertThat(target.validPaths()).containsExactlyInAnyOrderElementsOf(closure.all());
    }
  }

  @Test
  void importArchive_otherStoreDirectory_isRefused() throws Exception {
    try (LocalStore target = store(temp.resolve("target"), "/nix/store")) {
      StoreState before = StoreState.of(target);

      assertThatThrownBy(() -> importInto(target, archive))
          .isInstanceOf(ArchiveException.class)
          .hasMessage(
              "cannot import item 1: its store path '"
                  + closure.lib()
                  + "' is not in the store directory '/nix/store'; import the archive into a"
                  + " store whose directory is '/gnu/store'");
      assertThat(StoreState.of(target)).isEqualTo(before);
    }
  }

  @Test
  void importArchive_signatureFlagWithoutSignature_isRefused() throws Exception {
    // The flag says a signature follows, so the end marker is read as its (empty) length.
    byte[] signed = archive.clone();
    signed[signed.length - 16] = 1;
    try (LocalStore target = store(temp.resolve("target"), "/gnu/store")) {
      StoreState before = StoreState.of(target);

      assertThatThrownBy(() -> importInto(target, signed))
          .isInstanceOf(ExportFormatException.class)
          .hasMessageEndingWith("the archive ends inside an item marker");
      assertThat(StoreState.of(target)).isEqualTo(before);
    }
  }

  @Test
  void importArchive_dataAfterEndMarker_isRefused() throws Exception {
    byte[] longer = Arrays.copyOf(archive, archive.length + 1);
    try (LocalStore target = store(temp.resolve("target"), "/gnu/store")) {
      StoreState before = StoreState.of(target);

      assertThatThrownBy(() -> importInto(target, longer))
          .isInstanceOf(ExportFormatException.class)
          .hasMessage(
              "bad export archive at byte "
                  + archive.length
                  + ": data follows the end marker after 3 items");
      assertThat(StoreState.of(target)).isEqualTo(before);
    }
  }

  @Test
  void importArchive_itemMarkerZeroedMidway_isRefused() throws Exception {
    byte[] cut = archive.clone();
    cut[itemOffsets(archive).get(2)] = 0;
    try (LocalStore target = store(temp.resolve("target"), "/gnu/store")) {
      StoreState before = StoreState.of(target);

      assertThatThrownBy(() -> importInto(target, cut))
          .isInstanceOf(ExportFormatException.class)
          .hasMessageContaining("data follows the end marker after 2 items");
      assertThat(StoreState.of(target)).isEqualTo(before);
    }
  }

  @Test
  void importArchive_sameItemTwiceWithOtherTree_isRefused() throws Exception {
    int secondItem = itemOffsets(archive).get(1);
    byte[] lib = Arrays.copyOfRange(archive, 0, secondItem);
    byte[] otherLib = lib.clone();
    otherLib[indexOf(otherLib, "hello\n")] = 'j';
    byte[] twice = concat(lib, otherLib, new byte[8]);
    try (LocalStore target = store(temp.resolve("target"), "/gnu/store")) {
      StoreState before = StoreState.of(target);

      assertThatThrownBy(() -> importInto(target, twice))
          .isInstanceOf(ArchiveException.class)
          .hasMessage(
              "cannot import '"
                  + closure.lib()
                  + "': it appears twice in the archive with"
                  + " different trees");
      assertThat(StoreState.of(target)).isEqualTo(before);
    }
  }

  @Test
  void importArchive_sameItemTwice_isImportedOnce() throws Exception {
    List<Integer> items = itemOffsets(archive);
    byte[] lib = Arrays.copyOfRange(archive, 0, items.get(1));
    byte[] twice = concat(lib, archive);
    try (LocalStore target = store(temp.resolve("target"), "/gnu/store")) {
      List<StorePath> imported = importInto(target, twice);

      assertThat(imported).containsExactly(closure.lib(), closure.tool(), closure.app());
      assertThat(target.validPaths()).containsExactlyInAnyOrderElementsOf(closure.all());
    }
  }

  private static List<StorePath> importInto(LocalStore store, byte[] bytes) throws Exception {
    return new Importer(store, SignaturePolicy.allowingUnsigned(), EventSink.DISCARD)
        .importArchive(new ByteArrayInputStream(bytes));
  }

  /** Returns the offset of each item marker, found by reading the archive item by item. */
  private List<Integer> itemOffsets(byte[] bytes) throws Exception {
    List<Integer> offsets = new ArrayList<>();
    int offset = 0;
    for (int i = 0; i < 3; i++) {
      offsets.add(offset);
      byte[] rest = Arrays.copyOfRange(bytes, offset, bytes.length);
      CountingInput counting = new CountingInput(rest);
      new ExportReader(counting, "/gnu/store").next(temp.resolve("offsets-" + offset));
      offset += counting.consumed();
    }
    return offsets;
  }

  /** Counts what a reader takes from a byte array. */
  private static final class CountingInput extends ByteArrayInputStream {
    private final int length;

    CountingInput(byte[] bytes) {
      super(bytes);
      this.length = bytes.length;
    }

    int consumed() {
      return length - available();
    }
  }

  private static byte[] concat(byte[]... parts) {
    int length = Arrays.stream(parts).mapToInt(part -> part.length).sum();
    byte[] all = new byte[length];
    int offset = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, offset, part.length);
      offset += part.length;
    }
    return all;
  }

  private static EventSink collecting(List<String> messages) {
    return new EventSink() {
      @Override
      public synchronized void log(Level level, String message) {
        if (level == Level.WARN) {
          messages.add(level + " " + message);
        }
      }

      @Override
      public void progress(String task, long done, long total) {}
    };
  }
}
