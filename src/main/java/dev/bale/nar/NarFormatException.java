package dev.bale.nar;

import java.io.IOException;

/**
 * Signals a NAR that bale will not accept: malformed, truncated or hostile, or holding something
 * bale cannot restore faithfully. The message names the byte offset of the offending field, counted
 * from the start of the NAR.
 */
public final class NarFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final long offset;

  private NarFormatException(String message, long offset) {
    super(message);
    this.offset = offset;
  }

  /** Returns an exception for an archive that breaks the NAR format at {@code offset}. */
  static NarFormatException malformed(long offset, String reason) {
    return new NarFormatException("bad NAR at byte " + offset + ": " + reason, offset);
  }

  /** Returns an exception for a valid archive holding something bale cannot restore as is. */
  static NarFormatException unrestorable(long offset, String reason) {
    return new NarFormatException("cannot restore NAR at byte " + offset + ": " + reason, offset);
  }

  /** Returns the offset of the offending field from the start of the NAR. */
  public long offset() {
    return offset;
  }
}
