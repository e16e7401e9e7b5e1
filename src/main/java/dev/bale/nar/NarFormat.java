package dev.bale.nar;

/** Constants of the NAR format shared by the writer and the reader. */
final class NarFormat {
  /** The first string of every NAR. */
  static final String MAGIC = "nix-archive-1";

  private NarFormat() {}
}
