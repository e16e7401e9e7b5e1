package dev.bale.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bale.event.EventSink;
import dev.bale.event.Level;
import dev.bale.hash.Digest;
import dev.bale.hash.DigestingInputStream;
import dev.bale.image.Json;
import dev.bale.store.ProcessTag;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Copies an image from a registry into an OCI image layout directory, checking the digest and size
 * of everything it fetches, and of the blobs an existing layout already holds. What it fetches
 * waits in a staging directory until all of it is verified: a new directory is then renamed into
 * place, and into an existing layout the blobs are moved before {@code index.json} is replaced in
 * one rename.
 */
final class Puller {
  private static final int MAX_MANIFEST = 4 << 20;
  private static final String ACCEPT =
      String.join(
          ", ",
          MediaTypes.OCI_INDEX,
          MediaTypes.DOCKER_MANIFEST_LIST,
          MediaTypes.OCI_MANIFEST,
          MediaTypes.DOCKER_MANIFEST);
  private static final String REF_NAME = "org.opencontainers.image.ref.name";

  private final RegistryConnection connection;
  private final EventSink events;
  private final int parallelFetches;

  /** Fetches up to {@code parallelFetches} blobs at once, as a push sends them. */
  Puller(RegistryConnection connection, EventSink events, int parallelFetches) {
    this.connection = connection;
    this.events = events;
    this.parallelFetches = parallelFetches;
  }

  Digest pull(ImageReference source, Platform platform, Path directory) throws RegistryException {
    Manifest top = fetchManifest(source.manifestKey(), source.digest());
    if (top.isIndex() && platform != null) {
      Digest chosen = choose(top, platform, source);
      top = fetchManifest(chosen.toString(), chosen);
    }

    // Everything fetched waits in a staging directory until every digest has been checked, so
    // that a failed fetch leaves an existing layout exactly as it was. Inside an existing layout,
    // the staged blobs are on its file system even when the layout is a mount point.
    // LIMITATION: once checked, blobs are moved into an existing layout one by one before its
    // index.json is replaced: a failure among those moves, or a kill then, leaves unreferenced
    // blobs in the layout; nothing removes them yet. The hidden staging directory of a killed
    // pull is named after its process, and the next pull there removes it.
    boolean fresh = !Files.exists(directory);
    Path existing = fresh ? null : directory;
    Path staging = fresh ? stagingDirectory(directory) : hiddenStaging(directory);
    try {
      Files.createDirectories(blobs(staging));
      storeManifest(staging, existing, top);
      if (top.isIndex()) {
        for (JsonNode entry : read(top).path("manifests")) {
          Digest digest = Digest.parse(entry.path("digest").asText());
          Manifest child = fetchManifest(digest.toString(), digest);
          storeManifest(staging, existing, child);
        }
      }
      JsonNode platformNode = platformOf(top, staging, existing);
      if (fresh) {
        writeIndex(staging, top, platformNode, source.tag());
        Files.move(staging, directory, StandardCopyOption.ATOMIC_MOVE);
      } else {
        addBlobs(staging, directory);
        writeIndex(directory, top, platformNode, source.tag());
      }
      return top.digest();
    } catch (IOException e) {
      throw new RegistryException(
          "cannot write the pulled image to '" + directory + "': " + e.getMessage(), e);
    } finally {
      if (Files.exists(staging)) {
        deleteTree(staging);
      }
    }
  }

  /**
   * Returns the platform of a single image's config, as {@code pack} puts it in the index entry
   * (architecture, os, variant), or null for an index or a config that names none.
   */
  private JsonNode platformOf(Manifest top, Path staging, Path existing)
      throws IOException, RegistryException {
    if (top.isIndex()) {
      return null;
    }
    Digest configDigest = Digest.parse(read(top).path("config").path("digest").asText());
    Path config = blobPath(staging, configDigest);
    if (!Files.exists(config)) {
      config = blobPath(existing, configDigest);
    }
    JsonNode json;
    try {
      json = Json.read(config);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      // An artifact whose config is not an image config has no platform to name.
      return null;
    }
    String architecture = json.path("architecture").asText("");
    String os = json.path("os").asText("");
    if (architecture.isEmpty() || os.isEmpty()) {
      return null;
    }
    ObjectNode platform = Json.object();
    platform.put("architecture", architecture);
    platform.put("os", os);
    if (!json.path("variant").asText("").isEmpty()) {
      platform.put("variant", json.path("variant").asText());
    }
    return platform;
  }

