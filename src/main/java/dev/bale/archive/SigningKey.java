package dev.bale.archive;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.Set;

/**
 * An Ed25519 key pair that signs exports, kept in the S-expression Guix uses for its signing key:
 * {@code (private-key (ecc (curve Ed25519) (q #HEX#) (d #HEX#)))}, {@code d} being the 32-byte
 * secret seed of RFC 8032 and {@code q} the public key.
 *
 * <p>The embedded store keeps its pair in {@code ROOT/keys/signing-key.sec} and {@code
 * signing-key.pub}, as Guix keeps {@code /etc/guix/signing-key.sec} and {@code .pub}.
 */
public record SigningKey(VerifyingKey publicKey, byte[] d) {
  /** The file name of the secret key under a key directory. */
  public static final String SECRET_FILE = "signing-key.sec";

  /** The file name of the public key under a key directory. */
  public static final String PUBLIC_FILE = "signing-key.pub";

  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> READABLE =
      PosixFilePermissions.fromString("rw-r--r--");

  /** Copies {@code d}, which must be 32 bytes. */
  public SigningKey {
    if (d.length != VerifyingKey.LENGTH) {
      throw new IllegalArgumentException("an Ed25519 secret key is 32 bytes, not " + d.length);
    }
    d = d.clone();
  }

  /** Returns a copy of the secret seed. */
  @Override
  public byte[] d() {
    return d.clone();
  }

  /** Returns the key directory of the embedded store at physical {@code root}. */
  public static Path defaultDirectory(Path root) {
    return root.resolve("keys");
  }

  /** Generates a new key pair with the JDK's Ed25519 implementation. */
  public static SigningKey generate() {
    try {
      KeyPair pair = KeyPairGenerator.getInstance(VerifyingKey.CURVE).generateKeyPair();
      byte[] seed = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow();
      return new SigningKey(VerifyingKey.fromJdkKey((EdECPublicKey) pair.getPublic()), seed);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK offers no Ed25519 (Java 15 or later does)", e);
    }
  }

  /** Reads the secret key file {@code file}, checking that its two halves belong together. */
  public static SigningKey read(Path file) throws IOException, ArchiveException {
    return parse(VerifyingKey.readKeyFile(file, "secret key"), "'" + file + "'");
  }

  /** Parses the secret key S-expression {@code text} from {@code source} (named in errors). */
  public static SigningKey parse(byte[] text, String source) throws ArchiveException {
    SigningKey key;
    try {
      Sexp.Group sexp = Sexp.parse(text);
      if (!sexp.name().equals("private-key")) {
        throw new ArchiveException("expected (private-key ...), found (" + sexp.name() + " ...)");
      }
      VerifyingKey publicKey = VerifyingKey.fromEcc(sexp);
      byte[] d = sexp.find("ecc").orElseThrow().value("d");
      if (d.length != VerifyingKey.LENGTH) {
        throw new ArchiveException("(d ...) must be 32 bytes, found " + d.length);
      }
      key = new SigningKey(publicKey, d);
    } catch (ArchiveException e) {
      throw new ArchiveException("cannot read the secret key in " + source + ": " + e.getMessage());
    }

    byte[] probe = "bale key check".getBytes(StandardCharsets.US_ASCII);
    if (!key.publicKey.verifies(probe, key.sign(probe))) {
      throw new ArchiveException(
          "cannot read the secret key in "
              + source
              + ": its public part (q) does not belong to its secret part (d); generate a new key");
    }
    return key;
  }

  /** Returns {@code (private-key (ecc (curve Ed25519) (q #..#) (d #..#)))}. */
  Sexp.Group toSexp() {
    Sexp.Group ecc =
        Sexp.list(
            "ecc",
            VerifyingKey.curveSexp(),
            Sexp.list("q", new Sexp.Atom(publicKey.q())),
            Sexp.list("d", new Sexp.Atom(d)));
    return Sexp.list("private-key", ecc);
  }

  /** Returns the Ed25519 signature (64 bytes, R then S) of {@code data}. */
  byte[] sign(byte[] data) {
    try {
      Signature signer = Signature.getInstance(VerifyingKey.CURVE);
      signer.initSign(toJdkKey());
      signer.update(data);
      return signer.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot sign with an Ed25519 key", e);
    }
  }

  private PrivateKey toJdkKey() throws GeneralSecurityException {
    return KeyFactory.getInstance(VerifyingKey.CURVE)
        .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, d));
  }

  /**
   * Writes {@code signing-key.sec} (mode 0600 from its creation) and {@code signing-key.pub} (0644)
   * into {@code directory}, creating it (0700) if needed. Each file appears complete or not at all.
   *
   * @throws ArchiveException if either file exists and {@code replace} is false; then nothing is
   *     written
   */
  public void write(Path directory, boolean replace) throws IOException, ArchiveException {
    Path secret = directory.resolve(SECRET_FILE);
    Path pub = directory.resolve(PUBLIC_FILE);
    if (!replace) {
      for (Path file : new Path[] {secret, pub}) {
        if (Files.exists(file)) {
          throw new ArchiveException(
              "cannot generate a key in '"
                  + directory
                  + "': '"
                  + file
                  + "' exists already; keep it, or pass --force to replace the key pair");
        }
      }
    }
    if (!Files.isDirectory(directory)) {
      Files.createDirectories(
          directory,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    writeAtomically(secret, toSexp() + "\n", OWNER_ONLY, replace);
    writeAtomically(pub, publicKey.text(), READABLE, replace);
  }

  /**
   * Writes {@code text} to a temporary file created with {@code permissions} (so that a secret is
   * never readable by others, not even for a moment) and renames it to {@code target}.
   */
  private static void writeAtomically(
      Path target, String text, Set<PosixFilePermission> permissions, boolean replace)
      throws IOException {
    FileAttribute<Set<PosixFilePermission>> attribute =
        PosixFilePermissions.asFileAttribute(permissions);
    Path temporary =
        Files.createTempFile(
            target.getParent(), "." + target.getFileName() + ".", ".part", attribute);
    try {
      // The umask may have taken bits away from 0644; it can only have taken them away.
      Files.setPosixFilePermissions(temporary, permissions);
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE);
          OutputStream out = Channels.newOutputStream(channel)) {
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        channel.force(true);
      }
      if (replace) {
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
      } else {
        Files.move(temporary, target);
      }
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SigningKey key
        && publicKey.equals(key.publicKey)
        && Arrays.equals(d, key.d);
  }

  @Override
  public int hashCode() {
    return publicKey.hashCode();
  }

  @Override
  public String toString() {
    return "secret key for " + publicKey;
  }
}
