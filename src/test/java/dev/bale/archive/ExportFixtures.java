package dev.bale.archive;

import dev.bale.event.EventSink;
import dev.bale.store.LocalStore;
import dev.bale.store.StoreException;
import dev.bale.store.StorePath;
import dev.bale.store.Stores;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.List;

/** Embedded stores in temporary directories and a small closure to export from them. */
final class ExportFixtures {
  private ExportFixtures() {}

  /** Opens (creating it) an embedded store under {@code root} with logical {@code directory}. */
  static LocalStore store(Path root, String directory) throws StoreException {
    return Stores.openLocal("local?root=" + root + "&store-dir=" + directory);
  }

  /** The three items of {@link #addClosure}, each referring to the ones before it. */
  record Closure(StorePath lib, StorePath tool, StorePath app) {
    List<StorePath> all() {
      return List.of(lib, tool, app);
    }
  }

  /**
   * Adds three items to {@code store}: a library directory with an executable, an empty file, an
   * empty directory and a file longer than one buffer; a tool referring to it by a file and a
   * symlink; and an app referring to both.
   */
  static Closure addClosure(LocalStore store, Path work) throws IOException, StoreException {
    Path lib = Files.createDirectories(work.resolve("lib"));
    Files.createDirectories(lib.resolve("empty-dir"));
    Files.writeString(lib.resolve("data"), "hello\n");
    Files.setPosixFilePermissions(
        lib.resolve("data"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.write(lib.resolve("empty-file"), new byte[0]);
    byte[] big = new byte[200_003];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31 + i / 7);
    }
    Files.write(lib.resolve("big"), big);
    StorePath libPath = store.add(lib, "lib-1.0");

    Path tool = Files.createDirectories(work.resolve("tool/bin"));
    Files.writeString(tool.resolve("tool"), "#!/bin/sh\ncat " + libPath + "/data\n");
    Files.createSymbolicLink(work.resolve("tool/lib"), Path.of(libPath.toString()));
    StorePath toolPath = store.add(work.resolve("tool"), "tool-2.0");

    Path app = work.resolve("app");
    Files.writeString(app, "uses " + toolPath + " and " + libPath + "\n");
    StorePath appPath = store.add(app, "app");
    return new Closure(libPath, toolPath, appPath);
  }

  /** Returns the export of {@code paths} from {@code store}. */
  static byte[] export(LocalStore store, Collection<StorePath> paths)
      throws IOException, StoreException, ArchiveException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new ExportWriter(store, EventSink.DISCARD).write(paths, out);
    return out.toByteArray();
  }

  /** Returns the offset of the first occurrence of {@code text} in {@code bytes}, or -1. */
  static int indexOf(byte[] bytes, String text) {
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    outer:
    for (int i = 0; i + needle.length <= bytes.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (bytes[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
