package dev.bale.store;

import java.nio.file.Path;

/**
 * An item to register in the embedded store: what the database will record, and the restored tree,
 * somewhere inside a {@link TemporaryDirectory} of that store, that will become the item.
 */
public record Registration(PathInfo info, Path tree) {}
