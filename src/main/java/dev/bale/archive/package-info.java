/**
 * The Guix/Nix export format: writing the closure of store items as one archive, and importing such
 * an archive into a store all at once or not at all. Signatures and the authorisation list that
 * guards imports belong here too.
 */
package dev.bale.archive;
