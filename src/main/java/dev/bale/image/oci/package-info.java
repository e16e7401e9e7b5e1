/**
 * The OCI image layout ({@code oci-layout}, {@code index.json}, {@code blobs/sha256/HEX}), as a
 * directory and as a tar archive, as the OCI image specification 1.1 defines it.
 */
package dev.bale.image.oci;
