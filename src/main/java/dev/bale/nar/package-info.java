/**
 * The Nix archive (NAR) format: writing a tree as a NAR, and reading one back while restoring and
 * hashing it. It knows nothing of stores or images; {@link dev.bale.nar.NarFormatException} names
 * what is wrong with a bad archive.
 */
package dev.bale.nar;
