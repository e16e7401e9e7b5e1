/**
 * The image model: descriptors, platforms, configs, manifests, indexes and layers planned from a
 * closure. Output formats in the subpackages turn an {@link dev.bale.image.Image} into files.
 */
package dev.bale.image;
