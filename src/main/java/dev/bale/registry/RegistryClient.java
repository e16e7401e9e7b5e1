package dev.bale.registry;

import dev.bale.event.EventSink;
import dev.bale.event.Level;
import dev.bale.hash.Digest;
import dev.bale.store.Stores;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pushes images to and pulls them from registries that speak the OCI Distribution API. Build one
 * with {@link #builder()}; an instance is safe to reuse for several pushes and pulls, and closed
 * when the last has ended.
 */
public final class RegistryClient implements AutoCloseable {
  /** How many blobs a client uploads at once unless its builder says otherwise. */
  public static final int PARALLEL_UPLOADS = 3;

  private final CredentialProvider credentials;
  private final EventSink events;
  private final boolean plainHttp;
  private final boolean insecure;
  private final MountHistory history;
  private final RetryPolicy retry;
  private final int parallelUploads;
  private final long chunkThreshold;
  private final int chunkSize;
  private final HttpTransport http;

  /**
   * The connections made so far, by registry and repository: a push after {@link #checkReachable}
   * asks the registry again neither for its API nor for a token, a round trip or two to a registry
   * elsewhere.
   */
  private final Map<String, RegistryConnection> connections = new ConcurrentHashMap<>();

  private RegistryClient(Builder builder) {
    this.credentials = builder.credentials;
    this.events = builder.events;
    this.plainHttp = builder.plainHttp;
    this.insecure = builder.insecure;
    this.history = new MountHistory(builder.stateDirectory);
    this.retry = builder.retry;
    this.parallelUploads = builder.parallelUploads;
    this.chunkThreshold = builder.chunkThreshold;
    this.chunkSize = builder.chunkSize;
    this.http = new HttpTransport(insecure);
  }

  /**
   * Returns a builder with anonymous access, no events, TLS checked and {@link #PARALLEL_UPLOADS}
   * parallel uploads.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns how many blobs this client sends, or a pull fetches, at once. */
  public int parallelUploads() {
    return parallelUploads;
  }

  /**
   * Pushes {@code image} to {@code target}: each blob the repository lacks, then the manifest under
   * the tag (or digest) of {@code target}.
   *
   * @return the reference with the manifest digest, and what was sent, mounted and skipped
   * @throws RegistryException if the registry refuses or keeps failing; the tag is then left as it
   *     was
   */
  public PushResult push(ImageReference target, PushImage image) throws RegistryException {
    return pushAll(target, List.of(image), null);
  }

  /**
   * Pushes a multi-platform image to {@code target}: the blobs and manifest of every image, each
   * manifest by its digest, then {@code index} under the tag.
   *
   * @param index an index (or Docker manifest list) listing the manifests of {@code images}
   * @throws RegistryException if the registry refuses or keeps failing; the tag is then left as it
   *     was
   */
  public PushResult pushIndex(ImageReference target, Manifest index, List<PushImage> images)
      throws RegistryException {
    if (!index.isIndex()) {
      throw new IllegalArgumentException("pushIndex needs an index, not " + index.mediaType());
    }
    return pushAll(target, images, index);
  }

  /**
   * Checks that the registry of {@code target} answers and lets this client push there, so that a
   * caller can fail before long work such as digesting layers.
   *
   * @throws RegistryException if the registry cannot be reached or refuses the credentials
   */
  public void checkReachable(ImageReference target) throws RegistryException {
    connect(target, List.of(pushScope(target)));
  }

  private static String pushScope(ImageReference target) {
    return "repository:" + target.repository() + ":pull,push";
  }

  private PushResult pushAll(ImageReference target, List<PushImage> images, Manifest index)
      throws RegistryException {
    Map<Digest, Blob> blobs = new LinkedHashMap<>();
    for (PushImage image : images) {
      for (Blob blob : image.blobs()) {
        blobs.putIfAbsent(blob.digest(), blob);
      }
    }
    Map<Digest, List<String>> sources =
        history.sources(blobs.keySet(), target.registry(), target.repository());
    Set<String> mountRepositories = new LinkedHashSet<>();
    sources.values().forEach(mountRepositories::addAll);

    List<String> scopes = new ArrayList<>();
    scopes.add(pushScope(target));
    mountRepositories.forEach(repository -> scopes.add("repository:" + repository + ":pull"));
    RegistryConnection connection = connect(target, scopes);

    AtomicLong bytesSent = new AtomicLong();
    Map<BlobUploader.Outcome, Integer> outcomes = uploadAll(connection, blobs, sources, bytesSent);

    for (PushImage image : images) {
      if (index != null) {
        putManifest(connection, image.manifest(), image.manifest().digest().toString());
      }
    }
    Manifest top = index != null ? index : images.get(0).manifest();
    Digest digest = putManifest(connection, top, target.manifestKey());
    if (target.digest() != null && !target.digest().equals(digest)) {
      throw new RegistryException(
          "cannot push to '" + target + "': the manifest's digest is " + digest);
    }
    try {
      history.record(blobs.keySet(), target.registry(), target.repository());
    } catch (IOException e) {
      events.log(Level.WARN, "cannot remember pushed blobs for later mounts: " + e.getMessage());
    }
    return new PushResult(
        target.withDigest(digest),
        outcomes.getOrDefault(BlobUploader.Outcome.SENT, 0),
        outcomes.getOrDefault(BlobUploader.Outcome.MOUNTED, 0),
        outcomes.getOrDefault(BlobUploader.Outcome.SKIPPED, 0),
        bytesSent.get());
  }

  private Map<BlobUploader.Outcome, Integer> uploadAll(
      RegistryConnection connection,
      Map<Digest, Blob> blobs,
      Map<Digest, List<String>> sources,
      AtomicLong bytesSent)
      throws RegistryException {
    BlobUploader uploader =
        new BlobUploader(connection, events, retry, chunkThreshold, chunkSize, bytesSent);
    ExecutorService pool =
        Executors.newFixedThreadPool(parallelUploads, daemonThreads("bale-upload"));
    try {
      List<Future<BlobUploader.Outcome>> futures = new ArrayList<>();
      for (Blob blob : blobs.values()) {
        futures.add(pool.submit(() -> uploader.upload(blob, sources.get(blob.digest()))));
      }
      Map<BlobUploader.Outcome, Integer> outcomes = new LinkedHashMap<>();
      for (Future<BlobUploader.Outcome> future : futures) {
        outcomes.merge(await(future), 1, Integer::sum);
      }
      return outcomes;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Makes threads named {@code name} that do not keep the JVM from exiting. */
  static java.util.concurrent.ThreadFactory daemonThreads(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  private static <T> T await(Future<T> future) throws RegistryException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException("interrupted while uploading blobs");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RegistryException registry) {
        throw registry;
      }
      throw new RegistryException("uploading a blob failed: " + e.getCause(), e.getCause());
    }
  }

  private Digest putManifest(RegistryConnection connection, Manifest manifest, String key)
      throws RegistryException {
    URI uri = connection.repositoryUri("manifests/" + key);
    String what = "put manifest '" + key + "'";
    Request request =
        Request.put(uri)
            .header("Content-Type", manifest.mediaType())
            .body(Request.Body.of(manifest.bytes()));
    Response response = connection.send(request, Response.Reading.BYTES, what);
    if (response.statusCode() != 201) {
      throw connection.failure(what, response);
    }
    Digest digest = manifest.digest();
    Optional<String> reported = response.header("Docker-Content-Digest");
    if (reported.isPresent() && !reported.get().equals(digest.toString())) {
      throw new RegistryException(
          "registry '"
              + connection.registry()
              + "' stored manifest '"
              + key
              + "' as "
              + reported.get()
              + " but bale sent "
              + digest);
    }
    events.log(Level.LIFECYCLE, "manifest " + digest + " put as " + key);
    return digest;
  }

  /**
   * Pulls {@code source} into the OCI layout directory {@code directory}, verifying the digest and
   * size of every manifest and blob. An index is kept whole unless {@code platform} picks one of
   * its manifests.
   *
   * @param platform the platform to pick from an index, or null to keep every platform
   * @return the digest of the manifest (or index) the layout's {@code index.json} names
   * @throws RegistryException if the registry refuses, a digest does not match, or the directory
   *     cannot be written; the directory is then left as it was
   */
  public Digest pull(ImageReference source, Platform platform, Path directory)
      throws RegistryException {
    String scope = "repository:" + source.repository() + ":pull";
    RegistryConnection connection = connect(source, List.of(scope));
    return new Puller(connection, events, parallelUploads).pull(source, platform, directory);
  }

  /**
   * Pulls {@code source} into {@code output} in {@code format}: a directory, or a tar file that is
   * written under a temporary name and renamed, so that a failed pull leaves {@code output} as it
   * was.
   *
   * @param platform the platform to pick from an index, or null to keep every platform (a Docker
   *     archive then needs an index of one image)
   * @return the digest of the manifest (or index) pulled
   * @throws RegistryException if the registry refuses, a digest does not match, or the output
   *     cannot be written
   */
  public Digest pull(ImageReference source, Platform platform, Path output, PullFormat format)
      throws RegistryException {
    if (format == PullFormat.OCI_DIR) {
      return pull(source, platform, output);
    }
    Path staging = Puller.stagingDirectory(output);
    try {
      Path layout = staging.resolve("layout");
      Digest digest = pull(source, platform, layout);
      Map<String, byte[]> extra =
          format == PullFormat.DOCKER_ARCHIVE
              ? Map.of("manifest.json", DockerArchiveManifest.of(layout, source))
              : Map.of();
      Path tar = staging.resolve("image.tar");
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tar))) {
        // podman load reads a tar holding an index.json as an OCI archive, which loses the
        // tags of manifest.json; so a Docker archive holds blobs and manifest.json only.
        LayoutTar.write(layout, extra, format == PullFormat.DOCKER_ARCHIVE, out);
      }
      Files.move(tar, output, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return digest;
    } catch (IOException e) {
      throw new RegistryException(
          "cannot write the pulled image to '" + output + "': " + e.getMessage(), e);
    } finally {
      Puller.deleteTree(staging);
    }
  }

  /** Returns the connection to the registry of {@code target}, made before or now. */
  private RegistryConnection connect(ImageReference target, List<String> scopes)
      throws RegistryException {
    RegistryConnection made = connections.get(connectionKey(target));
    if (made != null) {
      made.widen(scopes);
      return made;
    }
    RegistryConnection connection = open(target, scopes);
    connections.put(connectionKey(target), connection);
    return connection;
  }

  private static String connectionKey(ImageReference target) {
    return target.registry() + "/" + target.repository();
  }

  private RegistryConnection open(ImageReference target, List<String> scopes)
      throws RegistryException {
    Optional<Credentials> found = credentials.find(target);
    List<String> schemes = schemes(target.hostName(), plainHttp, insecure);
    String scheme = schemes.get(0);
    if (schemes.size() > 1 && TlsProbe.probe(target) == TlsProbe.Outcome.NOT_TLS) {
      scheme = schemes.get(1);
      // On this machine plain HTTP is the usual case; elsewhere only --insecure allows it.
      Level level = isLoopback(target.hostName()) ? Level.LIFECYCLE : Level.WARN;
      events.log(level, "registry " + target.registry() + " does not speak TLS; using plain HTTP");
    }
    return RegistryConnection.open(http, target, scheme, insecure, found, scopes, retry, events);
  }

  /**
   * Returns the schemes to speak to {@code host} with, the first one tried first: HTTPS alone for
   * other machines, then plain HTTP when the registry turns out not to speak TLS for this machine
   * or with {@code insecure}, and plain HTTP alone with {@code plainHttp}.
   */
  static List<String> schemes(String host, boolean plainHttp, boolean insecure) {
    if (plainHttp) {
      return List.of("http");
    }
    if (insecure || isLoopback(host)) {
      return List.of("https", "http");
    }
    return List.of("https");
  }

  /** Tells whether {@code host} is this machine, where plain HTTP cannot be overheard. */
  static boolean isLoopback(String host) {
    return host.equals("localhost")
        || host.equals("::1")
        || host.matches("127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}");
  }

  /**
   * Ends the threads of the HTTP clients, so that the process can exit at once. The client cannot
   * be used after this.
   */
  @Override
  public void close() {
    http.close();
  }

  /** Collects the settings of a {@link RegistryClient}. */
  public static final class Builder {
    private CredentialProvider credentials = CredentialProvider.ANONYMOUS;
    private EventSink events = EventSink.DISCARD;
    private boolean plainHttp;
    private boolean insecure;
    private Path stateDirectory = Stores.cacheDirectory();
    private RetryPolicy retry = RetryPolicy.DEFAULT;
    private int parallelUploads = PARALLEL_UPLOADS;
    private long chunkThreshold = 32L << 20;
    private int chunkSize = 16 << 20;

    private Builder() {}

    /** Sets where credentials come from. */
    public Builder credentials(CredentialProvider provider) {
      this.credentials = provider;
      return this;
    }

    /** Sets the sink for log and progress events. */
    public Builder events(EventSink sink) {
      this.events = sink;
      return this;
    }

    /** Uses plain HTTP for every registry, without trying HTTPS first. */
    public Builder plainHttp(boolean plain) {
      this.plainHttp = plain;
      return this;
    }

    /** Accepts any TLS certificate, and plain HTTP from a registry that does not speak TLS. */
    public Builder insecure(boolean trustAnything) {
      this.insecure = trustAnything;
      return this;
    }

    /**
     * Sets the directory where bale remembers which repositories it pushed blobs to, for mounts;
     * the default is {@code $XDG_CACHE_HOME/bale}, else {@code ~/.cache/bale}.
     */
    public Builder stateDirectory(Path directory) {
      this.stateDirectory = directory;
      return this;
    }

    /** Sets how failed requests are repeated. */
    public Builder retry(RetryPolicy policy) {
      this.retry = policy;
      return this;
    }

    /** Sets how many blobs are uploaded at once, and fetched at once by a pull. */
    public Builder parallelUploads(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("parallel uploads must be at least 1");
      }
      this.parallelUploads = count;
      return this;
    }

    /**
     * Sets the size from which blobs go up in chunks of {@code size} bytes (32 MiB and 16 MiB
     * unless set).
     */
    public Builder chunking(long threshold, int size) {
      if (threshold < 1 || size < 1) {
        throw new IllegalArgumentException("chunk threshold and size must be positive");
      }
      this.chunkThreshold = threshold;
      this.chunkSize = size;
      return this;
    }

    /** Builds the client. */
    public RegistryClient build() {
      return new RegistryClient(this);
    }
  }
}
