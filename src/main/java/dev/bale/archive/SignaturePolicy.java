package dev.bale.archive;

import java.util.List;

/**
 * What an import demands of signatures.
 *
 * <p>A signature that is present is always checked: the hash it names must be the record hash
 * computed from the archive and it must verify with the key it names, or the import is refused (the
 * archive is damaged or forged). Then the key must be {@code authorized}, unless {@code
 * allowUnsigned} is set, which also accepts items with no signature at all, as {@code nix-store
 * --export} writes them.
 */
public record SignaturePolicy(AuthorizedKeys authorized, boolean allowUnsigned) {
  /** Accepts unsigned items and items signed by any key, as long as their signatures verify. */
  public static SignaturePolicy allowingUnsigned() {
    return new SignaturePolicy(AuthorizedKeys.of(List.of()), true);
  }
}
