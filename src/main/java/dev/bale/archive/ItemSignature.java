package dev.bale.archive;

import dev.bale.hash.Digest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The signature of one item of an export, in the shape Guix writes after a signature flag of 1:
 *
 * <pre>
 * (signature
 *   (data (flags rfc6979) (hash sha256 #RECORD-HASH#))
 *   (sig-val (eddsa (r #R#) (s #S#)))
 *   (public-key (ecc (curve Ed25519) (q #Q#))))
 * </pre>
 *
 * <p>The record hash is the SHA-256 of the item's record from the first byte of its NAR to the end
 * of its deriver (the NAR, the NIXE marker, the store path, the references and the deriver), the
 * bytes the Guix daemon hashes before it asks for a signature; the item marker before the NAR and
 * the signature flag are not covered.
 *
 * <p>The signed message is the 32 raw bytes of the record hash, signed as plain Ed25519 (RFC 8032,
 * SHA-512 inside, no pre-hashing); {@code r} and {@code s} are the two halves of the 64-byte
 * signature. libgcrypt's EdDSA takes the value of the {@code data}'s hash as its message, as here.
 *
 * <p>LIMITATION: that libgcrypt signs with SHA-512 inside for an Ed25519 key whose data names
 * {@code sha256} is assumed, not checked against a signature Guix made. If it is wrong, archives
 * signed by Guix fail to verify in bale (and bale's in Guix) with a message saying the signature
 * does not verify; the signed hash is still compared with the archive's, so damage is caught either
 * way. A fix is this class alone: change {@link #signedBytes} and the verification, and add a test
 * with a signature from {@code guix archive --export}.
 */
public record ItemSignature(Digest hash, byte[] value, VerifyingKey signer) {
  private static final int LENGTH = 64;

  /** Copies {@code value}, which must be 64 bytes. */
  public ItemSignature {
    if (value.length != LENGTH) {
      throw new IllegalArgumentException("an Ed25519 signature is 64 bytes, not " + value.length);
    }
    value = value.clone();
  }

  /** Returns a copy of the signature bytes (R then S). */
  @Override
  public byte[] value() {
    return value.clone();
  }

  /** Signs the record hash {@code hash} with {@code key}. */
  static ItemSignature sign(Digest hash, SigningKey key) {
    return new ItemSignature(hash, key.sign(signedBytes(hash)), key.publicKey());
  }

  /** Tells whether the signature is the signer's over the hash it names. */
  boolean verifies() {
    return signer.verifies(signedBytes(hash), value);
  }

  /** Returns what Ed25519 signs for a record hash; see the LIMITATION above. */
  private static byte[] signedBytes(Digest hash) {
    return hash.bytes();
  }

  /** Returns the text written after the signature flag. */
  String text() {
    Sexp.Group data =
        Sexp.list(
            "data",
            Sexp.list("flags", "rfc6979"),
            Sexp.list("hash", Digest.ALGORITHM, new Sexp.Atom(hash.bytes())));
    byte[] r = Arrays.copyOfRange(value, 0, LENGTH / 2);
    byte[] s = Arrays.copyOfRange(value, LENGTH / 2, LENGTH);
    Sexp.Group sigVal =
        Sexp.list(
            "sig-val",
            Sexp.list("eddsa", Sexp.list("r", new Sexp.Atom(r)), Sexp.list("s", new Sexp.Atom(s))));
    return Sexp.list("signature", data, sigVal, signer.toSexp()).toString();
  }

  /**
   * Parses the text after a signature flag.
   *
   * @throws ArchiveException if it is not a signature of this shape with an Ed25519 key and a
   *     SHA-256 hash
   */
  static ItemSignature parse(String text) throws ArchiveException {
    Sexp.Group sexp = Sexp.parse(text.getBytes(StandardCharsets.UTF_8));
    if (!sexp.name().equals("signature")) {
      throw new ArchiveException("expected (signature ...), found (" + sexp.name() + " ...)");
    }
    Sexp.Group data = part(sexp, "data");
    Sexp.Group hash = part(data, "hash");
    if (hash.elements().size() != 3
        || !hash.elements().get(1).equals(Sexp.atom(Digest.ALGORITHM))
        || !(hash.elements().get(2) instanceof Sexp.Atom value)
        || value.bytes().length != 32) {
      throw new ArchiveException("expected (hash sha256 #32 BYTES#), found " + hash);
    }
    Sexp.Group eddsa = part(part(sexp, "sig-val"), "eddsa");
    byte[] r = eddsa.value("r");
    byte[] s = eddsa.value("s");
    if (r.length != LENGTH / 2 || s.length != LENGTH / 2) {
      throw new ArchiveException("(r ...) and (s ...) must be 32 bytes each");
    }
    byte[] signature = Arrays.copyOf(r, LENGTH);
    System.arraycopy(s, 0, signature, LENGTH / 2, LENGTH / 2);
    VerifyingKey signer = VerifyingKey.fromEcc(part(sexp, "public-key"));
    return new ItemSignature(new Digest(value.bytes()), signature, signer);
  }

  private static Sexp.Group part(Sexp.Group sexp, String name) throws ArchiveException {
    return sexp.find(name)
        .orElseThrow(
            () -> new ArchiveException("(" + sexp.name() + " ...) has no (" + name + " ...)"));
  }
}
