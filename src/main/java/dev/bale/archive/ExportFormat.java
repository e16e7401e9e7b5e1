package dev.bale.archive;

/**
 * Constants of the export format that {@code nix-store --export} and {@code guix archive --export}
 * write.
 *
 * <p>The archive is a sequence of items, each introduced by {@link #ITEM} and ended by {@link #END}
 * after the last one. An item is its NAR, then {@link #MAGIC}, the store path, the number of
 * references and each reference, the deriver (an empty string when none) and a signature flag.
 * Numbers are little-endian u64; strings are a u64 length, the bytes and zero padding to a multiple
 * of 8, as in the NAR format.
 */
final class ExportFormat {
  /** Precedes each item. */
  static final long ITEM = 1;

  /** Follows the last item. */
  static final long END = 0;

  /** Separates an item's NAR from its metadata: "NIXE" read as a little-endian number. */
  static final long MAGIC = 0x4558494eL;

  /** The signature flag of an unsigned item. */
  static final long UNSIGNED = 0;

  /** The signature flag of an item followed by a signature. */
  static final long SIGNED = 1;

  /** The longest store path or deriver accepted, as the longest path Linux accepts. */
  static final int MAX_PATH_LENGTH = 4096;

  /** The longest signature accepted; an Ed25519 signature's text is about 400 bytes. */
  static final int MAX_SIGNATURE_LENGTH = 1 << 16;

  /**
   * The most references one item may list; real items have at most a few hundred, and a bound keeps
   * a hostile archive from making the reader collect references forever.
   */
  static final long MAX_REFERENCES = 1 << 16;

  private ExportFormat() {}
}
