package dev.bale.hash;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A SHA-256 digest of some bytes, written {@code sha256:HEX} in image documents and {@code
 * sha256:BASE32} in Nix path info.
 */
public record Digest(byte[] bytes) implements Comparable<Digest> {
  /** The algorithm name as image documents and Nix hashes spell it. */
  public static final String ALGORITHM = "sha256";

  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

  /** Checks and copies the 32 digest bytes. */
  public Digest {
    if (bytes.length != 32) {
      throw new IllegalArgumentException("a SHA-256 digest has 32 bytes, not " + bytes.length);
    }
    bytes = bytes.clone();
  }

  /** Returns a copy of the digest bytes. */
  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** Returns a new SHA-256 message digest. */
  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK provides no SHA-256", e);
    }
  }

  /** Returns the digest of {@code data}. */
  public static Digest of(byte[] data) {
    return new Digest(newSha256().digest(data));
  }

  /**
   * Parses {@code sha256:HEX} (image form) or {@code sha256:BASE32} (Nix form).
   *
   * @throws IllegalArgumentException if {@code text} is neither
   */
  public static Digest parse(String text) {
    if (!text.startsWith(ALGORITHM + ":")) {
      throw new IllegalArgumentException("digest '" + text + "' does not start with sha256:");
    }
    String value = text.substring(ALGORITHM.length() + 1);
    if (HEX.matcher(value).matches()) {
      return new Digest(HexFormat.of().parseHex(value));
    }
    if (value.length() == NixBase32.encodedLength(32)) {
      return new Digest(NixBase32.decode(value, 32));
    }
    throw new IllegalArgumentException("digest '" + text + "' is neither hex nor Nix base32");
  }

  /** Returns the lower-case hex form, without the algorithm. */
  public String hex() {
    return HexFormat.of().formatHex(bytes);
  }

  /** Returns the Nix base32 form, without the algorithm. */
  public String base32() {
    return NixBase32.encode(bytes);
  }

  /** Returns {@code sha256:BASE32}, the form Nix and Guix databases store. */
  public String toNixString() {
    return ALGORITHM + ":" + base32();
  }

  /** Returns {@code sha256:HEX}, the form image documents use. */
  @Override
  public String toString() {
    return ALGORITHM + ":" + hex();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Digest d && MessageDigest.isEqual(bytes, d.bytes);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(bytes);
  }

  @Override
  public int compareTo(Digest other) {
    return java.util.Arrays.compareUnsigned(bytes, other.bytes);
  }
}
