package dev.bale.archive;

import static dev.bale.archive.ExportFixtures.addClosure;
import static dev.bale.archive.ExportFixtures.export;
import static dev.bale.archive.ExportFixtures.indexOf;
import static dev.bale.archive.ExportFixtures.store;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bale.archive.ExportFixtures.Closure;
import dev.bale.event.EventSink;
import dev.bale.hash.Digest;
import dev.bale.store.LocalStore;
import dev.bale.store.StorePath;
import dev.bale.store.Verifier;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignedImportTest {
  @TempDir Path temp;

  private Closure closure;
  private SigningKey key;
  private byte[] signed;
  private byte[] unsigned;

  @BeforeEach
  void exportSigned() throws Exception {
    key = SigningKey.generate();
    try (LocalStore source = store(temp.resolve("source"), "/gnu/store")) {
      closure = addClosure(source, temp.resolve("work"));
      signed = signedExport(source, key);
      unsigned = export(source, closure.all());
    }
  }

  private byte[] signedExport(LocalStore source, SigningKey with) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new ExportWriter(source, with, EventSink.DISCARD).write(closure.all(), out);
    return out.toByteArray();
  }

  private static SignaturePolicy authorizing(SigningKey... keys) {
    List<VerifyingKey> publicKeys = Arrays.stream(keys).map(SigningKey::publicKey).toList();
    return new SignaturePolicy(AuthorizedKeys.of(publicKeys), false);
  }

  private List<StorePath> importInto(LocalStore target, byte[] archive, SignaturePolicy policy)
      throws Exception {
    return new Importer(target, policy, EventSink.DISCARD)
        .importArchive(new ByteArrayInputStream(archive));
  }

  @Test
  void write_withKey_signsTheRecordFromNarToDeriver() throws Exception {
    int text = indexOf(signed, "(signature");
    // The first item: its marker (8 bytes), its record, the flag and the signature's length.
    byte[] record = Arrays.copyOfRange(signed, 8, text - 16);
    byte[] flag = Arrays.copyOfRange(signed, text - 16, text - 8);
    int length = (int) littleEndian(signed, text - 8);
    String signature = new String(signed, text, length, StandardCharsets.UTF_8);

    ItemSignature parsed = ItemSignature.parse(signature);

    assertThat(flag).containsExactly(1, 0, 0, 0, 0, 0, 0, 0);
    assertThat(parsed.hash()).isEqualTo(Digest.of(record));
    assertThat(parsed.signer()).isEqualTo(key.publicKey());
    assertThat(parsed.verifies()).isTrue();
    assertThat(signature)
        .matches(
            "\\(signature \\(data \\(flags rfc6979\\) \\(hash sha256 #[0-9A-F]{64}#\\)\\)"
                + " \\(sig-val \\(eddsa \\(r #[0-9A-F]{64}#\\) \\(s #[0-9A-F]{64}#\\)\\)\\)"
                + " \\(public-key \\(ecc \\(curve Ed25519\\) \\(q #[0-9A-F]{64}#\\)\\)\\)\\)");
    // The unsigned record is the same bytes, followed by the flag 0.
    assertThat(Arrays.copyOfRange(unsigned, 8, 8 + record.length)).isEqualTo(record);
    assertThat(Arrays.copyOfRange(unsigned, 8 + record.length, 16 + record.length))
        .containsExactly(0, 0, 0, 0, 0, 0, 0, 0);
  }

  @Test
  void write_twice_isByteIdentical() throws Exception {
    try (LocalStore source = store(temp.resolve("source"), "/gnu/store")) {
      assertThat(signedExport(source, key)).isEqualTo(signed);
    }
  }

  @Test
  void importArchive_signedByAuthorisedKey_importsTheClosure() throws Exception {
    try (LocalStore target = store(temp.resolve("target"), "/gnu/store")) {
      List<StorePath> imported = importInto(target, signed, authorizing(key));

      assertThat(imported).containsExactlyElementsOf(closure.all());
      assertThat(Verifier.verify(target, target.validPaths(), EventSink.DISCARD)).isEmpty();
    }
  }

  @Test
  void importArchive_signedByOtherKey_isRefusedAndChangesNothing() throws Exception {
    SigningKey other = SigningKey.generate();
    try (LocalStore target = store(temp.resolve("target"), "/gnu/store")) {
      StoreState before = StoreState.of(target);

      assertThatThrownBy(() -> importInto(target, signed, authorizing(other)))
          .isInstanceOf(ArchiveException.class)
          .hasMessage(
              "cannot import '"
                  + closure.lib()
                  + "': it is not signed by an authorised key (its signer is "
                  + key.publicKey().fingerprint()
                  + "); authorise the signer's public key with 'bale archive --authorize <"
                  + " KEY.pub', or pass --allow-unsigned");
      assertThat(StoreState.of(target)).isEqualTo(before);
    }
  }

  @Test
  void importArchive_unsignedByDefault_isRefusedWithTheRemedy() throws Exception {
    try (LocalStore target = store(temp.resolve("target"), "/gnu/store")) {
      StoreState before = StoreState.of(target);

      assertThatThrownBy(() -> importInto(target, unsigned, authorizing(key)))
          .isInstanceOf(ArchiveException.class)
          .hasMessage(
              "cannot import '"
                  + closure.lib()
                  + "': it is not signed by an authorised key (the archive carries no"
                  + " signature); pass --allow-unsigned to import unsigned archives such as"
                  + " those of nix-store --export");
      assertThat(StoreState.of(target)).isEqualTo(before);
    }
  }

  @Test
  void importArchive_allowUnsigned_acceptsUnsignedAndUnauthorised() throws Exception {
    try (LocalStore first = store(temp.resolve("first"), "/gnu/store");
        LocalStore second = store(temp.resolve("second"), "/gnu/store")) {
      assertThat(importInto(first, unsigned, SignaturePolicy.allowingUnsigned()))
          .containsExactlyElementsOf(closure.all());
      assertThat(importInto(second, signed, SignaturePolicy.allowingUnsigned()))
          .containsExactlyElementsOf(closure.all());
    }
  }

  @Test
  void importArchive_changedNarContent_isRefusedEvenWhenUnsignedAllowed() throws Exception {
    byte[] changed = signed.clone();
    changed[indexOf(changed, "hello\n")] = 'j';

    assertRefused(
        changed, authorizing(key), closure.lib(), "its signature is for a record with hash");
    assertRefused(
        changed,
        SignaturePolicy.allowingUnsigned(),
        closure.lib(),
        "the archive is damaged or was tampered with");
  }

  @Test
  void importArchive_changedStorePath_isRefused() throws Exception {
    byte[] changed = signed.clone();
    String lib = closure.lib().toString();
    changed[indexOf(changed, lib) + lib.length() - 1] = '1';
    StorePath renamed = StorePath.parse("/gnu/store", lib.substring(0, lib.length() - 1) + "1");

    assertRefused(changed, authorizing(key), renamed, "its signature is for a record with hash");
  }

  @Test
  void importArchive_changedReference_isRefused() throws Exception {
    byte[] changed = signed.clone();
    int toolPath = indexOf(changed, closure.tool().toString());
    byte[] afterTool = Arrays.copyOfRange(changed, toolPath, changed.length);
    int reference = toolPath + indexOf(afterTool, closure.lib().toString());
    // A reference to another valid-looking path: the hash part's first character changes.
    int hashStart = reference + "/gnu/store/".length();
    changed[hashStart] = (byte) (changed[hashStart] == '0' ? '1' : '0');

    assertRefused(changed, authorizing(key), closure.tool(), "its signature is for a record");
  }

  @Test
  void importArchive_changedSignature_isRefused() throws Exception {
    byte[] changed = signed.clone();
    int r = indexOf(changed, "(r #") + 4;
    changed[r] = (byte) (changed[r] == 'A' ? 'B' : 'A');

    assertRefused(
        changed, authorizing(key), closure.lib(), "its signature does not verify with the key");
  }

  @Test
  void importArchive_malformedSignature_isRefused() throws Exception {
    byte[] changed = signed.clone();
    changed[indexOf(changed, "(sig-val")] = '[';

    assertRefused(
        changed, authorizing(key), closure.lib(), "its signature is malformed: malformed S-exp");
  }

  private void assertRefused(byte[] archive, SignaturePolicy policy, StorePath item, String detail)
      throws Exception {
    Path root = temp.resolve("target-" + System.nanoTime());
    try (LocalStore target = store(root, "/gnu/store")) {
      StoreState before = StoreState.of(target);

      assertThatThrownBy(() -> importInto(target, archive, policy))
          .isInstanceOf(ArchiveException.class)
          .hasMessageStartingWith("cannot import '" + item + "': ")
          .hasMessageContaining(detail);
      assertThat(StoreState.of(target)).isEqualTo(before);
    }
  }

  private static long littleEndian(byte[] bytes, int offset) {
    long value = 0;
    for (int i = 7; i >= 0; i--) {
      value = (value << 8) | (bytes[offset + i] & 0xff);
    }
    return value;
  }
}
