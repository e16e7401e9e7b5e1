/**
 * Reproducible tar writing: entries in byte order of their paths, fixed times and owners, GNU
 * long-name entries. Layers and image archives are written with it, so equal trees give equal bytes
 * on any machine.
 */
package dev.bale.tar;
