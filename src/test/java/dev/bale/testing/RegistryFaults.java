package dev.bale.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy on 127.0.0.1 in front of a real registry that answers some requests with a failure
 * status instead of passing them on, the way an overloaded registry or a rate limit does.
 * Everything else goes to the registry and back unchanged but for the {@code Location} header,
 * which is pointed at the proxy.
 */
public final class RegistryFaults implements AutoCloseable {
  private static final Set<String> NOT_FORWARDED =
      Set.of("host", "connection", "content-length", "expect", "upgrade", "transfer-encoding");

  private final HttpServer server;
  private final String registry;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<Fault> faults = new CopyOnWriteArrayList<>();
  private final Map<Fault, AtomicInteger> injected = new ConcurrentHashMap<>();
  private final Hold uploads = new Hold();
  private final Hold downloads = new Hold();
  private final List<String> corrupted = new CopyOnWriteArrayList<>();
  private final AtomicInteger corruptions = new AtomicInteger();
  private final List<String> padded = new CopyOnWriteArrayList<>();
  private final AtomicInteger paddingsCutShort = new AtomicInteger();

  /** The most a padded answer sends: far more than a client reading to its end would ignore. */
  private static final long PADDED_LENGTH = 256L * 1024 * 1024;

  /**
   * Answers up to {@code times} requests whose method is {@code method} and whose path contains
   * {@code pathPart} with {@code status}, adding {@code Retry-After} when {@code retryAfter} is not
   * null.
   */
  public record Fault(String method, String pathPart, int status, String retryAfter, int times) {}

  private RegistryFaults(String registry) throws IOException {
    this.registry = registry;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    // More threads than bale uploads at once, so that the proxy never limits how many it sees.
    server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(16));
    server.start();
  }

  /** Starts a proxy to the registry at {@code registryHost} ({@code 127.0.0.1:PORT}). */
  public static RegistryFaults start(String registryHost) throws IOException {
    return new RegistryFaults(registryHost);
  }

  /** Adds a fault. */
  public RegistryFaults inject(Fault fault) {
    faults.add(fault);
    injected.put(fault, new AtomicInteger());
    return this;
  }

  /**
   * Flips one byte in the middle of the body of every answer to a {@code GET} whose path contains
   * {@code pathPart}, the way a broken disk or cache of the registry would, keeping its length.
   */
  public RegistryFaults corrupt(String pathPart) {
    corrupted.add(pathPart);
    return this;
  }

  /**
   * Sends the body of every answer to a {@code GET} whose path contains {@code pathPart} in chunks
   * and follows it with zeros up to 256 MiB, as a broken or hostile registry might, noting when the
   * client hangs up before the end.
   */
  public RegistryFaults pad(String pathPart) {
    padded.add(pathPart);
    return this;
  }

  /** Returns how many padded answers the client stopped reading before their end. */
  public int paddingsCutShort() {
    return paddingsCutShort.get();
  }

  /** Returns how many answer bodies were corrupted. */
  public int corruptions() {
    return corruptions.get();
  }

  /** Returns how many times {@code fault} was injected. */
  public int injected(Fault fault) {
    return injected.get(fault).get();
  }

  /**
   * Holds each blob upload that ends in a {@code PUT} for {@code hold} before passing it on, as a
   * slow link would, counting how many are held at once.
   */
  public RegistryFaults holdUploads(Duration hold) {
    uploads.time = hold;
    return this;
  }

  /** Returns the most uploads that were held at the same time. */
  public int peakUploadsHeld() {
    return uploads.peak.get();
  }

  /** Returns how many uploads were held in all. */
  public int uploadsHeld() {
    return uploads.seen.get();
  }

  /**
   * Holds each {@code GET} of a blob for {@code hold}, as a distant registry's round trip would.
   */
  public RegistryFaults holdDownloads(Duration hold) {
    downloads.time = hold;
    return this;
  }

  /** Returns the most blob downloads that were held at the same time. */
  public int peakDownloadsHeld() {
    return downloads.peak.get();
  }

  /** Returns how many blob downloads were held in all. */
  public int downloadsHeld() {
    return downloads.seen.get();
  }

  /** Returns {@code 127.0.0.1:PORT} of the proxy. */
  public String host() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().toString();
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      for (Fault fault : faults) {
        if (fault.method().equals(method)
            && path.contains(fault.pathPart())
            && injected.get(fault).getAndIncrement() < fault.times()) {
          if (fault.retryAfter() != null) {
            exchange.getResponseHeaders().set("Retry-After", fault.retryAfter());
          }
          exchange.sendResponseHeaders(fault.status(), -1);
          return;
        }
      }
      if (method.equals("PUT") && path.contains("/blobs/uploads/")) {
        uploads.apply();
      }
      if (method.equals("GET") && path.contains("/blobs/sha256:")) {
        downloads.apply();
      }
      forward(exchange, method, path, body);
    }
  }

  /** A wait put before some requests, counting how many wait at once. */
  private static final class Hold {
    private volatile Duration time = Duration.ZERO;
    private final AtomicInteger now = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicInteger seen = new AtomicInteger();

    void apply() throws IOException {
      if (time.isZero()) {
        return;
      }
      seen.incrementAndGet();
      peak.accumulateAndGet(now.incrementAndGet(), Math::max);
      try {
        Thread.sleep(time.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      } finally {
        now.decrementAndGet();
      }
    }
  }

  private void forward(HttpExchange exchange, String method, String path, byte[] body)
      throws IOException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://" + registry + path))
            .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    exchange
        .getRequestHeaders()
        .forEach(
            (name, values) -> {
              if (!NOT_FORWARDED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
              }
            });
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    response
        .headers()
        .map()
        .forEach(
            (name, values) -> {
              String lower = name.toLowerCase(java.util.Locale.ROOT);
              if (lower.equals("location")) {
                values.forEach(
                    v -> exchange.getResponseHeaders().add(name, v.replace(registry, host())));
              } else if (!NOT_FORWARDED.contains(lower) && !lower.equals(":status")) {
                values.forEach(v -> exchange.getResponseHeaders().add(name, v));
              }
            });
    byte[] answer = response.body();
    if (method.equals("GET") && answer.length > 0 && corrupted.stream().anyMatch(path::contains)) {
      answer = answer.clone();
      answer[answer.length / 2] ^= 0x20;
      corruptions.incrementAndGet();
    }
    if (method.equals("GET")
        && response.statusCode() == 200
        && padded.stream().anyMatch(path::contains)) {
      sendPadded(exchange, answer);
      return;
    }
    boolean empty = answer.length == 0 || method.equals("HEAD");
    exchange.sendResponseHeaders(response.statusCode(), empty ? -1 : answer.length);
    if (!empty) {
      exchange.getResponseBody().write(answer);
    }
  }

  private void sendPadded(HttpExchange exchange, byte[] answer) throws IOException {
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    byte[] zeros = new byte[64 * 1024];
    try {
      out.write(answer);
      for (long sent = answer.length; sent < PADDED_LENGTH; sent += zeros.length) {
        out.write(zeros);
      }
      out.flush();
    } catch (IOException e) {
      paddingsCutShort.incrementAndGet();
    }
  }

  /** Stops the proxy. */
  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
