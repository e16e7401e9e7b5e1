package dev.bale.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Sends {@link Request}s over HTTP/1.1 and keeps the connections for the next ones, a few per
 * registry, so that the many small requests of a push share one connection and parallel uploads
 * each get their own.
 *
 * <p>bale speaks HTTP itself rather than through the JDK's {@code java.net.http} client, whose
 * start-up (its selector thread, asynchronous pipeline and the hundreds of methods the JIT then
 * compiles) took three times as long as a push to a local registry that sends no blob, and which
 * cannot send PATCH through {@code HttpURLConnection}. What a registry needs is small: requests
 * with a body of known length, answers framed by length, chunks or the connection's end, and no
 * redirects followed (the caller decides where credentials go).
 *
 * <p>TLS is set up only for the first HTTPS request, so a push to a plain HTTP registry on this
 * machine never loads the trust store.
 */
final class HttpTransport implements AutoCloseable {
  private static final int CONNECT_TIMEOUT_MILLIS = 15_000;

  /** Idle connections kept per registry; more are closed when they come back. */
  private static final int IDLE_PER_ORIGIN = 8;

  /** Longest body read whole into memory: a manifest or a token is far smaller. */
  private static final int MAX_BYTES = 16 * 1024 * 1024;

  /**
   * Longest request body (a manifest, say) written without a deadline: a socket's send buffer
   * starts at this size on Linux and takes it whole, so the write cannot block on a registry that
   * stops reading, and the read timeout covers the wait for the answer.
   */
  private static final long UNBLOCKED_BODY = 16 * 1024;

  /** The longest wait for an answer that came before a body could be written whole. */
  private static final int EARLY_ANSWER_MILLIS = 2000;

  /** Longest body read and dropped to keep its connection, rather than closing it. */
  private static final int MAX_DISCARDED = 64 * 1024;

  private final boolean insecure;
  private final Map<String, ArrayDeque<HttpConnection>> idle = new HashMap<>();
  private SSLSocketFactory tls;
  private ScheduledExecutorService deadlines;
  private boolean closed;

  /** With {@code insecure}, HTTPS accepts any certificate for any host. */
  HttpTransport(boolean insecure) {
    this.insecure = insecure;
  }

  /**
   * Sends {@code request} and reads its answer's body as {@code reading} says. A request that fails
   * on a kept connection before any answer (the registry may have closed it meanwhile) is sent once
   * more on a new one.
   *
   * @throws InterruptedIOException (that very class) if the thread was interrupted
   * @throws IOException if the request could not be sent or the answer not read
   */
  Response send(Request request, Response.Reading reading) throws IOException {
    URI uri = request.uri();
    boolean secure = "https".equalsIgnoreCase(uri.getScheme());
    if (!secure && !"http".equalsIgnoreCase(uri.getScheme())) {
      throw new IOException("cannot send a request to '" + uri + "': not an HTTP URI");
    }
    String host = uri.getHost();
    if (host == null) {
      throw new IOException("cannot send a request to '" + uri + "': it names no host");
    }
    int port = uri.getPort() >= 0 ? uri.getPort() : secure ? 443 : 80;
    String origin = (secure ? "https://" : "http://") + host + ":" + port;
    String hostHeader = uri.getPort() >= 0 ? host + ":" + port : host;

    HttpConnection kept = take(origin);
    if (kept != null) {
      try {
        return exchange(kept, request, reading, hostHeader);
      } catch (Unanswered e) {
        // The registry closed the kept connection while it was idle: try a fresh one.
      }
    }
    String address = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    HttpConnection fresh;
    try {
      fresh =
          HttpConnection.open(
              origin,
              address,
              port,
              secure ? tls() : null,
              secure && !insecure,
              CONNECT_TIMEOUT_MILLIS);
    } catch (IOException e) {
      throw interruptedOr(e);
    }
    try {
      return exchange(fresh, request, reading, hostHeader);
    } catch (Unanswered e) {
      throw interruptedOr(e.cause);
    }
  }

  /** One request on one connection; the connection is closed if anything goes wrong. */
  private Response exchange(
      HttpConnection connection, Request request, Response.Reading reading, String host)
      throws IOException, Unanswered {
    Duration timeout = request.timeout();
    ScheduledFuture<?> deadline = null;
    HttpConnection.Head head;
    HttpConnection.Head early = null;
    try {
      connection.readTimeout(timeout == null ? 0 : millis(timeout));
      if (timeout != null && request.bodyLength() > UNBLOCKED_BODY) {
        // A socket write cannot time out: a registry that stops reading a body would hold the
        // upload forever, so the connection is closed once the answer is overdue.
        deadline = deadlines().schedule(connection::expire, millis(timeout), TimeUnit.MILLISECONDS);
      }
      try {
        try {
          connection.write(request, host);
        } catch (IOException e) {
          early = earlyAnswer(connection, e);
        }
        head = early != null ? early : connection.readHead();
      } finally {
        if (deadline != null) {
          deadline.cancel(false);
        }
      }
    } catch (IOException e) {
      connection.close();
      // The connection says so itself: the deadline's task can be cancelled while it runs.
      if (connection.expired()) {
        throw new SocketTimeoutException(
            "no answer within " + describe(timeout) + " (" + e.getMessage() + ")");
      }
      if (!Thread.currentThread().isInterrupted() && connection.lostBeforeAnswer()) {
        throw new Unanswered(e);
      }
      throw interruptedOr(e);
    }
    boolean broken = early != null;

    try {
      if (reading == Response.Reading.BYTES && head.declaredLength() > MAX_BYTES) {
        throw tooLarge();
      }
      InputStream body =
          connection.body(
              head, request.method(), reusable -> release(connection, reusable && !broken));
      return switch (reading) {
        case STREAM -> new Response(head.status(), head.headers(), null, body);
        case BYTES -> new Response(head.status(), head.headers(), readWhole(body), null);
        case DISCARD -> {
          discard(body);
          yield new Response(head.status(), head.headers(), null, null);
        }
      };
    } catch (IOException e) {
      connection.close();
      throw interruptedOr(e);
    }
  }

