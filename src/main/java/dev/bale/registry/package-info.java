/**
 * Pushes images to and pulls them from registries that speak the OCI Distribution API: references,
 * credentials, basic and bearer-token authentication, blob uploads and manifests, over an HTTP/1.1
 * client of its own ({@code HttpTransport}). It knows images only as blobs and manifest bytes, so
 * any image writer can hand it what to send.
 */
package dev.bale.registry;
