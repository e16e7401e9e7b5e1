package dev.bale.hash;

/**
 * Encodes and decodes the base32 variant Nix and Guix use in store paths and NAR hashes.
 *
 * <p>The alphabet omits {@code e o t u} and the bytes are read as one little-endian number from the
 * end, five bits per character, so a 20-byte hash gives 32 characters and a 32-byte hash 52.
 */
public final class NixBase32 {
  static final String ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz";

  private NixBase32() {}

  /** Returns the number of characters that encode {@code byteCount} bytes. */
  public static int encodedLength(int byteCount) {
    return (byteCount * 8 + 4) / 5;
  }

  /** Encodes {@code bytes}. */
  public static String encode(byte[] bytes) {
    int length = encodedLength(bytes.length);
    StringBuilder out = new StringBuilder(length);
    for (int n = length - 1; n >= 0; n--) {
      int bit = n * 5;
      int i = bit / 8;
      int shift = bit % 8;
      int low = (bytes[i] & 0xff) >> shift;
      int high = i + 1 < bytes.length ? (bytes[i + 1] & 0xff) << (8 - shift) : 0;
      out.append(ALPHABET.charAt((low | high) & 0x1f));
    }
    return out.toString();
  }

  /**
   * Decodes {@code text} into {@code byteCount} bytes.
   *
   * @throws IllegalArgumentException if the text has the wrong length, a character outside the
   *     alphabet, or bits set beyond {@code byteCount} bytes
   */
  public static byte[] decode(String text, int byteCount) {
    if (text.length() != encodedLength(byteCount)) {
      throw new IllegalArgumentException(
          "base32 text '" + text + "' should have " + encodedLength(byteCount) + " characters");
    }
    byte[] bytes = new byte[byteCount];
    for (int n = 0; n < text.length(); n++) {
      int digit = ALPHABET.indexOf(text.charAt(text.length() - 1 - n));
      if (digit < 0) {
        throw new IllegalArgumentException(
            "base32 text '" + text + "' has a character outside the Nix alphabet");
      }
      int bit = n * 5;
      int i = bit / 8;
      int shift = bit % 8;
      bytes[i] |= (byte) (digit << shift);
      int carry = digit >> (8 - shift);
      if (i + 1 < byteCount) {
        bytes[i + 1] |= (byte) carry;
      } else if (carry != 0) {
        throw new IllegalArgumentException("base32 text '" + text + "' has excess bits");
      }
    }
    return bytes;
  }

  /** Tells whether {@code c} is a character of the alphabet. */
  public static boolean isDigit(char c) {
    return ALPHABET.indexOf(c) >= 0;
  }
}
