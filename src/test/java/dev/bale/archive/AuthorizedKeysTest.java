package dev.bale.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthorizedKeysTest {
  private static final String Q =
      "D75A980182B10AB7D54BFED3C964073A0EE172F3DAA62325AF021A68F707511A";

  @TempDir Path temp;

  @Test
  void read_guixLayoutWithOtherEntries_authorisesOnlyEd25519ImportKeys() throws Exception {
    // The layout libgcrypt writes: a space after each name, closing parentheses on their own line.
    String acl =
        "(acl \n (entry \n  (public-key \n   (ecc \n    (curve Ed25519)\n    (q #"
            + Q
            + "#)\n    )\n   )\n  (tag \n   (guix import)\n   )\n  )\n"
            + " (entry (public-key (rsa (n #00C1#) (e #010001#))) (tag (guix import)))\n"
            + " (entry (public-key (ecc (curve Ed25519) (q #"
            + "11".repeat(32)
            + "#))) (tag (other)))\n )\n";
    Path file = Files.writeString(temp.resolve("acl"), acl);

    AuthorizedKeys keys = AuthorizedKeys.read(file);

    VerifyingKey key = new VerifyingKey(HexFormat.of().parseHex(Q));
    assertThat(keys.keys()).containsExactly(key);
    assertThat(keys.add(key)).isFalse();
    assertThat(keys.remove(key)).isTrue();
    keys.write(file);
    assertThat(Files.readString(file))
        .isEqualTo(
            "(acl\n (entry (public-key (rsa (n #00C1#) (e #010001#))) (tag (guix import)))\n"
                + " (entry (public-key (ecc (curve Ed25519) (q #"
                + "11".repeat(32)
                + "#))) (tag (other))))\n");
  }

  @Test
  void add_twice_writesOneEntryThatReadsBack() throws Exception {
    VerifyingKey key = SigningKey.generate().publicKey();
    Path file = temp.resolve("acl");
    AuthorizedKeys keys = AuthorizedKeys.read(file);

    assertThat(keys.add(key)).isTrue();
    assertThat(keys.add(key)).isFalse();
    keys.write(file);

    assertThat(AuthorizedKeys.read(file).keys()).containsExactly(key);
    assertThat(AuthorizedKeys.of(List.of(key)).text()).isEqualTo(Files.readString(file));
  }

  @Test
  void read_malformed_namesTheFileAndTheRemedy() throws Exception {
    Path file = Files.writeString(temp.resolve("acl"), "(entry)");

    assertThatThrownBy(() -> AuthorizedKeys.read(file))
        .isInstanceOf(ArchiveException.class)
        .hasMessage(
            "cannot read the authorisation list '"
                + file
                + "': expected (acl ...), found (entry ...); repair or delete it, then authorise"
                + " the keys again");
  }
}
