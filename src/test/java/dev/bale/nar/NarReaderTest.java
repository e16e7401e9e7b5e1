package dev.bale.nar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.bale.hash.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NarReaderTest {
  /** A directory holding every kind of node; its strings are the basis of the hostile cases. */
  private static final NarBytes SAMPLE =
      NarBytes.nar()
          .add("(", "type", "directory")
          .entry("a")
          .file("hello")
          .end()
          .entry("b")
          .executable("#!/bin/sh\n")
          .end()
          .entry("c")
          .symlink("a")
          .end()
          .entry("d")
          .add("(", "type", "directory")
          .entry("e")
          .file("")
          .end()
          .end()
          .end()
          .entry("f")
          .add("(", "type", "directory", ")")
          .end()
          .end();

  private static final byte[] CLOSE = {')'};

  // Hostile and damaged archives restored by the tests below, and how many were refused.
  private static final AtomicInteger TRIED = new AtomicInteger();
  private static final AtomicInteger REJECTED = new AtomicInteger();

  @TempDir(factory = MemoryTempDir.class)
  Path temp;

  @AfterAll
  static void printCounts() {
    System.out.printf(
        "NarReaderTest: %d hostile or damaged NARs tried, %d rejected cleanly%n",
        TRIED.get(), REJECTED.get());
  }

  @Test
  void sample_isWhatTheWriterWrites() throws IOException {
    Path root = temp.resolve("tree");
    Files.createDirectories(root.resolve("d"));
    Files.createDirectories(root.resolve("f"));
    Files.writeString(root.resolve("a"), "hello");
    Files.writeString(root.resolve("b"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(root.resolve("b"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createSymbolicLink(root.resolve("c"), Path.of("a"));
    Files.createFile(root.resolve("d/e"));

    assertThat(write(root)).isEqualTo(SAMPLE.bytes());
  }

  @Test
  void restore_sample_givesTreeHashAndSize() throws IOException {
    byte[] nar = SAMPLE.bytes();
    Path target = temp.resolve("out");

    NarSummary summary = NarReader.restore(new ByteArrayInputStream(nar), target);

    assertThat(summary).isEqualTo(new NarSummary(Digest.of(nar), nar.length));
    assertThat(NarReader.verify(new ByteArrayInputStream(nar))).isEqualTo(summary);
    assertThat(target.resolve("a")).hasContent("hello");
    assertThat(Files.isExecutable(target.resolve("b"))).isTrue();
    assertThat(Files.isExecutable(target.resolve("a"))).isFalse();
    assertThat(Files.readSymbolicLink(target.resolve("c"))).isEqualTo(Path.of("a"));
    assertThat(Files.getPosixFilePermissions(target.resolve("d")))
        .isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThat(Files.getPosixFilePermissions(target.resolve("d/e")))
        .isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(write(target)).isEqualTo(nar);
  }

  @Test
  void restore_readsNoByteAfterTheArchive() throws IOException {
    byte[] nar = SAMPLE.bytes();
    byte[] trailer = "more export data".getBytes(StandardCharsets.US_ASCII);
    InputStream in = new ByteArrayInputStream(concat(nar, trailer));

    NarReader.restore(in, temp.resolve("out"));
    assertThat(in.readAllBytes()).isEqualTo(trailer);

    InputStream again = new ByteArrayInputStream(concat(nar, trailer));
    NarReader.verify(again);
    assertThat(again.readAllBytes()).isEqualTo(trailer);
  }

  @Test
  void restore_streamGivingOneByteAtATime_works() throws IOException {
    byte[] nar = SAMPLE.bytes();
    InputStream trickle =
        new FilterInputStream(new ByteArrayInputStream(nar)) {
          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, 1));
          }
        };

    NarSummary summary = NarReader.restore(trickle, temp.resolve("out"));

    assertThat(summary.hash()).isEqualTo(Digest.of(nar));
    assertThat(write(temp.resolve("out"))).isEqualTo(nar);
  }

  @Test
  void restore_largeFile_crossesBufferBoundaries() throws IOException {
    byte[] contents = new byte[(1 << 17) * 3 + 5];
    for (int i = 0; i < contents.length; i++) {
      contents[i] = (byte) (i * 31 + i / 7);
    }
    byte[] nar = NarBytes.nar().add("(", "type", "regular", "contents").add(contents).end().bytes();
    Path target = temp.resolve("big");

    NarReader.restore(new ByteArrayInputStream(nar), target);

    assertThat(Files.readAllBytes(target)).isEqualTo(contents);
    assertThat(write(target)).isEqualTo(nar);
  }

  @Test
  void restore_existingTarget_isRefusedAndLeftAlone() throws IOException {
    Path target = temp.resolve("out");
    Files.writeString(target, "mine");

    assertThatThrownBy(() -> NarReader.restore(new ByteArrayInputStream(SAMPLE.bytes()), target))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining("cannot restore a NAR over an existing file");
    assertThat(target).hasContent("mine");
  }

  @Test
  void restore_everyTruncation_isRejectedAndLeavesNothing() throws IOException {
    byte[] nar = SAMPLE.bytes();
    int rejected = 0;
    for (int length = 0; length < nar.length; length++) {
      byte[] truncated = Arrays.copyOf(nar, length);
      NarFormatException e = rejectedByRestore(truncated);
      assertThat(e.getMessage()).matches("bad NAR at byte \\d+: the archive ends .*");
      assertThat(e.offset()).isEqualTo(length);
      rejectedByVerify(truncated);
      rejected++;
    }
    assertThat(rejected).isEqualTo(nar.length).isEqualTo(1232);
  }

  @Test
  void restore_everyNonZeroPaddingByte_isRejectedAtItsOffset() throws IOException {
    List<byte[]> strings = SAMPLE.list();
    List<Integer> offsets = NarBytes.paddingOffsets(strings);
    for (int offset : offsets) {
      byte[] nar = NarBytes.encode(strings);
      nar[offset] = (byte) 0x80;

      NarFormatException e = rejectedByRestore(nar);
      assertThat(e.getMessage()).contains("padding after").endsWith("is not zero");
      assertThat(e.offset()).isEqualTo(offset);
      rejectedByVerify(nar);
    }
    assertThat(offsets).hasSize(370);
  }

  @Test
  void restore_everyTokenReplaced_isRejected() throws IOException {
    List<byte[]> strings = SAMPLE.list();
    int rejected = 0;
    for (int i = 0; i < strings.size(); i++) {
      if (isData(strings.get(i))) {
        continue;
      }
      List<byte[]> changed = new ArrayList<>(strings);
      changed.set(i, "bogus".getBytes(StandardCharsets.US_ASCII));

      NarFormatException e = rejectedByRestore(NarBytes.encode(changed));
      assertThat(e.getMessage()).contains("'bogus'");
      rejected++;
    }
    assertThat(rejected).isEqualTo(64);
  }

  @Test
  void restore_everyStringDropped_isRejected() throws IOException {
    List<byte[]> strings = SAMPLE.list();
    for (int i = 0; i < strings.size(); i++) {
      List<byte[]> changed = new ArrayList<>(strings);
      changed.remove(i);

      rejectedByRestore(NarBytes.encode(changed));
      rejectedByVerify(NarBytes.encode(changed));
    }
    assertThat(strings).hasSize(75);
  }

  @Test
  void restore_everyStringRepeated_isRejectedOrEndsTheArchiveEarly() throws IOException {
    List<byte[]> strings = SAMPLE.list();
    int rejected = 0;
    int endedEarly = 0;
    for (int i = 0; i < strings.size(); i++) {
      List<byte[]> changed = new ArrayList<>(strings);
      changed.add(i, strings.get(i));
      byte[] nar = NarBytes.encode(changed);
      Path target = temp.resolve("out");

      // A repeated ')' may close the root early, and what follows is then data after the
      // archive, left unread; repeating any other string breaks the archive.
      if (!Arrays.equals(strings.get(i), CLOSE)) {
        rejectedByRestore(nar);
        rejected++;
      } else if (tryRestore(nar, target) instanceof NarSummary summary) {
        assertThat(summary.size()).isLessThan(nar.length);
        assertThat(write(target)).isEqualTo(Arrays.copyOf(nar, (int) summary.size()));
        deleteTree(target);
        endedEarly++;
      } else {
        assertThat(Files.exists(target, LinkOption.NOFOLLOW_LINKS)).isFalse();
        rejected++;
      }
    }
    assertThat(rejected + endedEarly).isEqualTo(strings.size()).isEqualTo(75);
    assertThat(endedEarly).isEqualTo(13);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void restore_malformed_isRejectedAndLeavesNothing(String what, byte[] nar, String message)
      throws IOException {
    assertThat(rejectedByRestore(nar)).hasMessageContaining(message);
    assertThat(rejectedByVerify(nar)).hasMessageContaining(message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unrestorable")
  void restore_validButUnrestorable_isRejectedAndLeavesNothing(
      String what, byte[] nar, String message) throws IOException {
    assertThat(rejectedByRestore(nar))
        .hasMessageStartingWith("cannot restore NAR at byte ")
        .hasMessageContaining(message);
    assertThat(NarReader.verify(new ByteArrayInputStream(nar)).size()).isEqualTo(nar.length);
  }

  @Test
  void restore_dotDotName_namesItsOffset() {
    NarBytes nar = NarBytes.nar().add("(", "type", "directory").entry("..").file("x").end().end();
    int offset = encodedLength(NarBytes.nar().add("(", "type", "directory", "entry", "(", "name"));

    NarFormatException e = rejectedByRestore(nar.bytes());

    assertThat(e).hasMessage("bad NAR at byte " + offset + ": entry name '..' is not allowed");
  }

  @Test
  void restore_symlinkThenSameNameAsDirectory_writesNothingOutside() throws IOException {
    Path outside = Files.createDirectory(temp.resolve("outside"));
    NarBytes nar =
        NarBytes.nar()
            .add("(", "type", "directory")
            .entry("a")
            .symlink(outside.toString())
            .end()
            .entry("a")
            .add("(", "type", "directory")
            .entry("planted")
            .file("x")
            .end()
            .end()
            .end()
            .end();

    assertThat(rejectedByRestore(nar.bytes())).hasMessageContaining("'a' appears twice");
    try (Stream<Path> children = Files.list(outside)) {
      assertThat(children).isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("climbingTargets")
  void restore_symlinkClimbingAboveTheRoot_isRefusedAndWritesNothing(
      String what, byte[] nar, String message) throws IOException {
    assertThat(rejectedByRestore(nar)).hasMessageEndingWith(message);
    assertThat(NarReader.verify(new ByteArrayInputStream(nar)).size()).isEqualTo(nar.length);
    try (Stream<Path> left = Files.list(temp)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void restore_deepSymlinkClimbingExactlyToTheRoot_isAccepted_andOneMoreRefused()
      throws IOException {
    byte[] toRoot = linkIn("../..", "d", "e", "l").bytes();
    Path target = temp.resolve("out");
    NarReader.restore(new ByteArrayInputStream(toRoot), target);
    assertThat(Files.readSymbolicLink(target.resolve("d/e/l"))).hasToString("../..");
    assertThat(write(target)).isEqualTo(toRoot);
    deleteTree(target);

    byte[] aboveRoot = linkIn("../../..", "d", "e", "l").bytes();
    assertThat(rejectedByRestore(aboveRoot))
        .hasMessageEndingWith(
            "symlink 'd/e/l' has target '../../..', which climbs above the item's root");
  }

  @Test
  void restore_absoluteLinkThenFurtherEntries_neverWritesThroughTheLink() throws IOException {
    Path outside = Files.createDirectory(temp.resolve("outside"));
    String link = outside.toString();
    List<NarBytes> archives =
        List.of(
            // Accepted: the link is restored as a link, and the entries after it beside it.
            directory(
                NarBytes.strings()
                    .entry("a")
                    .symlink(link)
                    .end()
                    .entry("b")
                    .add("(", "type", "directory")
                    .entry("planted")
                    .file("x")
                    .end()
                    .end()
                    .end()
                    .entry("c")
                    .symlink(link + "/planted")
                    .end()),
            // Refused: the same name again, as a directory or a file.
            directory(
                NarBytes.strings()
                    .entry("a")
                    .symlink(link)
                    .end()
                    .entry("a")
                    .add("(", "type", "directory")
                    .entry("planted")
                    .file("x")
                    .end()
                    .end()
                    .end()),
            directory(NarBytes.strings().entry("a").symlink(link).end().entry("a").file("x").end()),
            // Accepted: the item is the link, and what follows its NAR is never read.
            NarBytes.nar()
                .symlink(link)
                .add("(", "type", "directory")
                .entry("planted")
                .file("x")
                .end()
                .end());

    List<Object> outcomes = new ArrayList<>();
    for (NarBytes nar : archives) {
      Path target = temp.resolve("out" + outcomes.size());
      Object outcome = tryRestore(nar.bytes(), target);
      outcomes.add(outcome instanceof NarFormatException ? "refused" : "restored");
      try (Stream<Path> children = Files.list(outside)) {
        assertThat(children).isEmpty();
      }
    }

    assertThat(outcomes).containsExactly("restored", "refused", "refused", "restored");
    assertThat(Files.readSymbolicLink(temp.resolve("out0/a"))).isEqualTo(outside);
    assertThat(temp.resolve("out0/b/planted")).hasContent("x");
    assertThat(Files.readSymbolicLink(temp.resolve("out3"))).isEqualTo(outside);
  }

  @Test
  void restore_nestingAtTheLimit_isAccepted_andOneDeeperRejected() throws IOException {
    byte[] atLimit = nested(NarReader.MAX_DEPTH);
    NarReader.restore(new ByteArrayInputStream(atLimit), temp.resolve("deep"));
    assertThat(write(temp.resolve("deep"))).isEqualTo(atLimit);

    assertThat(rejectedByRestore(nested(NarReader.MAX_DEPTH + 1)))
        .hasMessageContaining("nested more than 512 deep");
  }

  @Test
  void restore_longestNameAndTarget_areAccepted() throws IOException {
    String name = "n".repeat(NarReader.MAX_NAME_LENGTH);
    String target = "t".repeat(NarReader.MAX_TARGET_LENGTH);
    byte[] nar =
        NarBytes.nar()
            .add("(", "type", "directory")
            .entry(name)
            .symlink(target)
            .end()
            .end()
            .bytes();

    NarReader.restore(new ByteArrayInputStream(nar), temp.resolve("out"));

    assertThat(Files.readSymbolicLink(temp.resolve("out").resolve(name))).hasToString(target);
    assertThat(write(temp.resolve("out"))).isEqualTo(nar);
  }

  static Stream<Arguments> malformed() {
    List<Arguments> cases = new ArrayList<>();
    byte[] regular = NarBytes.strings().file("x").bytes();

    // The magic.
    cases.add(bad("empty input", new byte[0], "the archive ends early"));
    cases.add(bad("other version", strings("nix-archive-2").file("x"), "not a NAR"));
    cases.add(bad("upper case magic", strings("NIX-ARCHIVE-1").file("x"), "not a NAR"));
    cases.add(bad("empty magic", strings("").file("x"), "not a NAR"));
    cases.add(bad("no magic", regular, "not a NAR: it starts with '('"));
    cases.add(bad("huge magic", concat(NarBytes.u64(1L << 40), regular), "a string of"));
    cases.add(bad("text file", "hello world, not a NAR".getBytes(), "a string of"));

    // Node types and tokens.
    cases.add(bad("type file", node("file"), "unknown node type 'file'"));
    cases.add(bad("type empty", node(""), "unknown node type ''"));
    cases.add(bad("type Regular", node("Regular"), "unknown node type 'Regular'"));
    cases.add(bad("type with NUL", node("regular\0"), "unknown node type 'regular\\x00'"));
    cases.add(bad("bracket", nar("[", "type", "regular", "contents", "x", ")"), "expected '('"));
    cases.add(bad("kind", nar("(", "kind", "regular", "contents", "x", ")"), "expected 'type'"));
    cases.add(bad("content", nar("(", "type", "regular", "content", "x", ")"), "found 'content'"));
    cases.add(bad("executable 1", nar("(", "type", "regular", "executable", "1"), "followed by"));
    cases.add(bad("targets", nar("(", "type", "symlink", "targets", "x", ")"), "'target'"));
    cases.add(bad("entries", directory(strings("entries")), "expected 'entry' or ')'"));
    cases.add(bad("nam", directory(strings("entry", "(", "nam", "a")), "expected 'name'"));
    cases.add(bad("nodes", directory(strings("entry", "(", "name", "a", "nodes")), "'node'"));
    cases.add(bad("long token", concat(nar("("), NarBytes.u64(17)), "a string of 17 bytes"));
    cases.add(
        bad("token length 2^64-1", concat(nar("("), NarBytes.u64(-1)), "18446744073709551615"));

    // Missing tokens.
    cases.add(bad("no '('", nar("type", "regular", "contents", "x", ")"), "found 'type'"));
    cases.add(bad("no 'type'", nar("(", "regular", "contents", "x", ")"), "found 'regular'"));
    cases.add(bad("no 'contents'", nar("(", "type", "regular", "x", ")"), "found 'x'"));
    cases.add(bad("no ')'", nar("(", "type", "regular", "contents", "x"), "ends early"));
    cases.add(bad("no 'name'", directory(strings("entry", "(", "a", "node").file("x")), "'a'"));
    cases.add(bad("no 'node'", directory(strings("entry", "(", "name", "a").file("x")), "'('"));
    cases.add(bad("no entry '('", directory(strings("entry", "name", "a")), "found 'name'"));
    cases.add(bad("no 'target'", nar("(", "type", "symlink", ")"), "expected 'target'"));
    cases.add(bad("no executable ''", nar("(", "type", "regular", "executable", "contents"), "''"));
    cases.add(
        bad(
            "no node ')' in entry",
            directory(
                strings("entry", "(", "name", "a", "node", "(", "type", "regular", "contents")
                    .add("x", ")")),
            "ends early"));
    cases.add(
        bad(
            "no entry ')'",
            directory(strings().entry("a").file("x").entry("b").file("y").end()),
            "expected ')', found 'entry'"));

    // Extra tokens.
    cases.add(
        bad(
            "executable twice",
            nar("(", "type", "regular", "executable", "", "executable", "", "contents", "x", ")"),
            "expected 'contents', found 'executable'"));
    cases.add(
        bad(
            "contents twice",
            nar("(", "type", "regular", "contents", "x", "contents", "y", ")"),
            "expected ')', found 'contents'"));
    cases.add(
        bad(
            "two targets",
            nar("(", "type", "symlink", "target", "a", "target", "b", ")"),
            "expected ')', found 'target'"));
    cases.add(bad("type twice", nar("(", "type", "type", "regular"), "unknown node type 'type'"));
    cases.add(
        bad(
            "extra in entry",
            directory(strings().entry("a").file("x").add("extra").end()),
            "expected ')', found 'extra'"));
    cases.add(
        bad(
            "contents in directory",
            nar("(", "type", "directory", "contents", "x", ")"),
            "expected 'entry' or ')', found 'contents'"));
    cases.add(
        bad(
            "entry in file",
            nar("(", "type", "regular", "entry"),
            "expected 'executable' or 'contents', found 'entry'"));
    cases.add(
        bad(
            "executable symlink",
            nar("(", "type", "symlink", "executable", "", "target", "a", ")"),
            "expected 'target', found 'executable'"));

    // Entry names.
    cases.add(bad("empty name", entry(""), "entry name '' is empty"));
    cases.add(bad("dot", entry("."), "entry name '.' is not allowed"));
    cases.add(bad("dot dot", entry(".."), "entry name '..' is not allowed"));
    cases.add(bad("slash", entry("a/b"), "entry name 'a/b' contains '/'"));
    cases.add(bad("only slash", entry("/"), "contains '/'"));
    cases.add(bad("climbing", entry("../../etc"), "contains '/'"));
    cases.add(bad("absolute", entry("/etc/passwd"), "contains '/'"));
    cases.add(bad("NUL", entry("a\0b"), "entry name 'a\\x00b' contains a NUL byte"));
    cases.add(bad("name of 256 bytes", entry("n".repeat(256)), "longer than the 255 allowed"));
    cases.add(
        bad(
            "name length 2^64-1",
            concat(nar("(", "type", "directory", "entry", "(", "name"), NarBytes.u64(-1)),
            "entry name of 18446744073709551615 bytes"));

    // Entry order.
    cases.add(bad("duplicate", entries("a", "a"), "entry name 'a' appears twice"));
    cases.add(bad("unsorted", entries("b", "a"), "'a' comes after 'b'"));
    cases.add(bad("upper after lower", entries("a", "B"), "'B' comes after 'a'"));
    cases.add(bad("unsigned order", entries("\u00e9", "z"), "'z' comes after '\u00e9'"));
    cases.add(bad("prefix after longer", entries("ab", "a"), "'a' comes after 'ab'"));

    // Symlink targets.
    cases.add(bad("empty target", strings(NarFormat.MAGIC).symlink(""), "symlink target is empty"));
    cases.add(bad("NUL target", strings(NarFormat.MAGIC).symlink("a\0"), "contains a NUL byte"));
    cases.add(
        bad(
            "target of 4096 bytes",
            strings(NarFormat.MAGIC).symlink("t".repeat(4096)),
            "symlink target of 4096 bytes is longer than the 4095 allowed"));
    cases.add(
        bad(
            "target length 2^63",
            concat(nar("(", "type", "symlink", "target"), NarBytes.u64(Long.MIN_VALUE)),
            "9223372036854775808 bytes"));

    // File contents.
    cases.add(
        bad(
            "size 2^64-1",
            concat(nar("(", "type", "regular", "contents"), NarBytes.u64(-1)),
            "file size 18446744073709551615 is impossibly large"));
    cases.add(
        bad(
            "size 2^62 with 3 bytes",
            concat(
                nar("(", "type", "regular", "contents"), NarBytes.u64(1L << 62), "abc".getBytes()),
            "the archive ends 4611686018427387901 bytes before the end of a file"));

    // Padding.
    byte[] padded = strings(NarFormat.MAGIC).file("x").bytes();
    padded[padded.length - 17] = 1;
    cases.add(bad("padding in contents", padded, "padding after file contents is not zero"));

    return cases.stream();
  }

  static Stream<Arguments> unrestorable() {
    return Stream.of(
        bad("Latin-1 name", entry(new byte[] {'c', 'a', 'f', (byte) 0xe9}), "'caf\\xE9'"),
        bad("overlong '/'", entry(new byte[] {(byte) 0xc0, (byte) 0xaf}), "not valid UTF-8"),
        bad("surrogate", entry(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}), "UTF-8"),
        bad(
            "Latin-1 target",
            strings(NarFormat.MAGIC)
                .add("(", "type", "symlink", "target")
                .add(new byte[] {(byte) 0xff})
                .end(),
            "symlink target '\\xFF' is not valid UTF-8"),
        bad("path too long", deepLongNames(20), "would be longer than the 4095 bytes"),
        bad("repeated slash", strings(NarFormat.MAGIC).symlink("a//b"), "repeated or trailing"),
        bad("trailing slash", strings(NarFormat.MAGIC).symlink("lib/"), "repeated or trailing"));
  }

  static Stream<Arguments> climbingTargets() {
    String above = ", which climbs above the item's root";
    return Stream.of(
        bad("'..' in the root", linkIn("..", "l"), "symlink 'l' has target '..'" + above),
        bad("'../x'", linkIn("../x", "l"), "symlink 'l' has target '../x'" + above),
        bad("'a/../../x'", linkIn("a/../../x", "l"), "target 'a/../../x'" + above),
        bad("'./../x'", linkIn("./../x", "l"), "target './../x'" + above),
        bad("back in", linkIn("../out/x", "l"), "symlink 'l' has target '../out/x'" + above),
        bad("one deep", linkIn("../../x", "d", "l"), "symlink 'd/l' has target '../../x'" + above),
        bad(
            "'..' from the item itself",
            NarBytes.nar().symlink("../etc/passwd"),
            "the item is a symlink to '../etc/passwd', which climbs above the store directory"));
  }

  /** Returns a NAR holding only the directories on the way to a symlink at {@code path}. */
  private static NarBytes linkIn(String target, String... path) {
    NarBytes nar = NarBytes.nar();
    for (String name : path) {
      nar.add("(", "type", "directory").entry(name);
    }
    nar.symlink(target);
    for (int i = 0; i < path.length; i++) {
      nar.end().end();
    }
    return nar;
  }

  private static Arguments bad(String what, NarBytes nar, String message) {
    return bad(what, nar.bytes(), message);
  }

  private static Arguments bad(String what, byte[] nar, String message) {
    return Arguments.of(what, nar, message);
  }

  private static NarBytes strings(String... texts) {
    return NarBytes.strings().add(texts);
  }

  private static byte[] nar(String... texts) {
    return NarBytes.nar().add(texts).bytes();
  }

  private static byte[] node(String type) {
    return nar("(", "type", type, "contents", "x", ")");
  }

  private static NarBytes directory(NarBytes entries) {
    return NarBytes.nar().add("(", "type", "directory").add(entries).end();
  }

  private static NarBytes entry(String name) {
    return directory(NarBytes.strings().entry(name).file("x").end());
  }

  private static NarBytes entry(byte[] name) {
    return directory(NarBytes.strings().entry(name).file("x").end());
  }

  private static NarBytes entries(String first, String second) {
    return directory(NarBytes.strings().entry(first).file("1").end().entry(second).file("2").end());
  }

  private static byte[] nested(int directories) {
    NarBytes nar = NarBytes.nar();
    for (int i = 0; i < directories; i++) {
      nar.add("(", "type", "directory").entry("d");
    }
    nar.file("bottom");
    for (int i = 0; i < directories; i++) {
      nar.end().end();
    }
    return nar.bytes();
  }

  private static NarBytes deepLongNames(int directories) {
    NarBytes nar = NarBytes.nar();
    for (int i = 0; i < directories; i++) {
      nar.add("(", "type", "directory").entry("n".repeat(NarReader.MAX_NAME_LENGTH));
    }
    nar.file("bottom");
    for (int i = 0; i < directories; i++) {
      nar.end().end();
    }
    return nar;
  }

  private static boolean isData(byte[] string) {
    String text = new String(string, StandardCharsets.UTF_8);
    return !List.of("nix-archive-1", "(", ")", "type", "regular", "directory", "symlink")
            .contains(text)
        && !List.of("entry", "name", "node", "contents", "executable", "target").contains(text);
  }

  private static int encodedLength(NarBytes nar) {
    return nar.bytes().length;
  }

  /** Returns the summary of a restore, or the NarFormatException that stopped it. */
  private static Object tryRestore(byte[] nar, Path target) throws IOException {
    TRIED.incrementAndGet();
    try {
      return NarReader.restore(new ByteArrayInputStream(nar), target);
    } catch (NarFormatException e) {
      REJECTED.incrementAndGet();
      return e;
    }
  }

  private NarFormatException rejectedByRestore(byte[] nar) {
    Path target = temp.resolve("out");
    TRIED.incrementAndGet();
    Throwable thrown =
        catchThrowable(() -> NarReader.restore(new ByteArrayInputStream(nar), target));

    assertThat(thrown).isExactlyInstanceOf(NarFormatException.class);
    REJECTED.incrementAndGet();
    assertThat(thrown).hasMessageMatching("(bad NAR|cannot restore NAR) at byte \\d+: .+");
    assertThat(Files.exists(target, LinkOption.NOFOLLOW_LINKS))
        .as("left behind after %s", thrown.getMessage())
        .isFalse();
    return (NarFormatException) thrown;
  }

  private static NarFormatException rejectedByVerify(byte[] nar) {
    Throwable thrown = catchThrowable(() -> NarReader.verify(new ByteArrayInputStream(nar)));
    assertThat(thrown).isExactlyInstanceOf(NarFormatException.class);
    return (NarFormatException) thrown;
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

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
