package dev.bale.registry;

import dev.bale.event.EventSink;
import dev.bale.event.Level;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gets one blob into a repository by the cheapest way the registry allows: nothing when it is there
 * already, a cross-repository mount when another repository of the registry has it, one monolithic
 * upload when it is small, and chunks that resume from the registry's offset when it is large.
 */
final class BlobUploader {
  /** How a blob got into the repository. */
  enum Outcome {
    SKIPPED,
    MOUNTED,
    SENT
  }

  private final RegistryConnection connection;
  private final EventSink events;
  private final RetryPolicy retry;
  private final long chunkThreshold;
  private final int chunkSize;
  private final AtomicLong bytesSent;

  BlobUploader(
      RegistryConnection connection,
      EventSink events,
      RetryPolicy retry,
      long chunkThreshold,
      int chunkSize,
      AtomicLong bytesSent) {
    this.connection = connection;
    this.events = events;
    this.retry = retry;
    this.chunkThreshold = chunkThreshold;
    this.chunkSize = chunkSize;
    this.bytesSent = bytesSent;
  }

  /**
   * Makes sure the repository holds {@code blob}, trying a mount from each of {@code mountSources}
   * (repositories of the same registry) before uploading.
   *
   * @throws RegistryException if the registry refuses or keeps failing
   */
  Outcome upload(Blob blob, List<String> mountSources) throws RegistryException {
    String name = blob.digest().toString();
    if (exists(blob)) {
      events.log(Level.LIFECYCLE, "blob " + name + " is already in " + connection.repository());
      events.progress(name, blob.size(), blob.size());
      return Outcome.SKIPPED;
    }

    URI location = null;
    for (String source : mountSources) {
      URI mount =
          connection.repositoryUri(
              "blobs/uploads/?mount=" + encode(name) + "&from=" + encode(source));
      Response response =
          connection.send(
              Request.post(mount),
              Response.Reading.BYTES,
              "mount blob '" + name + "' from '" + source + "'");
      if (response.statusCode() == 201) {
        events.log(Level.LIFECYCLE, "blob " + name + " mounted from " + source);
        events.progress(name, blob.size(), blob.size());
        return Outcome.MOUNTED;
      }
      int status = response.statusCode();
      if (status == 401 || status == 403 || status == 404) {
        // The account may not read the source any more, or the source is gone: upload instead.
        events.log(Level.DEBUG, "cannot mount " + name + " from " + source + ": HTTP " + status);
        continue;
      }
      if (status != 202) {
        throw connection.failure("mount blob '" + name + "' from '" + source + "'", response);
      }
      // A 202 means the registry declined the mount and opened an ordinary upload instead.
      location = location(response);
      break;
    }

    if (blob.size() < chunkThreshold) {
      sendMonolithic(blob, location);
    } else {
      sendChunked(blob, location);
    }
    events.log(Level.LIFECYCLE, "blob " + name + " sent (" + blob.size() + " bytes)");
    return Outcome.SENT;
  }

  private boolean exists(Blob blob) throws RegistryException {
    URI uri = connection.repositoryUri("blobs/" + blob.digest());
    Response response =
        connection.send(
            Request.head(uri), Response.Reading.DISCARD, "check blob '" + blob.digest() + "'");
    if (response.statusCode() == 200) {
      return true;
    }
    if (response.statusCode() == 404) {
      return false;
    }
    throw connection.failure("check blob '" + blob.digest() + "'", response);
  }

  private URI startUpload(Blob blob) throws RegistryException {
    URI uri = connection.repositoryUri("blobs/uploads/");
    Response response =
        connection.send(
            Request.post(uri),
            Response.Reading.BYTES,
            "start the upload of blob '" + blob.digest() + "'");
    if (response.statusCode() != 202) {
      throw connection.failure("start the upload of blob '" + blob.digest() + "'", response);
    }
    return location(response);
  }

  private URI location(Response response) throws RegistryException {
    String location =
        response
            .header("Location")
            .orElseThrow(
                () ->
                    new RegistryException(
                        "registry '"
                            + connection.registry()
                            + "' opened an upload without a Location header"));
    return connection.resolve(location);
  }

