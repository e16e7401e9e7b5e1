package dev.bale.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NixBase32Test {
  @Test
  void encode_sha256OfText_matchesNixHash() {
    // `nix-hash --type sha256 --to-base32 5891b5...be03` prints this string.
    Digest digest = Digest.of("hello\n".getBytes(StandardCharsets.UTF_8));

    assertThat(digest.hex())
        .isEqualTo("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
    assertThat(digest.base32()).isEqualTo("00xyyr3fi8l6hb839bv3f7yb86yjv7xi1cgh1xnhipym4asvb4aq");
  }

  @Test
  void encodedLength_hashSizes_areNixLengths() {
    assertThat(NixBase32.encodedLength(20)).isEqualTo(32);
    assertThat(NixBase32.encodedLength(32)).isEqualTo(52);
    assertThat(NixBase32.encodedLength(0)).isZero();
  }

  @Test
  void decode_encoded_roundTrips() {
    Random random = new Random(42);
    for (int size = 0; size <= 64; size++) {
      byte[] bytes = new byte[size];
      random.nextBytes(bytes);

      String text = NixBase32.encode(bytes);

      assertThat(text).hasSize(NixBase32.encodedLength(size));
      assertThat(NixBase32.decode(text, size)).isEqualTo(bytes);
    }
  }

  @Test
  void decode_forbiddenLetter_isRejected() {
    String text = "e".repeat(32);

    assertThatThrownBy(() -> NixBase32.decode(text, 20))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outside the Nix alphabet");
  }

  @Test
  void decode_excessBits_isRejected() {
    // 52 characters carry 260 bits; the top character may only use 256 - 255 = 1 bit.
    String text = "z" + "0".repeat(51);

    assertThatThrownBy(() -> NixBase32.decode(text, 32))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("excess bits");
  }
}
