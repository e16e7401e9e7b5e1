package dev.bale.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeyTest {
  // RFC 8032, section 7.1, test 1: the empty message.
  private static final String RFC_D =
      "9D61B19DEFFD5A60BA844AF492EC2CC44449C5697B326919703BAC031CAE7F60";
  private static final String RFC_Q =
      "D75A980182B10AB7D54BFED3C964073A0EE172F3DAA62325AF021A68F707511A";
  private static final String RFC_SIGNATURE =
      "E5564300C360AC729086E2CC806E828A84877F1EB8E5D974D873E065224901555FB8821590A33BACC61E39701"
          + "CF9B46BD25BF5F0595BBE24655141438E7A100B";

  @TempDir Path temp;

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static String secretText(String q, String d) {
    return "(private-key (ecc (curve Ed25519) (q #" + q + "#) (d #" + d + "#)))";
  }

  @Test
  void parse_rfc8032Key_signsAsTheRfcSays() throws Exception {
    SigningKey key = SigningKey.parse(bytes(secretText(RFC_Q, RFC_D)), "test");

    assertThat(HexFormat.of().withUpperCase().formatHex(key.sign(new byte[0])))
        .isEqualTo(RFC_SIGNATURE);
    assertThat(key.publicKey().verifies(new byte[0], HexFormat.of().parseHex(RFC_SIGNATURE)))
        .isTrue();
    assertThat(key.publicKey().verifies(new byte[1], HexFormat.of().parseHex(RFC_SIGNATURE)))
        .isFalse();
  }

  @Test
  void generate_manyKeys_encodePublicKeysTheJdkAccepts() throws Exception {
    // Each key's halves are checked against each other on parsing, which needs a right q.
    for (int i = 0; i < 20; i++) {
      SigningKey key = SigningKey.generate();

      assertThat(SigningKey.parse(bytes(key.toSexp().toString()), "test")).isEqualTo(key);
    }
  }

  @Test
  void write_newPair_secretIsOwnerOnlyAndBothReadBack() throws Exception {
    SigningKey key = SigningKey.generate();
    Path directory = temp.resolve("keys");

    key.write(directory, false);

    Path secret = directory.resolve("signing-key.sec");
    Path pub = directory.resolve("signing-key.pub");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pub)))
        .isEqualTo("rw-r--r--");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)))
        .isEqualTo("rwx------");
    assertThat(SigningKey.read(secret)).isEqualTo(key);
    assertThat(VerifyingKey.read(pub)).isEqualTo(key.publicKey());
    assertThat(Files.readString(pub))
        .matches("\\(public-key \\(ecc \\(curve Ed25519\\) \\(q #[0-9A-F]{64}#\\)\\)\\)\n");
    assertThat(Files.readString(secret))
        .matches(
            "\\(private-key \\(ecc \\(curve Ed25519\\) \\(q #[0-9A-F]{64}#\\)"
                + " \\(d #[0-9A-F]{64}#\\)\\)\\)\n");
    try (Stream<Path> files = Files.list(directory)) {
      assertThat(files).containsExactlyInAnyOrder(secret, pub);
    }
  }

  @Test
  void write_existingPair_isRefusedUnlessReplacing() throws Exception {
    SigningKey first = SigningKey.generate();
    first.write(temp, false);
    SigningKey second = SigningKey.generate();

    assertThatThrownBy(() -> second.write(temp, false))
        .isInstanceOf(ArchiveException.class)
        .hasMessage(
            "cannot generate a key in '"
                + temp
                + "': '"
                + temp.resolve("signing-key.sec")
                + "' exists already; keep it, or pass --force to replace the key pair");
    assertThat(SigningKey.read(temp.resolve("signing-key.sec"))).isEqualTo(first);

    second.write(temp, true);
    assertThat(SigningKey.read(temp.resolve("signing-key.sec"))).isEqualTo(second);
    assertThat(VerifyingKey.read(temp.resolve("signing-key.pub"))).isEqualTo(second.publicKey());
  }

  @Test
  void parse_libgcryptNativePoint_dropsThePrefix() throws Exception {
    String text = "(public-key (ecc (curve Ed25519) (q #40" + RFC_Q + "#)))";

    assertThat(VerifyingKey.parse(bytes(text), "test").q())
        .isEqualTo(HexFormat.of().parseHex(RFC_Q));
  }

  @Test
  void parse_malformedKeys_areClearErrors() {
    String zeros = "00".repeat(32);
    assertThatThrownBy(() -> VerifyingKey.parse(bytes("(public-key"), "'k.pub'"))
        .hasMessageStartingWith("cannot read the public key in 'k.pub': malformed S-expression");
    assertThatThrownBy(() -> VerifyingKey.parse(bytes(secretText(RFC_Q, RFC_D)), "'k.pub'"))
        .hasMessage(
            "cannot read the public key in 'k.pub': expected (public-key ...), found"
                + " (private-key ...)");
    assertThatThrownBy(
            () -> VerifyingKey.parse(bytes("(public-key (rsa (n #00#) (e #01#)))"), "'k.pub'"))
        .hasMessageContaining("only Ed25519 keys (ecc (curve Ed25519)) are supported");
    assertThatThrownBy(
            () ->
                VerifyingKey.parse(
                    bytes("(public-key (ecc (curve NIST P-256) (q #00#)))"), "'k.pub'"))
        .hasMessageContaining("(curve ...) must hold exactly one value");
    assertThatThrownBy(
            () -> VerifyingKey.parse(bytes("(public-key (ecc (curve Ed448) (q #00#)))"), "'k.pub'"))
        .hasMessageContaining("only the curve Ed25519 is supported, found Ed448");
    assertThatThrownBy(
            () -> VerifyingKey.parse(bytes("(public-key (ecc (curve Ed25519) (q #00#)))"), "x"))
        .hasMessageContaining("(q ...) must be 32 bytes, found 1");
    assertThatThrownBy(() -> VerifyingKey.parse(bytes("(public-key (ecc (curve Ed25519)))"), "x"))
        .hasMessageContaining("(ecc ...) has no (q ...)");
    assertThatThrownBy(() -> SigningKey.parse(bytes(secretText(RFC_Q, "00")), "'k.sec'"))
        .hasMessage("cannot read the secret key in 'k.sec': (d ...) must be 32 bytes, found 1");
    assertThatThrownBy(() -> SigningKey.parse(bytes(secretText(RFC_Q, zeros)), "'k.sec'"))
        .hasMessage(
            "cannot read the secret key in 'k.sec': its public part (q) does not belong to its"
                + " secret part (d); generate a new key");
  }

  @Test
  void read_missingFile_saysSo() {
    Path missing = temp.resolve("none.sec");

    assertThatThrownBy(() -> SigningKey.read(missing))
        .hasMessage("cannot read the secret key in '" + missing + "': no such file");
  }
}
