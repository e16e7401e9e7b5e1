package dev.bale.nar;

import dev.bale.hash.Digest;

/** The SHA-256 digest and byte size of a NAR: what a store records as NAR hash and NAR size. */
public record NarSummary(Digest hash, long size) {}
