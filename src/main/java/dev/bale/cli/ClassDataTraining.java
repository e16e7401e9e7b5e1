package dev.bale.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.bale.hash.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The run whose classes {@code ./bale} puts in its class-data archive: packs of a small file added
 * to a throwaway store, as an OCI layout and as a zstd Docker archive, then pushes of the layout,
 * cold and warm, and of the store item, to a registry in this process on 127.0.0.1. Without the
 * pushes the archive would hold none of the JDK's HTTP client, and every push would load and verify
 * several hundred classes at start-up.
 *
 * <p>The registry answers just what a push asks (the API root, blob checks and uploads, manifests)
 * and keeps the digests it received, nothing else: it exists to load classes.
 */
final class ClassDataTraining {
  private ClassDataTraining() {}

  /** Trains in the empty directory {@code args[0]}; exits 1 if a step fails. */
  public static void main(String[] args) throws IOException {
    if (train(Path.of(args[0])) > 0) {
      System.exit(1);
    }
  }

  /** Runs the training in the empty directory {@code work}; returns how many steps failed. */
  static int train(Path work) throws IOException {
    Path item = Files.createDirectories(work.resolve("item"));
    Files.writeString(item.resolve("file"), "class-data sharing\n");
    String store = "local?root=" + work.resolve("root");
    String image = work.resolve("image").toString();
    // What a push remembers of registries stays in the directory too.
    String state = "--cache-dir=" + work.resolve("state");

    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    HttpServer registry = HttpServer.create(loopback, 16);
    ExecutorService threads = Executors.newCachedThreadPool();
    registry.setExecutor(threads);
    registry.createContext("/v2/", new Registry()::answer);
    registry.start();
    String reference = "127.0.0.1:" + registry.getAddress().getPort() + "/training:latest";
    try {
      PrintWriter quiet = new PrintWriter(Writer.nullWriter());
      // The item is named by its store path in the packs, as users name items.
      StringWriter added = new StringWriter();
      int failed =
          Main.run(new PrintWriter(added), quiet, "--store", store, "add", item.toString());
      String path = added.toString().strip();
      String archive = work.resolve("image.tar").toString();
      // The first push finds out that the registry speaks plain HTTP, as a push to a registry on
      // this machine does. The JDK's HTTP server stays silent on the TLS hello, so that probe
      // waits out its timeout; the other pushes say --plain-http rather than wait again.
      for (String[] command :
          new String[][] {
            {"--store", store, "pack", "--format=oci-dir", "--output=" + image, path},
            {"--store", store, "pack", "--compression=zstd", "--output=" + archive, path},
            {"push", state, "--from", image, reference},
            {"push", state, "--plain-http", "--from", image, reference},
            {"--store", store, "push", state, "--plain-http", item.toString(), reference},
          }) {
        failed += Main.run(quiet, quiet, command) == 0 ? 0 : 1;
      }
      return failed;
    } finally {
      registry.stop(0);
      threads.shutdownNow();
    }
  }

  /** The registry's few answers. */
  private static final class Registry {
    private final Set<String> blobs = ConcurrentHashMap.newKeySet();
    private final AtomicInteger uploads = new AtomicInteger();

    void answer(HttpExchange exchange) throws IOException {
      try (exchange) {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        String query = exchange.getRequestURI().getQuery();
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
          body = in.readAllBytes();
        }

        if (path.equals("/v2/")) {
          send(exchange, 200);
        } else if (path.contains("/blobs/uploads/") && method.equals("POST")) {
          String location = path + uploads.incrementAndGet();
          exchange.getResponseHeaders().add("Location", location);
          send(exchange, 202);
        } else if (path.contains("/blobs/uploads/") && method.equals("PUT") && query != null) {
          // The query arrives decoded: "digest=sha256:...".
          String digest = query.replaceAll(".*digest=([^&]*).*", "$1");
          blobs.add(digest);
          exchange.getResponseHeaders().add("Docker-Content-Digest", digest);
          send(exchange, 201);
        } else if (path.contains("/blobs/")) {
          String digest = path.substring(path.lastIndexOf('/') + 1);
          send(exchange, blobs.contains(digest) ? 200 : 404);
        } else if (path.contains("/manifests/") && method.equals("PUT")) {
          exchange.getResponseHeaders().add("Docker-Content-Digest", Digest.of(body).toString());
          send(exchange, 201);
        } else {
          send(exchange, 404);
        }
      }
    }

    /** Sends {@code status} with no body. */
    private static void send(HttpExchange exchange, int status) throws IOException {
      exchange.sendResponseHeaders(status, -1);
    }
  }
}
