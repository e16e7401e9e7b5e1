package dev.bale.hash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DigestTest {
  private static final byte[] DATA = "bale".getBytes(StandardCharsets.UTF_8);

  @Test
  void parse_hexAndBase32Forms_giveTheSameDigest() {
    Digest digest = Digest.of(DATA);

    assertThat(Digest.parse(digest.toString())).isEqualTo(digest);
    assertThat(Digest.parse(digest.toNixString())).isEqualTo(digest);
  }

  @Test
  void parse_otherAlgorithm_isRejected() {
    assertThatThrownBy(() -> Digest.parse("md5:abc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'md5:abc'");
  }

  @Test
  void parse_shortHex_isRejected() {
    assertThatThrownBy(() -> Digest.parse("sha256:abcd"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void streams_digestAndCount_whatPassesThrough() throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    DigestingOutputStream out = new DigestingOutputStream(sink);
    out.write(DATA, 0, 2);
    out.write(DATA[2]);
    out.write(DATA, 3, DATA.length - 3);

    DigestingInputStream in = new DigestingInputStream(new ByteArrayInputStream(DATA));
    assertThat(in.skip(1)).isEqualTo(1);
    in.readAllBytes();

    assertThat(sink.toByteArray()).isEqualTo(DATA);
    assertThat(out.size()).isEqualTo(DATA.length);
    assertThat(out.digest()).isEqualTo(Digest.of(DATA));
    assertThat(in.size()).isEqualTo(DATA.length);
    assertThat(in.digest()).isEqualTo(Digest.of(DATA));
  }

  @Test
  void bytes_isACopy() {
    Digest digest = Digest.of(DATA);
    byte[] bytes = digest.bytes();
    bytes[0] ^= 1;

    assertThat(digest).isEqualTo(Digest.of(DATA));
  }
}
