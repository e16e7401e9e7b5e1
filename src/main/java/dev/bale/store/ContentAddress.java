package dev.bale.store;

import dev.bale.hash.Digest;
import dev.bale.hash.NixBase32;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.TreeSet;

/**
 * Computes store paths of recursive SHA-256 "source" items, the way Guix and Nix name what {@code
 * guix download}, {@code add-to-store} and {@code nix-store --add} put in the store.
 */
public final class ContentAddress {
  private ContentAddress() {}

  /**
   * Returns the store path of an item whose NAR has digest {@code narHash}, named {@code name}
   * under {@code directory}, referring to {@code references}.
   *
   * <p>The path hash is the SHA-256 of {@code source[:REF...]:sha256:HEX:DIR:NAME}, references as
   * full paths in sorted order, folded to 20 bytes by XOR and written in Nix base32.
   */
  public static StorePath sourcePath(
      String directory, String name, Digest narHash, Collection<StorePath> references) {
    String fingerprint = fingerprint(directory, name, narHash, references);
    byte[] full = Digest.of(fingerprint.getBytes(StandardCharsets.UTF_8)).bytes();
    return new StorePath(directory, NixBase32.encode(fold(full, 20)), name);
  }

  /** Returns the text whose SHA-256, folded, is the hash part of {@link #sourcePath}. */
  static String fingerprint(
      String directory, String name, Digest narHash, Collection<StorePath> references) {
    StringBuilder fingerprint = new StringBuilder("source");
    for (StorePath reference : new TreeSet<>(references)) {
      fingerprint.append(':').append(reference);
    }
    return fingerprint
        .append(":sha256:")
        .append(narHash.hex())
        .append(':')
        .append(directory)
        .append(':')
        .append(name)
        .toString();
  }

  /** XORs byte i of {@code hash} into byte i mod {@code size} of the result. */
  static byte[] fold(byte[] hash, int size) {
    byte[] folded = new byte[size];
    for (int i = 0; i < hash.length; i++) {
      folded[i % size] ^= hash[i];
    }
    return folded;
  }
}
