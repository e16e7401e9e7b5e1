package dev.bale.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CompressionTest {
  private static byte[] compress(Compression compression, byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = compression.wrap(bytes)) {
      out.write(data, 0, 10);
      out.write(data[10]);
      out.write(data, 11, data.length - 11);
    }
    return bytes.toByteArray();
  }

  private static byte[] decompress(Compression compression, byte[] data) throws IOException {
    InputStream in = new ByteArrayInputStream(data);
    InputStream codec =
        switch (compression) {
          case NONE -> in;
          case GZIP -> new GZIPInputStream(in);
          case ZSTD -> new ZstdInputStream(in);
        };
    try (codec) {
      return codec.readAllBytes();
    }
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void wrap_roundTripsAndRepeatsItsBytes(Compression compression) throws IOException {
    byte[] data = new byte[300_000];
    new Random(7).nextBytes(data);
    System.arraycopy(new byte[100_000], 0, data, 0, 100_000);

    byte[] once = compress(compression, data);
    assertThat(compress(compression, data)).isEqualTo(once);
    assertThat(decompress(compression, once)).isEqualTo(data);
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void wrap_sharedByManyStreams_writesTheSameBytes(Compression compression) throws IOException {
    // Enough for several zstd jobs, which is where fewer workers could cut differently.
    byte[] data = new byte[12 << 20];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i / 4096 * 31 + i % 7);
    }

    ByteArrayOutputStream shared = new ByteArrayOutputStream();
    try (OutputStream out = compression.wrap(shared, 64)) {
      out.write(data);
    }

    assertThat(shared.toByteArray()).isEqualTo(compress(compression, data));
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = "GZIP")
  void gzipHeader_hasNoTimeNameOrHostOs(Compression compression) throws IOException {
    byte[] gzip = compress(compression, new byte[100]);
    assertThat(gzip[3]).as("flags: no name, no comment").isZero();
    assertThat(new byte[] {gzip[4], gzip[5], gzip[6], gzip[7]}).containsOnly(0);
    assertThat(gzip[9] & 0xff).as("OS unknown").isEqualTo(255);
  }
}
