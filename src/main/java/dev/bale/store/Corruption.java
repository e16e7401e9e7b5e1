package dev.bale.store;

/** A valid item whose tree no longer matches what the database records, and how. */
public record Corruption(StorePath path, String reason) {}
