package dev.bale.hash;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/** Passes bytes on to another stream while computing their SHA-256 digest and counting them. */
public final class DigestingOutputStream extends FilterOutputStream {
  private final MessageDigest sha256 = Digest.newSha256();
  private long size;

  /** Wraps {@code out}; pass {@link OutputStream#nullOutputStream()} to only hash. */
  public DigestingOutputStream(OutputStream out) {
    super(out);
  }

  @Override
  public void write(int b) throws IOException {
    out.write(b);
    sha256.update((byte) b);
    size++;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    sha256.update(b, off, len);
    size += len;
  }

  /** Returns the number of bytes written so far. */
  public long size() {
    return size;
  }

  /** Returns the digest of everything written; call once, after the last write. */
  public Digest digest() {
    return new Digest(sha256.digest());
  }
}
