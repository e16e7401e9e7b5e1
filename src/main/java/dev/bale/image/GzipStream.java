package dev.bale.image;

import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Writes a gzip member (RFC 1952) whose header holds no time, no name and a fixed OS byte, so the
 * bytes depend on the input alone. The JDK's own gzip stream has changed its OS byte between
 * releases, which would change layer digests.
 */
final class GzipStream extends DeflaterOutputStream {
  private static final byte[] HEADER = {
    0x1f, (byte) 0x8b, Deflater.DEFLATED, 0, 0, 0, 0, 0, 0, (byte) 0xff
  };
  private static final int BUFFER = 64 * 1024;

  private final CRC32 crc = new CRC32();
  private boolean finished;

  GzipStream(OutputStream out) throws IOException {
    super(out, new Deflater(Deflater.DEFAULT_COMPRESSION, true), BUFFER);
    out.write(HEADER);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    super.write(b, off, len);
    crc.update(b, off, len);
  }

  @Override
  public void finish() throws IOException {
    if (finished) {
      return;
    }
    finished = true;
    super.finish();
    long size = def.getBytesRead();
    byte[] trailer = new byte[8];
    writeLittleEndian(trailer, 0, crc.getValue());
    writeLittleEndian(trailer, 4, size);
    out.write(trailer);
    def.end();
  }

  private static void writeLittleEndian(byte[] bytes, int offset, long value) {
    for (int i = 0; i < 4; i++) {
      bytes[offset + i] = (byte) (value >>> (8 * i));
    }
  }
}
