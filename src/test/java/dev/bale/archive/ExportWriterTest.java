package dev.bale.archive;

import static dev.bale.archive.ExportFixtures.addClosure;
import static dev.bale.archive.ExportFixtures.export;
import static dev.bale.archive.ExportFixtures.store;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bale.archive.ExportFixtures.Closure;
import dev.bale.nar.NarWriter;
import dev.bale.store.LocalStore;
import dev.bale.store.PathInfo;
import dev.bale.store.StorePath;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportWriterTest {
  @TempDir Path temp;

  @Test
  void write_closure_listsReferencesBeforeReferrers() throws Exception {
    try (LocalStore store = store(temp.resolve("store"), "/gnu/store")) {
      Closure closure = addClosure(store, temp.resolve("work"));

      byte[] archive = export(store, List.of(closure.app(), closure.lib(), closure.tool()));

      List<StorePath> order = new ArrayList<>();
      ExportReader reader = new ExportReader(new ByteArrayInputStream(archive), "/gnu/store");
      for (int i = 0; ; i++) {
        Optional<ExportedItem> item = reader.next(temp.resolve("restored-" + i));
        if (item.isEmpty()) {
          break;
        }
        order.add(item.get().path());
      }
      assertThat(order).containsExactly(closure.lib(), closure.tool(), closure.app());
    }
  }

  @Test
  void write_item_isNarThenTrailerThenEndMarker() throws Exception {
    try (LocalStore store = store(temp.resolve("store"), "/gnu/store")) {
      Closure closure = addClosure(store, temp.resolve("work"));
      PathInfo info = store.pathInfo(closure.tool()).orElseThrow();

      byte[] archive = export(store, List.of(closure.tool()));

      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      expected.write(u64(1));
      NarWriter.write(store.physicalPath(closure.tool()), expected);
      expected.write(u64(0x4558494eL));
      expected.write(string(closure.tool().toString()));
      expected.write(u64(1));
      expected.write(string(closure.lib().toString()));
      expected.write(string(""));
      expected.write(u64(0));
      expected.write(u64(0));
      assertThat(archive).isEqualTo(expected.toByteArray());
      assertThat(info.references()).containsExactly(closure.lib());
    }
  }

  @Test
  void write_itemNotValid_isRefused() throws Exception {
    try (LocalStore store = store(temp.resolve("store"), "/gnu/store")) {
      StorePath unknown =
          StorePath.parse("/gnu/store", "/gnu/store/00000000000000000000000000000000-gone");

      assertThatThrownBy(() -> export(store, List.of(unknown)))
          .isInstanceOf(ArchiveException.class)
          .hasMessage("cannot export '" + unknown + "': it is not a valid item of the store");
    }
  }

  @Test
  void write_itemChangedAfterRegistration_isRefused() throws Exception {
    try (LocalStore store = store(temp.resolve("store"), "/gnu/store")) {
      Closure closure = addClosure(store, temp.resolve("work"));
      Path data = store.physicalPath(closure.lib()).resolve("data");
      Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.writeString(data, "jello\n");

      assertThatThrownBy(() -> export(store, List.of(closure.lib())))
          .isInstanceOf(ArchiveException.class)
          .hasMessageStartingWith(
              "cannot export '" + closure.lib() + "': its tree no longer matches the NAR hash");
    }
  }

  @Test
  void write_itemTreeMissing_isRefused() throws Exception {
    try (LocalStore store = store(temp.resolve("store"), "/gnu/store")) {
      Closure closure = addClosure(store, temp.resolve("work"));
      Path tree = store.physicalPath(closure.app());
      Files.delete(tree);

      assertThatThrownBy(() -> export(store, List.of(closure.app())))
          .isInstanceOf(ArchiveException.class)
          .hasMessage(
              "cannot export '"
                  + closure.app()
                  + "': its tree (or part of it) is missing from '"
                  + tree
                  + "'; the store is damaged, run 'bale verify'");
    }
  }

  @Test
  void write_nothing_isOnlyTheEndMarker() throws Exception {
    try (LocalStore store = store(temp.resolve("store"), "/gnu/store")) {
      assertThat(export(store, Set.of())).isEqualTo(u64(0));
    }
  }

  @Test
  void write_narHashes_matchTheStore() throws Exception {
    try (LocalStore store = store(temp.resolve("store"), "/gnu/store")) {
      Closure closure = addClosure(store, temp.resolve("work"));

      byte[] archive = export(store, closure.all());

      ExportReader reader = new ExportReader(new ByteArrayInputStream(archive), "/gnu/store");
      for (StorePath path : List.of(closure.lib(), closure.tool(), closure.app())) {
        ExportedItem item = reader.next(temp.resolve(path.name())).orElseThrow();
        PathInfo info = store.pathInfo(path).orElseThrow();
        assertThat(item.nar().hash()).isEqualTo(info.narHash());
        assertThat(item.nar().size()).isEqualTo(info.narSize());
        assertThat(item.references()).isEqualTo(info.references());
        assertThat(NarWriter.summarize(temp.resolve(path.name())).hash()).isEqualTo(info.narHash());
      }
      assertThat(reader.next(temp.resolve("after-end"))).isEmpty();
      assertThat(temp.resolve("after-end")).doesNotExist();
    }
  }

  static byte[] u64(long value) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
  }

  static byte[] string(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int padded = (bytes.length + 7) / 8 * 8;
    ByteBuffer buffer = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    buffer.putLong(bytes.length).put(bytes);
    return buffer.array();
  }
}
