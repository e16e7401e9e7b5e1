package dev.bale.archive;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An Ed25519 public key, which checks signatures, kept in the S-expression Guix uses: {@code
 * (public-key (ecc (curve Ed25519) (q #HEX#)))} with {@code q} the 32-byte encoded point of RFC
 * 8032.
 */
public record VerifyingKey(byte[] q) {
  static final String CURVE = "Ed25519";
  static final int LENGTH = 32;

  /**
   * libgcrypt may write an EdDSA point with this prefix byte ("native" compressed form); it is
   * accepted on reading and never written.
   */
  private static final byte NATIVE_PREFIX = 0x40;

  /** Copies {@code q}, which must be 32 bytes. */
  public VerifyingKey {
    if (q.length != LENGTH) {
      throw new IllegalArgumentException("an Ed25519 public key is 32 bytes, not " + q.length);
    }
    q = q.clone();
  }

  /** Returns a copy of the encoded point. */
  @Override
  public byte[] q() {
    return q.clone();
  }

  /** Reads the public key file {@code file}. */
  public static VerifyingKey read(Path file) throws IOException, ArchiveException {
    return parse(readKeyFile(file, "public key"), "'" + file + "'");
  }

  /**
   * Parses the public key S-expression {@code text}, which came from {@code source} (named in
   * errors).
   */
  public static VerifyingKey parse(byte[] text, String source) throws ArchiveException {
    try {
      Sexp.Group sexp = Sexp.parse(text);
      if (!sexp.name().equals("public-key")) {
        throw new ArchiveException("expected (public-key ...), found (" + sexp.name() + " ...)");
      }
      return fromEcc(sexp);
    } catch (ArchiveException e) {
      throw new ArchiveException("cannot read the public key in " + source + ": " + e.getMessage());
    }
  }

  /** Reads the key from {@code (public-key (ecc ...))} or {@code (private-key (ecc ...))}. */
  static VerifyingKey fromEcc(Sexp.Group key) throws ArchiveException {
    Sexp.Group ecc =
        key.find("ecc")
            .orElseThrow(
                () ->
                    new ArchiveException(
                        "only Ed25519 keys (ecc (curve Ed25519)) are supported, found "
                            + key.elements().subList(1, key.elements().size())));
    byte[] curve = ecc.value("curve");
    if (!Arrays.equals(curve, Sexp.atom(CURVE).bytes())) {
      throw new ArchiveException(
          "only the curve Ed25519 is supported, found " + new Sexp.Atom(curve));
    }
    byte[] q = ecc.value("q");
    if (q.length == LENGTH + 1 && q[0] == NATIVE_PREFIX) {
      q = Arrays.copyOfRange(q, 1, q.length);
    }
    if (q.length != LENGTH) {
      throw new ArchiveException("(q ...) must be 32 bytes, found " + q.length);
    }
    return new VerifyingKey(q);
  }

  /** Returns {@code (public-key (ecc (curve Ed25519) (q #..#)))}. */
  Sexp.Group toSexp() {
    return Sexp.list("public-key", Sexp.list("ecc", curveSexp(), Sexp.list("q", new Sexp.Atom(q))));
  }

  static Sexp.Group curveSexp() {
    return Sexp.list("curve", CURVE);
  }

  /** Returns the key file's text: the S-expression and a newline. */
  public String text() {
    return toSexp() + "\n";
  }

  /** Returns the point in hexadecimal, short enough for messages. */
  public String fingerprint() {
    return HexFormat.of().withUpperCase().formatHex(q);
  }

  /** Tells whether {@code signature} (64 bytes) is this key's Ed25519 signature of {@code data}. */
  boolean verifies(byte[] data, byte[] signature) {
    try {
      Signature verifier = Signature.getInstance(CURVE);
      verifier.initVerify(toJdkKey());
      verifier.update(data);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      // A q that is not a point of the curve cannot have signed anything.
      return false;
    }
  }

  /** Converts the RFC 8032 encoding (y little-endian, x's parity in the top bit) for the JDK. */
  PublicKey toJdkKey() throws GeneralSecurityException {
    byte[] bigEndian = new byte[LENGTH];
    for (int i = 0; i < LENGTH; i++) {
      bigEndian[i] = q[LENGTH - 1 - i];
    }
    boolean xOdd = (bigEndian[0] & 0x80) != 0;
    bigEndian[0] &= 0x7f;
    EdECPoint point = new EdECPoint(xOdd, new BigInteger(1, bigEndian));
    return KeyFactory.getInstance(CURVE)
        .generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519, point));
  }

  /** Returns the RFC 8032 encoding of a JDK public key. */
  static VerifyingKey fromJdkKey(EdECPublicKey key) {
    EdECPoint point = key.getPoint();
    byte[] y = point.getY().toByteArray();
    byte[] q = new byte[LENGTH];
    // toByteArray is big-endian and may carry a leading sign byte or be shorter than 32 bytes.
    for (int i = 0; i < LENGTH && i < y.length; i++) {
      q[i] = y[y.length - 1 - i];
    }
    if (point.isXOdd()) {
      q[LENGTH - 1] |= (byte) 0x80;
    }
    return new VerifyingKey(q);
  }

  /** Reads a key file, at most 64 KiB, saying which {@code kind} of key was missing. */
  static byte[] readKeyFile(Path file, String kind) throws IOException {
    try {
      if (Files.size(file) > 1 << 16) {
        throw new IOException(
            "cannot read the " + kind + " in '" + file + "': it is larger than 64 KiB");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IOException("cannot read the " + kind + " in '" + file + "': no such file", e);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof VerifyingKey key && Arrays.equals(q, key.q);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(q);
  }

  @Override
  public String toString() {
    return "Ed25519 key " + fingerprint();
  }
}
