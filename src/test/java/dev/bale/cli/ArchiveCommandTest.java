package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveCommandTest {
  @TempDir Path temp;

  private record Bale(int code, String out, String err) {}

  private static Bale bale(Object... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] strings = Arrays.stream(args).map(String::valueOf).toArray(String[]::new);
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), strings);
    return new Bale(code, out.toString(), err.toString());
  }

  private String store(String name) {
    return "local?root=" + temp.resolve(name);
  }

  @Test
  void archive_exportAndImport_roundTripThroughFile() throws Exception {
    Path source = Files.writeString(temp.resolve("greeting"), "hello\n");
    String path = bale("--store", store("a"), "add", source).out().strip();
    Path file = temp.resolve("greeting.export");

    Bale exported = bale("--store", store("a"), "archive", "--export", path, "-o", file);
    Bale imported = bale("--store", store("b"), "archive", "--import", "--allow-unsigned", file);

    assertThat(exported.code()).isZero();
    assertThat(exported.out()).isEmpty();
    assertThat(imported.err()).isEmpty();
    assertThat(imported.out()).isEqualTo(path + "\n");
    assertThat(bale("--store", store("b"), "verify", path).code()).isZero();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-r--r--");
  }

  @Test
  void archive_exportFails_keepsTheOldFileAndLeavesNoTemporaryFile() throws Exception {
    Files.createDirectories(temp.resolve("out"));
    Path file = Files.writeString(temp.resolve("out/old.export"), "old");
    String unknown = "/gnu/store/00000000000000000000000000000000-none";

    Bale result = bale("--store", store("a"), "archive", "--export", unknown, "-o", file);

    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo("bale: '" + unknown + "' is not a valid item of store '" + store("a") + "'\n");
    assertThat(Files.readString(file)).isEqualTo("old");
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void archive_exportIntoMissingDirectory_isOneLineError() throws Exception {
    Path file = temp.resolve("missing/x.export");
    Path source = Files.writeString(temp.resolve("greeting"), "hello\n");
    String path = bale("--store", store("a"), "add", source).out().strip();

    Bale result = bale("--store", store("a"), "archive", "--export", path, "-o", file);

    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo(
            "bale: cannot write '"
                + file
                + "': its directory '"
                + file.getParent()
                + "' does not exist\n");
    assertThat(file.getParent()).doesNotExist();
  }

  @Test
  void archive_importMissingFile_isOneLineError() {
    Path file = temp.resolve("nothing.export");

    Bale result = bale("--store", store("a"), "archive", "--import", file);

    assertThat(result.code()).isEqualTo(1);
    String expected = "bale: cannot import '" + file + "': there is no such file\n";
    assertThat(result.err()).isEqualTo(expected);
  }

  @Test
  void archive_importIntoNixStore_isRefused() {
    Bale result = bale("--store", "nix?root=" + temp, "archive", "--import", temp.resolve("x"));

    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err()).startsWith("bale: cannot write to store 'nix?root=");
  }

  @Test
  void archive_badOptionMixes_areUsageErrors() {
    assertThat(bale("archive").code()).isEqualTo(2);
    assertThat(bale("archive", "--export", "--import").err())
        .startsWith(
            "bale: give exactly one of --export, --import, --generate-key, --authorize and"
                + " --deauthorize (see 'bale archive --help')\n");
    assertThat(bale("archive", "--import", "-r").code()).isEqualTo(2);
    assertThat(bale("archive", "--import", "a", "b").code()).isEqualTo(2);
    assertThat(bale("archive", "--export").err())
        .startsWith("bale: --export needs at least one ITEM (see 'bale archive --help')\n");
  }

  @Test
  void generateKey_default_writesOwnerOnlySecretUnderTheStoreRoot() throws Exception {
    Bale result = bale("--store", store("a"), "archive", "--generate-key");

    Path keys = temp.resolve("a/keys");
    assertThat(result.code()).as(result.err()).isZero();
    assertThat(result.out()).isEqualTo(keys.resolve("signing-key.pub") + "\n");
    assertThat(permissions(keys.resolve("signing-key.sec"))).isEqualTo("rw-------");
    assertThat(permissions(keys.resolve("signing-key.pub"))).isEqualTo("rw-r--r--");
    assertThat(Files.readString(keys.resolve("signing-key.sec")))
        .startsWith("(private-key (ecc (curve Ed25519) (q #");
  }

  @Test
  void generateKey_existing_isRefusedUnlessForced() throws Exception {
    Path dir = temp.resolve("keys");
    bale("archive", "--generate-key", "--key-dir", dir);
    String first = Files.readString(dir.resolve("signing-key.sec"));

    Bale again = bale("archive", "--generate-key", "--key-dir", dir);
    String kept = Files.readString(dir.resolve("signing-key.sec"));
    Bale forced = bale("archive", "--generate-key", "--key-dir", dir, "--force");

    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err())
        .isEqualTo(
            "bale: cannot generate a key in '"
                + dir
                + "': '"
                + dir.resolve("signing-key.sec")
                + "' exists already; keep it, or pass --force to replace the key pair\n");
    assertThat(kept).isEqualTo(first);
    assertThat(forced.code()).isZero();
    assertThat(Files.readString(dir.resolve("signing-key.sec"))).isNotEqualTo(first);
    assertThat(permissions(dir.resolve("signing-key.sec"))).isEqualTo("rw-------");
  }

  @Test
  void signedExport_importedOnlyOnceTheKeyIsAuthorised() throws Exception {
    Path source = Files.writeString(temp.resolve("greeting"), "hello\n");
    String path = bale("--store", store("a"), "add", source).out().strip();
    String pub = bale("--store", store("a"), "archive", "--generate-key").out().strip();
    Path file = temp.resolve("greeting.export");
    bale("--store", store("a"), "archive", "--export", path, "-o", file);

    Bale refused = bale("--store", store("b"), "archive", "--import", file);
    List<Path> afterRefusal;
    try (Stream<Path> items = Files.list(temp.resolve("b/store"))) {
      afterRefusal = items.toList();
    }
    Bale authorized = bale("--store", store("b"), "archive", "--authorize", pub);
    Bale authorizedAgain = bale("--store", store("b"), "archive", "--authorize", pub);
    Bale imported = bale("--store", store("b"), "archive", "--import", file);

    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err())
        .startsWith("bale: cannot import '" + path + "': it is not signed by an authorised key")
        .endsWith("or pass --allow-unsigned\n");
    assertThat(afterRefusal).isEmpty();
    assertThat(authorized.code()).as(authorized.err()).isZero();
    assertThat(authorizedAgain.code()).isZero();
    String acl = Files.readString(temp.resolve("b/acl"));
    String key = Files.readString(Path.of(pub)).strip();
    assertThat(acl).isEqualTo("(acl\n (entry " + key + " (tag (guix import))))\n");
    assertThat(imported.err()).isEmpty();
    assertThat(imported.out()).isEqualTo(path + "\n");
  }

  @Test
  void deauthorize_removesTheKey() throws Exception {
    String pub = bale("--store", store("a"), "archive", "--generate-key").out().strip();
    bale("--store", store("b"), "archive", "--authorize", pub);

    Bale removed = bale("--store", store("b"), "archive", "--deauthorize", pub);

    assertThat(removed.code()).isZero();
    assertThat(Files.readString(temp.resolve("b/acl"))).isEqualTo("(acl)\n");
  }

  @Test
  void export_noSignOrOtherKey_choosesTheSignature() throws Exception {
    Path source = Files.writeString(temp.resolve("greeting"), "hello\n");
    String path = bale("--store", store("a"), "add", source).out().strip();
    bale("--store", store("a"), "archive", "--generate-key");
    Path other = temp.resolve("other");
    bale("archive", "--generate-key", "--key-dir", other);
    Path unsigned = temp.resolve("unsigned.export");
    Path byOther = temp.resolve("other.export");

    bale("--store", store("a"), "archive", "--export", path, "--no-sign", "-o", unsigned);
    bale(
        "--store",
        store("a"),
        "archive",
        "--export",
        path,
        "--key",
        other.resolve("signing-key.sec"),
        "-o",
        byOther);
    bale("--store", store("b"), "archive", "--authorize", other.resolve("signing-key.pub"));

    assertThat(Files.readString(unsigned, StandardCharsets.ISO_8859_1)).doesNotContain("signature");
    assertThat(bale("--store", store("b"), "archive", "--import", unsigned).err())
        .contains("(the archive carries no signature); pass --allow-unsigned");
    assertThat(bale("--store", store("b"), "archive", "--import", byOther).out())
        .isEqualTo(path + "\n");
  }

  @Test
  void authorize_malformedKey_isOneLineErrorAndChangesNothing() throws Exception {
    Path bad = Files.writeString(temp.resolve("bad.pub"), "(public-key (ecc (curve Ed25519)");

    Bale result = bale("--store", store("b"), "archive", "--authorize", bad);

    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo(
            "bale: cannot read the public key in '"
                + bad
                + "': malformed S-expression at byte 32: the S-expression ends before its ')'\n");
    assertThat(temp.resolve("b/acl")).doesNotExist();
  }

  @Test
  void export_malformedSecretKey_isOneLineError() throws Exception {
    Path source = Files.writeString(temp.resolve("greeting"), "hello\n");
    String path = bale("--store", store("a"), "add", source).out().strip();
    Path bad = Files.writeString(temp.resolve("bad.sec"), "(public-key)");

    Bale result = bale("--store", store("a"), "archive", "--export", path, "--key", bad);

    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo(
            "bale: cannot read the secret key in '"
                + bad
                + "': expected (private-key ...), found (public-key ...)\n");
  }

  @Test
  void signingOptions_inTheWrongMode_areUsageErrors() {
    assertThat(bale("archive", "--import", "--no-sign").err())
        .startsWith("bale: --key and --no-sign go with --export (see 'bale archive --help')\n");
    assertThat(bale("archive", "--export", "x", "--allow-unsigned").err())
        .startsWith("bale: --allow-unsigned goes with --import (see 'bale archive --help')\n");
    assertThat(bale("archive", "--export", "x", "--no-sign", "--key", "k").code()).isEqualTo(2);
    assertThat(bale("archive", "--import", "--force").code()).isEqualTo(2);
    assertThat(bale("archive", "--generate-key", "--authorize").code()).isEqualTo(2);
    assertThat(bale("archive", "--generate-key", "x").code()).isEqualTo(2);
    assertThat(bale("archive", "--authorize", "-r").code()).isEqualTo(2);
    assertThat(bale("archive", "--format=docker", "x", "--generate-key").err())
        .startsWith("bale: --format=docker goes with no key option (see 'bale archive --help')\n");
    assertThat(bale("archive", "--format=docker", "x", "--no-sign").code()).isEqualTo(2);
  }

  private static String permissions(Path file) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }
}
