/**
 * Stores of items: store paths, the embedded store with its SQLite database in the Guix/Nix schema,
 * read-only views of Guix and Nix stores, closures, reference scanning and adding items. Nothing
 * here knows of images or registries.
 */
package dev.bale.store;
