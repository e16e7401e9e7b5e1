/**
 * The Docker archive format that {@code docker save} writes and {@code docker load} and {@code
 * podman load} read, with the legacy per-layer files older loaders need.
 */
package dev.bale.image.docker;
