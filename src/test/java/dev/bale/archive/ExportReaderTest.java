package dev.bale.archive;

import static dev.bale.archive.ExportWriterTest.string;
import static dev.bale.archive.ExportWriterTest.u64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bale.nar.NarWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportReaderTest {
  private static final String PATH = "/gnu/store/0123456789abcdfghijklmnpqrsvwxyz-greeting";

  @TempDir Path temp;

  /** Returns one item holding a small file, with {@code trailer} after its NAR. */
  private byte[] item(byte[]... trailer) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(u64(1));
    NarWriter.write(Files.writeString(temp.resolve("greeting"), "hello\n"), out);
    for (byte[] part : trailer) {
      out.write(part);
    }
    return out.toByteArray();
  }

  private ExportReader reader(byte[] archive) {
    return new ExportReader(new ByteArrayInputStream(archive), "/gnu/store");
  }

  @Test
  void next_wellFormedItem_givesPathReferencesDeriverAndNar() throws Exception {
    String deriver = "/gnu/store/0123456789abcdfghijklmnpqrsvwxyz-greeting.drv";
    byte[] archive =
        item(u64(0x4558494eL), string(PATH), u64(1), string(PATH), string(deriver), u64(0), u64(0));

    ExportReader reader = reader(archive);
    ExportedItem item = reader.next(temp.resolve("restored")).orElseThrow();

    assertThat(item.path().toString()).isEqualTo(PATH);
    assertThat(item.references()).containsExactly(item.path());
    assertThat(item.deriver()).isEqualTo(deriver);
    assertThat(item.nar()).isEqualTo(NarWriter.summarize(temp.resolve("greeting")));
    assertThat(Files.readString(temp.resolve("restored"))).isEqualTo("hello\n");
    assertThat(reader.next(temp.resolve("none"))).isEmpty();
    assertThat(reader.offset()).isEqualTo(archive.length);
  }

  @Test
  void next_wrongMarkerAfterNar_isFormatError() throws Exception {
    byte[] archive = item(u64(0x4558494fL));

    assertThatThrownBy(() -> reader(archive).next(temp.resolve("restored")))
        .isInstanceOf(ExportFormatException.class)
        .hasMessage(
            "bad export archive at byte "
                + (archive.length - 8)
                + ": expected the marker NIXE after the NAR of item 1, found 0x4558494f");
  }

  @Test
  void next_unknownItemMarker_isFormatError() {
    assertThatThrownBy(() -> reader(u64(2)).next(temp.resolve("restored")))
        .isInstanceOf(ExportFormatException.class)
        .hasMessage(
            "bad export archive at byte 0: expected an item marker (1) or the end marker (0),"
                + " found 2");
  }

  @Test
  void next_pathLongerThanAnyPath_isRefusedBeforeReadingIt() throws Exception {
    byte[] archive = item(u64(0x4558494eL), u64(1L << 40));

    assertThatThrownBy(() -> reader(archive).next(temp.resolve("restored")))
        .isInstanceOf(ExportFormatException.class)
        .hasMessageEndingWith("a store path is 1099511627776 bytes long, more than 4096");
  }

  @Test
  void next_nonZeroPadding_isFormatError() throws Exception {
    byte[] path = string(PATH);
    path[path.length - 1] = 'x';
    byte[] archive = item(u64(0x4558494eL), path);

    assertThatThrownBy(() -> reader(archive).next(temp.resolve("restored")))
        .isInstanceOf(ExportFormatException.class)
        .hasMessageEndingWith("the padding after a store path is not zero");
  }

  @Test
  void next_hugeReferenceCount_isFormatError() throws Exception {
    byte[] archive = item(u64(0x4558494eL), string(PATH), u64(-1));

    assertThatThrownBy(() -> reader(archive).next(temp.resolve("restored")))
        .isInstanceOf(ExportFormatException.class)
        .hasMessageEndingWith(
            "'" + PATH + "' claims 18446744073709551615 references, more than 65536");
  }

  @Test
  void next_signatureFlagOtherThanZeroOrOne_isFormatError() throws Exception {
    byte[] archive = item(u64(0x4558494eL), string(PATH), u64(0), string(""), u64(7));

    assertThatThrownBy(() -> reader(archive).next(temp.resolve("restored")))
        .isInstanceOf(ExportFormatException.class)
        .hasMessageEndingWith("expected a signature flag (0 or 1) for '" + PATH + "', found 7");
  }

  @Test
  void next_deriverOutsideStore_isRefused() throws Exception {
    byte[] archive = item(u64(0x4558494eL), string(PATH), u64(0), string("/tmp/x.drv"));

    assertThatThrownBy(() -> reader(archive).next(temp.resolve("restored")))
        .isInstanceOf(ArchiveException.class)
        .hasMessage(
            "cannot import '"
                + PATH
                + "': its deriver '/tmp/x.drv' is not in the store directory '/gnu/store'");
  }

  @Test
  void next_malformedReference_isRefused() throws Exception {
    String bad = "/gnu/store/not-a-hash";
    byte[] archive = item(u64(0x4558494eL), string(PATH), u64(1), string(bad));

    assertThatThrownBy(() -> reader(archive).next(temp.resolve("restored")))
        .isInstanceOf(ArchiveException.class)
        .hasMessage(
            "cannot import '" + PATH + "': its reference '" + bad + "' is not a valid store path")
        .hasCauseInstanceOf(IllegalArgumentException.class);
  }
}
