/**
 * Pushes images to and pulls them from registries that speak the OCI Distribution API: references,
 * credentials, basic and bearer-token authentication, blob uploads and manifests. It knows images
 * only as blobs and manifest bytes, so any image writer can hand it what to send.
 */
package dev.bale.registry;
