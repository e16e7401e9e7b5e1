package dev.bale.image;

import dev.bale.hash.Digest;

/**
 * What writing a layer found out about its bytes.
 *
 * @param digest the digest of the blob as stored (compressed, when it is)
 * @param size the size of the blob as stored
 * @param diffId the digest of the uncompressed tar
 * @param tarSize the size of the uncompressed tar
 */
public record WrittenLayer(Digest digest, long size, Digest diffId, long tarSize) {}