  /**
   * Returns the answer a registry sent before it stopped reading the body whose writing failed with
   * {@code e}, or throws {@code e} when there is none (or the deadline or an interrupt closed the
   * connection).
   */
  private static HttpConnection.Head earlyAnswer(HttpConnection connection, IOException e)
      throws IOException {
    if (connection.isClosed()
        || !connection.lostBeforeAnswer()
        || Thread.currentThread().isInterrupted()) {
      throw e;
    }
    HttpConnection.Head head = connection.earlyAnswer(EARLY_ANSWER_MILLIS);
    if (head == null) {
      throw e;
    }
    return head;
  }

  private static byte[] readWhole(InputStream body) throws IOException {
    try (body) {
      byte[] bytes = body.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw tooLarge();
      }
      return bytes;
    }
  }

  private static IOException tooLarge() {
    return new IOException("the answer's body is over " + MAX_BYTES / (1024 * 1024) + " MiB");
  }

  private static void discard(InputStream body) throws IOException {
    try (body) {
      byte[] sink = new byte[8192];
      long total = 0;
      for (int n; total <= MAX_DISCARDED && (n = body.read(sink)) >= 0; ) {
        total += n;
      }
    }
  }

  private static String describe(Duration duration) {
    return duration.toMillis() < 1000 ? duration.toMillis() + " ms" : duration.toSeconds() + " s";
  }

  private static int millis(Duration duration) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, duration.toMillis()));
  }

  /** The thread's interrupt as the exact {@link InterruptedIOException}, else {@code e} itself. */
  private static IOException interruptedOr(IOException e) {
    if (Thread.currentThread().isInterrupted()) {
      InterruptedIOException interrupted = new InterruptedIOException("interrupted");
      interrupted.initCause(e);
      return interrupted;
    }
    return e;
  }

  private synchronized HttpConnection take(String origin) {
    ArrayDeque<HttpConnection> kept = idle.get(origin);
    return kept == null ? null : kept.pollLast();
  }

  private void release(HttpConnection connection, boolean reusable) {
    synchronized (this) {
      if (reusable && !closed && !connection.isClosed()) {
        ArrayDeque<HttpConnection> kept =
            idle.computeIfAbsent(connection.origin(), origin -> new ArrayDeque<>());
        if (kept.size() < IDLE_PER_ORIGIN) {
          kept.addLast(connection);
          return;
        }
      }
    }
    connection.close();
  }

  private synchronized SSLSocketFactory tls() {
    if (tls == null) {
      tls = insecure ? trustingEveryone().getSocketFactory() : defaultContext().getSocketFactory();
    }
    return tls;
  }

  private synchronized ScheduledExecutorService deadlines() {
    if (deadlines == null) {
      ScheduledThreadPoolExecutor executor =
          new ScheduledThreadPoolExecutor(1, RegistryClient.daemonThreads("bale-http-deadline"));
      executor.setRemoveOnCancelPolicy(true);
      deadlines = executor;
    }
    return deadlines;
  }

  /** Closes the kept connections and ends the deadline thread. */
  @Override
  public void close() {
    List<HttpConnection> connections = new ArrayList<>();
    synchronized (this) {
      closed = true;
      idle.values().forEach(connections::addAll);
      idle.clear();
      if (deadlines != null) {
        deadlines.shutdownNow();
      }
    }
    connections.forEach(HttpConnection::close);
  }

  private static SSLContext defaultContext() {
    try {
      return SSLContext.getDefault();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK provides no TLS", e);
    }
  }

  /** A request that failed on its connection before any answer came. */
  private static final class Unanswered extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient IOException cause;

    Unanswered(IOException cause) {
      super(cause);
      this.cause = cause;
    }
  }

  private static SSLContext trustingEveryone() {
    TrustManager trustAll =
        new X509ExtendedTrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

          @Override
          public void checkClientTrusted(
              X509Certificate[] chain, String authType, SSLEngine engine) {}

          @Override
          public void checkServerTrusted(
              X509Certificate[] chain, String authType, SSLEngine engine) {}

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {trustAll}, new SecureRandom());
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK provides no TLS", e);
    }
  }
}