  /** Moves the verified blobs from {@code staging} into the layout {@code directory}. */
  private static void addBlobs(Path staging, Path directory) throws IOException {
    Path target = Files.createDirectories(blobs(directory));
    try (Stream<Path> files = Files.list(blobs(staging))) {
      for (Path blob : files.toList()) {
        Files.move(
            blob,
            target.resolve(blob.getFileName()),
            StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private static Path hiddenStaging(Path layout) throws RegistryException {
    try {
      return newStaging(layout, ".pull-");
    } catch (IOException e) {
      throw new RegistryException("cannot write to '" + layout + "': " + e.getMessage(), e);
    }
  }

  /** Returns a new staging directory beside {@code directory}, for a pull into it. */
  static Path stagingDirectory(Path directory) throws RegistryException {
    Path parent = directory.toAbsolutePath().getParent();
    try {
      Files.createDirectories(parent);
      return newStaging(parent, "." + directory.getFileName() + ".pull-");
    } catch (IOException e) {
      throw new RegistryException("cannot create '" + directory + "': " + e.getMessage(), e);
    }
  }

  /**
   * Creates the directory {@code PREFIX TAG} in {@code parent}, TAG naming this process, after
   * removing those that killed pulls left there: their process has ended.
   */
  private static Path newStaging(Path parent, String prefix) throws IOException {
    try (Stream<Path> siblings = Files.list(parent)) {
      for (Path sibling : siblings.toList()) {
        String name = sibling.getFileName().toString();
        if (name.startsWith(prefix)
            && ProcessTag.isStale(name.substring(prefix.length()))
            && Files.isDirectory(sibling, LinkOption.NOFOLLOW_LINKS)) {
          deleteTree(sibling);
        }
      }
    }
    return Files.createDirectory(parent.resolve(prefix + ProcessTag.next()));
  }

  static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // A leftover hidden temporary directory is untidy but harmless.
    }
  }

  private Manifest fetchManifest(String key, Digest expected) throws RegistryException {
    URI uri = connection.repositoryUri("manifests/" + key);
    String what = "get manifest '" + key + "'";
    Response response =
        connection.send(Request.get(uri).header("Accept", ACCEPT), Response.Reading.BYTES, what);
    if (response.statusCode() != 200) {
      throw connection.failure(what, response);
    }
    byte[] bytes = response.bytes();
    if (bytes.length > MAX_MANIFEST) {
      throw new RegistryException(
          "manifest '" + key + "' of '" + connection.repository() + "' is over 4 MiB");
    }
    String mediaType = response.header("Content-Type").map(t -> t.split(";")[0].trim()).orElse("");
    if (!MediaTypes.isIndex(mediaType) && !MediaTypes.isManifest(mediaType)) {
      mediaType = readMediaType(bytes, key);
    }
    Manifest manifest = new Manifest(mediaType, bytes);
    if (expected != null && !manifest.digest().equals(expected)) {
      throw new RegistryException(
          "manifest '"
              + key
              + "' from registry '"
              + connection.registry()
              + "' has digest "
              + manifest.digest()
              + ", not the one asked for");
    }
    return manifest;
  }

  private String readMediaType(byte[] bytes, String key) throws RegistryException {
    String mediaType;
    try {
      mediaType = Json.read(bytes).path("mediaType").asText("");
    } catch (IOException e) {
      mediaType = "";
    }
    if (!MediaTypes.isIndex(mediaType) && !MediaTypes.isManifest(mediaType)) {
      throw new RegistryException(
          "manifest '"
              + key
              + "' of '"
              + connection.repository()
              + "' has media type '"
              + mediaType
              + "', which bale cannot pull (OCI and Docker schema 2 only)");
    }
    return mediaType;
  }

  private JsonNode read(Manifest manifest) throws RegistryException {
    try {
      return Json.read(manifest.bytes());
    } catch (IOException e) {
      throw new RegistryException(
          "manifest " + manifest.digest() + " from '" + connection.registry() + "' is not JSON");
    }
  }

  private Digest choose(Manifest index, Platform platform, ImageReference source)
      throws RegistryException {
    List<String> offered = new ArrayList<>();
    for (JsonNode entry : read(index).path("manifests")) {
      JsonNode p = entry.path("platform");
      Platform candidate =
          new Platform(
              p.path("os").asText("?"),
              p.path("architecture").asText("?"),
              p.path("variant").asText(null));
      offered.add(candidate.toString());
      boolean variantMatches =
          platform.variant() == null || platform.variant().equals(candidate.variant());
      if (candidate.os().equals(platform.os())
          && candidate.architecture().equals(platform.architecture())
          && variantMatches) {
        return Digest.parse(entry.path("digest").asText());
      }
    }
    throw new RegistryException(
        "image '"
            + source
            + "' has no manifest for platform '"
            + platform
            + "'; it has "
            + String.join(", ", offered));
  }

  /**
   * Writes {@code manifest} and the blobs it names into {@code staging}, but for those that {@code
   * existing} (a layout, or null) already holds intact.
   */
  private void storeManifest(Path staging, Path existing, Manifest manifest)
      throws IOException, RegistryException {
    if (!holds(staging, existing, manifest.digest(), manifest.size())) {
      writeBlob(
          staging,
          manifest.digest(),
          manifest.size(),
          new java.io.ByteArrayInputStream(manifest.bytes()));
    }
    if (manifest.isIndex()) {
      return;
    }
    JsonNode json = read(manifest);
    List<JsonNode> descriptors = new ArrayList<>();
    descriptors.add(json.path("config"));
    json.path("layers").forEach(descriptors::add);
    Map<Digest, Long> missing = new LinkedHashMap<>();
    for (JsonNode descriptor : descriptors) {
      Digest digest = Digest.parse(descriptor.path("digest").asText());
      long size = descriptor.path("size").asLong(-1);
      if (!missing.containsKey(digest) && !holds(staging, existing, digest, size)) {
        missing.put(digest, size);
      }
    }
    fetchBlobs(staging, missing);
  }

  /**
   * Fetches {@code missing} (digests and sizes) into {@code staging}, several at once: each round
   * trip to a registry elsewhere is mostly waiting. The first failure stops the others.
   */
  private void fetchBlobs(Path staging, Map<Digest, Long> missing)
      throws IOException, RegistryException {
    if (missing.size() <= 1 || parallelFetches <= 1) {
      for (Map.Entry<Digest, Long> blob : missing.entrySet()) {
        fetchBlob(staging, blob.getKey(), blob.getValue());
      }
      return;
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(parallelFetches, missing.size()), RegistryClient.daemonThreads("bale-fetch"));
    try {
      // Fetches are awaited as they end, so that the first to fail stops the others at once.
      CompletionService<Void> fetches = new ExecutorCompletionService<>(pool);
      for (Map.Entry<Digest, Long> blob : missing.entrySet()) {
        fetches.submit(
            () -> {
              fetchBlob(staging, blob.getKey(), blob.getValue());
              return null;
            });
      }
      for (int i = 0; i < missing.size(); i++) {
        await(fetches);
      }
    } finally {
      // Interrupts what still runs after a failure (the transport closes their connections), and
      // waits for it to end, so that nothing writes into the staging directory as it is removed.
      pool.shutdownNow();
      awaitEnd(pool);
    }
  }

  private static void awaitEnd(ExecutorService pool) {
    try {
      // An interrupted fetch ends at once: its socket and its file channel are closed by the
      // interrupt. The bound only keeps a broken one from holding the command forever.
      pool.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void await(CompletionService<Void> fetches) throws IOException, RegistryException {
    try {
      fetches.take().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException("interrupted while fetching blobs");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RegistryException registry) {
        throw registry;
      }
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new RegistryException("fetching a blob failed: " + e.getCause(), e.getCause());
    }
  }

  /**
   * Tells whether the blob is already staged (and so verified) or in the layout {@code existing}
   * with the right size and digest; a damaged one there is fetched again and replaced.
   */
  private boolean holds(Path staging, Path existing, Digest digest, long size) throws IOException {
    if (Files.exists(blobPath(staging, digest))) {
      return true;
    }
    if (existing == null || !Files.isRegularFile(blobPath(existing, digest))) {
      return false;
    }
    Path blob = blobPath(existing, digest);
    long found = Files.size(blob);
    if (size >= 0 && found != size) {
      events.log(
          Level.WARN,
          "blob "
              + digest
              + " in '"
              + existing
              + "' has "
              + found
              + " bytes, not "
              + size
              + "; fetching it again");
      return false;
    }
    // Reading the file costs less than fetching it, and a layout must never name a wrong blob.
    DigestingInputStream digesting = new DigestingInputStream(Files.newInputStream(blob));
    try (digesting) {
      digesting.transferTo(OutputStream.nullOutputStream());
    }
    if (!digesting.digest().equals(digest)) {
      events.log(
          Level.WARN,
          "blob " + digest + " in '" + existing + "' has other content; fetching it again");
      return false;
    }
    return true;
  }

  private void fetchBlob(Path layout, Digest digest, long size)
      throws IOException, RegistryException {
    URI uri = connection.repositoryUri("blobs/" + digest);
    String what = "get blob '" + digest + "'";
    Response response = connection.send(Request.get(uri), Response.Reading.STREAM, what);
    int status = response.statusCode();
    if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
      // Storage behind a redirect gets no registry credentials.
      URI location = uri.resolve(response.header("Location").orElse(""));
      response.discard();
      response = connection.sendAnonymously(Request.get(location), Response.Reading.STREAM, what);
    }
    if (response.statusCode() != 200) {
      throw connection.failure(what, response);
    }
    try (InputStream in = response.stream()) {
      writeBlob(layout, digest, size, in);
    }
    events.log(Level.LIFECYCLE, "blob " + digest + " pulled");
  }

  private void writeBlob(Path layout, Digest digest, long size, InputStream in)
      throws IOException, RegistryException {
    Path target = blobPath(layout, digest);
    Path temporary = Files.createTempFile(target.getParent(), ".pull-", ".tmp");
    try {
      // One byte past the descriptor's size shows that a registry sends too much, without
      // letting a broken or hostile one fill the disk.
      DigestingInputStream digesting =
          new DigestingInputStream(size >= 0 ? new BoundedInputStream(in, size + 1) : in);
      try (OutputStream out = Files.newOutputStream(temporary)) {
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = digesting.read(buffer)) >= 0; ) {
          out.write(buffer, 0, n);
          events.progress(digest.toString(), digesting.size(), size);
        }
      }
      if (size >= 0 && digesting.size() != size) {
        throw new RegistryException(
            "blob "
                + digest
                + " from registry '"
                + connection.registry()
                + "' has "
                + (digesting.size() > size ? "more than" : digesting.size() + " bytes, not")
                + " the "
                + size
                + " bytes its descriptor says");
      }
      Digest actual = digesting.digest();
      if (!actual.equals(digest)) {
        throw new RegistryException(
            "blob "
                + digest
                + " from registry '"
                + connection.registry()
                + "' has the wrong digest "
                + actual);
      }
      Files.move(
          temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  private static Path blobs(Path layout) {
    return layout.resolve("blobs").resolve(Digest.ALGORITHM);
  }

  private static Path blobPath(Path layout, Digest digest) {
    return blobs(layout).resolve(digest.hex());
  }

  private static void writeIndex(Path layout, Manifest top, JsonNode platform, String tag)
      throws IOException {
    Files.writeString(
        layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}", StandardCharsets.UTF_8);
    Path indexFile = layout.resolve("index.json");
    ObjectNode index;
    if (Files.exists(indexFile)) {
      index = (ObjectNode) Json.read(indexFile);
    } else {
      index = Json.object();
      index.put("schemaVersion", 2);
      index.put("mediaType", MediaTypes.OCI_INDEX);
    }
    ArrayNode kept = Json.array();
    for (JsonNode entry : index.path("manifests")) {
      String name = entry.path("annotations").path(REF_NAME).asText(null);
      boolean replaced =
          tag != null
              ? tag.equals(name)
              : name == null && entry.path("digest").asText().equals(top.digest().toString());
      if (!replaced) {
        kept.add(entry);
      }
    }
    ObjectNode entry = kept.addObject();
    entry.put("mediaType", top.mediaType());
    entry.put("digest", top.digest().toString());
    entry.put("size", top.size());
    if (platform != null) {
      entry.set("platform", platform);
    }
    if (tag != null) {
      entry.putObject("annotations").put(REF_NAME, tag);
    }
    index.set("manifests", kept);
    Path temporary = Files.createTempFile(layout, ".index-", ".tmp");
    try {
      Files.write(temporary, Json.write(index));
      Files.move(
          temporary,
          indexFile,
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }
}
