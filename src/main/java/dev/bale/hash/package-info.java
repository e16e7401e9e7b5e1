/**
 * Content digests and the Nix base32 encoding. Everything that names bytes by their hash, from
 * store paths to image blobs, builds on the types here.
 */
package dev.bale.hash;
