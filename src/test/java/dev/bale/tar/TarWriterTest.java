package dev.bale.tar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bale.testing.Program;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarWriterTest {
  @TempDir Path temp;

  private static byte[] archive(List<TarEntry> entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarWriter writer = new TarWriter(bytes)) {
      for (TarEntry entry : entries) {
        writer.write(entry);
      }
    }
    return bytes.toByteArray();
  }

  private static List<TarArchiveEntry> read(byte[] tar) throws IOException {
    List<TarArchiveEntry> entries = new ArrayList<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        entries.add(e);
      }
    }
    return entries;
  }

  @Test
  void write_fileGoneSinceScanned_namesIt() throws IOException {
    Path file = Files.writeString(temp.resolve("f"), "hello");
    List<TarEntry> entries = TreeScanner.scan(file, "f");
    Files.delete(file);

    assertThatThrownBy(() -> archive(entries))
        .isInstanceOf(IOException.class)
        .hasMessage("cannot archive '" + file + "': it no longer exists");
  }

  @Test
  void write_entries_haveFixedTimesOwnersAndStoreModes() throws IOException {
    Path file = Files.writeString(temp.resolve("f"), "hello");
    byte[] tar =
        archive(
            List.of(
                TarEntry.directory("d", 0555),
                TarEntry.file("d/f", 04555, 5, file),
                TarEntry.symlink("d/l", "/gnu/store/x")));

    List<TarArchiveEntry> entries = read(tar);
    assertThat(entries).extracting(TarArchiveEntry::getName).containsExactly("d/", "d/f", "d/l");
    for (TarArchiveEntry entry : entries) {
      assertThat(entry.getModTime().getTime()).isEqualTo(1000);
      assertThat(entry.getLongUserId()).isZero();
      assertThat(entry.getLongGroupId()).isZero();
      assertThat(entry.getUserName()).isEmpty();
      assertThat(entry.getGroupName()).isEmpty();
    }
    assertThat(entries.get(0).getMode() & 07777).isEqualTo(0555);
    assertThat(entries.get(1).getMode() & 07777).isEqualTo(04555);
    assertThat(entries.get(1).getSize()).isEqualTo(5);
    assertThat(entries.get(2).isSymbolicLink()).isTrue();
    assertThat(entries.get(2).getLinkName()).isEqualTo("/gnu/store/x");
    assertThat(tar.length % 512).isZero();
    assertThat((long) tar.length)
        .isEqualTo(
            TarWriter.archiveSize(
                List.of(
                    TarEntry.directory("d", 0555),
                    TarEntry.file("d/f", 04555, 5, file),
                    TarEntry.symlink("d/l", "/gnu/store/x"))));
  }

  @Test
  void write_longNamesAndTargets_useGnuLongLinkEntriesThatGnuTarReads()
      throws IOException, InterruptedException {
    String longName = "gnu/store/" + "a".repeat(150) + "/" + "é".repeat(60);
    String longTarget = "/gnu/store/" + "b".repeat(200);
    Path file = Files.writeString(temp.resolve("f"), "x".repeat(1000));
    List<TarEntry> entries =
        List.of(TarEntry.file(longName, 0444, 1000, file), TarEntry.symlink("link", longTarget));
    byte[] tar = archive(entries);

    assertThat((long) tar.length).isEqualTo(TarWriter.archiveSize(entries));
    List<TarArchiveEntry> read = read(tar);
    assertThat(read).extracting(TarArchiveEntry::getName).containsExactly(longName, "link");
    assertThat(read.get(1).getLinkName()).isEqualTo(longTarget);
    assertThat(new String(tar, 0, 13, StandardCharsets.US_ASCII)).isEqualTo("././@LongLink");

    Path archive = Files.write(temp.resolve("a.tar"), tar);
    Program.require("tar", "tar");
    String listing =
        Program.run(
                List.of("tar", "-tf", archive.toString()),
                java.util.Map.of("LC_ALL", "C.UTF-8"),
                null)
            .checked()
            .stdout();
    assertThat(listing).isEqualTo(longName + "\nlink\n");
  }

  @Test
  void scan_hardLinks_becomeTwoFullFilesWithoutTimes() throws IOException {
    Path item = Files.createDirectories(temp.resolve("item"));
    Files.writeString(item.resolve("a"), "shared bytes");
    Files.createLink(item.resolve("b"), item.resolve("a"));

    List<TarEntry> entries = new ArrayList<>(TreeScanner.scan(item, "item"));
    entries.sort(TarEntry.BYTE_ORDER);
    byte[] tar = archive(entries);

    List<TarArchiveEntry> read = read(tar);
    assertThat(read)
        .extracting(TarArchiveEntry::getName)
        .containsExactly("item/", "item/a", "item/b");
    assertThat(read.subList(1, 3))
        .allSatisfy(
            e -> {
              assertThat(e.isFile()).isTrue();
              assertThat(e.getSize()).isEqualTo(12);
            });
    // The GNU access and change time fields stay empty in every header.
    for (int header : new int[] {0, 512, 1536}) {
      assertThat(tar[header]).isEqualTo((byte) 'i');
      for (int i = 345; i < 369; i++) {
        assertThat(tar[header + i]).isZero();
      }
    }
  }

  @Test
  void write_hugeSize_usesBase256() {
    byte[] header = TarWriter.fileHeader("big", 0444, 1L << 40);
    assertThat(header[124] & 0xff).isEqualTo(0x80);
    assertThat(header[124 + 6] & 0xff).isEqualTo(1);
  }

  @Test
  void write_fileThatShrank_fails() throws IOException {
    Path file = Files.writeString(temp.resolve("f"), "abc");
    assertThatThrownBy(() -> archive(List.of(TarEntry.file("f", 0444, 10, file))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("shrank");
  }

  @Test
  void write_sameEntriesTwice_givesSameBytes() throws IOException {
    Path file = Files.writeString(temp.resolve("f"), "same");
    List<TarEntry> entries = List.of(TarEntry.file("f", 0444, 4, file));
    assertThat(archive(entries)).isEqualTo(archive(entries));
  }

  @Test
  void byteOrder_sortsByUtf8Bytes() {
    List<TarEntry> entries =
        new ArrayList<>(
            List.of(
                TarEntry.directory("a/b", 0555),
                TarEntry.directory("a-c", 0555),
                TarEntry.directory("a", 0555),
                TarEntry.directory("\uffff", 0555),
                TarEntry.directory("\ud83d\ude00", 0555)));
    entries.sort(TarEntry.BYTE_ORDER);
    assertThat(entries)
        .extracting(TarEntry::name)
        .containsExactly("a", "a-c", "a/b", "\uffff", "\ud83d\ude00");
  }

  @Test
  void scan_tree_listsEveryEntryWithItsMode() throws IOException {
    Path root = Files.createDirectories(temp.resolve("item/bin"));
    Files.writeString(root.resolve("tool"), "#!/bin/sh\n");
    Files.createSymbolicLink(root.resolve("alias"), Path.of("tool"));
    Files.setPosixFilePermissions(
        root.resolve("tool"), PosixFilePermissions.fromString("r-xr-xr-x"));

    List<TarEntry> entries = new ArrayList<>(TreeScanner.scan(temp.resolve("item"), "s/item"));
    entries.sort(TarEntry.BYTE_ORDER);
    assertThat(entries)
        .extracting(TarEntry::name)
        .containsExactly("s/item", "s/item/bin", "s/item/bin/alias", "s/item/bin/tool");
    assertThat(entries.get(3).mode()).isEqualTo(0555);
    assertThat(entries.get(3).size()).isEqualTo(10);
    assertThat(entries.get(2).linkTarget()).isEqualTo("tool");
  }

  @Test
  void scan_eachPermissionBit_givesItsOctalValue() throws IOException {
    Path root = Files.createDirectories(temp.resolve("bits"));
    for (int bit = 0; bit < 9; bit++) {
      Path file = Files.writeString(root.resolve("f" + bit), "x");
      Files.setPosixFilePermissions(file, permissions(0400 >> bit));
    }
    Files.setPosixFilePermissions(root, permissions(0751));

    List<TarEntry> entries = new ArrayList<>(TreeScanner.scan(root, "bits"));
    entries.sort(TarEntry.BYTE_ORDER);
    assertThat(entries.get(0).mode()).isEqualTo(0751);
    for (int bit = 0; bit < 9; bit++) {
      assertThat(entries.get(bit + 1).name()).isEqualTo("bits/f" + bit);
      assertThat(entries.get(bit + 1).mode()).isEqualTo(0400 >> bit);
    }
    Files.setPosixFilePermissions(root, permissions(0755));
  }

  /** Returns the permissions of the octal {@code mode}, as chmod reads it. */
  private static Set<PosixFilePermission> permissions(int mode) {
    StringBuilder text = new StringBuilder();
    String letters = "rwxrwxrwx";
    for (int i = 0; i < 9; i++) {
      text.append((mode & (0400 >> i)) != 0 ? letters.charAt(i) : '-');
    }
    return PosixFilePermissions.fromString(text.toString());
  }
}