  private static URI withDigest(URI location, Blob blob) {
    String separator = location.getRawQuery() == null ? "?" : "&";
    return URI.create(location + separator + "digest=" + encode(blob.digest().toString()));
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** Sends the blob in one PUT; a failure starts the upload over, a bounded number of times. */
  private void sendMonolithic(Blob blob, URI openedLocation) throws RegistryException {
    URI location = openedLocation;
    for (int attempt = 1; ; attempt++) {
      if (location == null) {
        location = startUpload(blob);
      }
      URI put = withDigest(location, blob);
      String what = "upload blob '" + blob.digest() + "'";
      Request request =
          Request.put(put)
              .header("Content-Type", "application/octet-stream")
              .body(Request.Body.of(() -> new CountingStream(blob.open(), blob), blob.size()));
      Duration delay = retry.delay(attempt);
      try {
        Response response = connection.sendOnce(request, Response.Reading.BYTES, what);
        if (response.statusCode() == 201) {
          events.progress(blob.digest().toString(), blob.size(), blob.size());
          return;
        }
        if (!retryable(response.statusCode()) || attempt >= retry.attempts()) {
          throw connection.failure(what, response);
        }
        delay = connection.retryAfter(response).orElse(delay);
        events.log(Level.WARN, "retrying " + what + " after HTTP " + response.statusCode());
      } catch (java.net.ConnectException e) {
        throw connection.unreachable(e);
      } catch (IOException e) {
        stopIfCancelled(e, what);
        if (attempt >= retry.attempts()) {
          throw new RegistryException(
              "cannot "
                  + what
                  + " to registry '"
                  + connection.registry()
                  + "': "
                  + RegistryConnection.describe(e),
              e);
        }
        events.log(Level.WARN, "retrying " + what + ": " + RegistryConnection.describe(e));
      }
      RegistryConnection.pause(delay);
      location = null;
    }
  }

  /**
   * Gives up at once when the push was cancelled (another blob failed and its siblings were
   * interrupted): a retry, or a warning about one, would only hide the real failure.
   */
  private static void stopIfCancelled(Exception e, String what) throws RegistryException {
    // The exact class: a SocketTimeoutException is an InterruptedIOException too, and is worth
    // a retry.
    if (e.getClass() == java.io.InterruptedIOException.class
        || Thread.currentThread().isInterrupted()) {
      throw new RegistryException("interrupted while trying to " + what);
    }
  }

  private static boolean retryable(int status) {
    return status >= 500 || status == 429;
  }

  /**
   * Sends the blob in chunks of {@code chunkSize}. When a chunk fails, asks the registry how much
   * it holds and continues from there; a registry that lost the upload gets a new one from the
   * first byte.
   */
  private void sendChunked(Blob blob, URI openedLocation) throws RegistryException {
    String name = blob.digest().toString();
    URI location = openedLocation != null ? openedLocation : startUpload(blob);
    long offset = 0;
    int failures = 0;
    InputStream in = null;
    try {
      in = openAt(blob, 0);
      while (offset < blob.size()) {
        long length = Math.min(chunkSize, blob.size() - offset);
        try {
          // The chunk streams from the blob to the socket; after a failure the blob is opened
          // again where the registry says its upload stands, so no chunk is kept in memory.
          location = patch(location, in, length, offset, blob);
          offset += length;
          bytesSent.addAndGet(length);
          events.progress(name, offset, blob.size());
          continue;
        } catch (ChunkRejected | IOException e) {
          stopIfCancelled(e, "upload blob '" + name + "'");
          failures++;
          if (failures >= retry.attempts()) {
            throw new RegistryException(
                "cannot upload blob '"
                    + name
                    + "' to registry '"
                    + connection.registry()
                    + "': "
                    + e.getMessage()
                    + " (gave up after "
                    + failures
                    + " failures)");
          }
          events.log(
              Level.WARN,
              "chunk of "
                  + name
                  + " at "
                  + offset
                  + " failed: "
                  + e.getMessage()
                  + "; asking the registry where to resume");
          Duration backoff = retry.delay(failures);
          RegistryConnection.pause(
              e instanceof ChunkRejected rejected ? rejected.delay(backoff) : backoff);
        }

        UploadStatus status = status(location, blob);
        if (status == null) {
          events.log(Level.WARN, "registry lost the upload of " + name + "; starting it over");
          location = startUpload(blob);
          offset = 0;
        } else {
          location = status.location();
          offset = status.offset();
          events.log(Level.LIFECYCLE, "resuming the upload of " + name + " at byte " + offset);
        }
        in.close();
        in = openAt(blob, offset);
      }
    } catch (IOException e) {
      throw new RegistryException("cannot read blob '" + name + "': " + e.getMessage(), e);
    } finally {
      close(in);
    }

    URI put = withDigest(location, blob);
    Response response =
        connection.send(
            Request.put(put), Response.Reading.BYTES, "finish the upload of blob '" + name + "'");
    if (response.statusCode() != 201) {
      throw connection.failure("finish the upload of blob '" + name + "'", response);
    }
  }

  private static InputStream openAt(Blob blob, long offset) throws IOException {
    InputStream in = blob.open();
    in.skipNBytes(offset);
    return in;
  }

  private static void close(InputStream in) {
    if (in != null) {
      try {
        in.close();
      } catch (IOException e) {
        // Only reading was done; nothing is left half-written.
      }
    }
  }

  /** Sends the next {@code length} bytes of {@code in}, which stays open, as one chunk. */
  private URI patch(URI location, InputStream in, long length, long offset, Blob blob)
      throws IOException, RegistryException, ChunkRejected {
    String range = offset + "-" + (offset + length - 1);
    AtomicBoolean taken = new AtomicBoolean();
    Request.Source chunk =
        () -> {
          // The bytes can be read once; a second reading fails the request, and the upload
          // resumes from what the registry holds.
          if (taken.getAndSet(true)) {
            throw new IOException("a chunk cannot be sent twice");
          }
          return new BoundedInputStream(new KeptOpen(in), length);
        };
    Request request =
        Request.patch(location)
            .header("Content-Type", "application/octet-stream")
            .header("Content-Range", range)
            .body(Request.Body.of(chunk, length));
    Response response =
        connection.sendOnce(
            request, Response.Reading.BYTES, "upload a chunk of blob '" + blob.digest() + "'");
    if (response.statusCode() != 202) {
      if (response.statusCode() == 416 || retryable(response.statusCode())) {
        Duration retryAfter = connection.retryAfter(response).orElse(null);
        throw new ChunkRejected("HTTP " + response.statusCode(), retryAfter);
      }
      throw connection.failure("upload a chunk of blob '" + blob.digest() + "'", response);
    }
    return location(response);
  }

  /** Returns where the registry's upload stands, or null if it no longer knows the upload. */
  private UploadStatus status(URI location, Blob blob) throws RegistryException {
    Response response =
        connection.send(
            Request.get(location),
            Response.Reading.BYTES,
            "ask how much of blob '" + blob.digest() + "' arrived");
    if (response.statusCode() != 204) {
      return null;
    }
    // Range is "0-LAST", the last byte received; no Range means nothing arrived yet.
    long next = response.header("Range").map(BlobUploader::nextOffset).orElse(0L);
    URI newLocation = response.header("Location").map(connection::resolve).orElse(location);
    return new UploadStatus(newLocation, next);
  }

  /**
   * Returns the offset after a {@code Range: 0-LAST} header. The reference registry also says
   * {@code 0-0} when it holds nothing, so that is read as nothing: resending one byte is cheap,
   * skipping one is not.
   */
  private static long nextOffset(String range) {
    long last = Long.parseLong(range.substring(range.indexOf('-') + 1).trim());
    return last == 0 ? 0 : last + 1;
  }

  private record UploadStatus(URI location, long offset) {}

  /** A view of a stream that the HTTP transport can close without closing the stream. */
  private static final class KeptOpen extends FilterInputStream {
    KeptOpen(InputStream in) {
      super(in);
    }

    @Override
    public void close() {}
  }

  /** A chunk the registry answered with a status worth resuming after. */
  private static final class ChunkRejected extends Exception {
    private static final long serialVersionUID = 1L;

    // Null when the registry did not say how long to wait.
    private final transient Duration retryAfter;

    ChunkRejected(String message, Duration retryAfter) {
      super(message);
      this.retryAfter = retryAfter;
    }

    /** Returns the wait the registry asked for, else {@code backoff}. */
    Duration delay(Duration backoff) {
      return retryAfter != null ? retryAfter : backoff;
    }
  }

  /** Counts the bytes of a blob as the transport reads them, for progress and the summary. */
  private final class CountingStream extends FilterInputStream {
    private final Blob blob;
    private long done;

    CountingStream(InputStream in, Blob blob) {
      super(in);
      this.blob = blob;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        done += n;
        bytesSent.addAndGet(n);
        events.progress(blob.digest().toString(), Math.min(done, blob.size() - 1), blob.size());
      }
      return n;
    }
  }
}
