package dev.bale.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the reference registry ({@code docker-registry}) on 127.0.0.1 with its storage in a test
 * directory, optionally behind htpasswd or bearer-token authentication, and stops it on close.
 */
public final class RegistryFixture implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;

  private RegistryFixture(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts an anonymous registry keeping its files under {@code directory}. */
  public static RegistryFixture start(Path directory) throws IOException, InterruptedException {
    return start(directory, "");
  }

  /** Starts a registry that wants {@code user} and {@code password} (htpasswd, bcrypt). */
  public static RegistryFixture startWithPassword(Path directory, String user, String password)
      throws IOException, InterruptedException {
    requireTool("htpasswd", "apache2-utils");
    Path htpasswd = directory.resolve("htpasswd");
    String line = run(List.of("htpasswd", "-Bbn", user, password)).strip();
    Files.writeString(htpasswd, line + "\n");
    String auth = "auth:\n  htpasswd:\n    realm: bale-test\n    path: " + htpasswd + "\n";
    return start(directory, auth);
  }

  /** Starts a registry that trusts the tokens {@code tokens} issues. */
  public static RegistryFixture startWithTokens(Path directory, TokenServer tokens)
      throws IOException, InterruptedException {
    return start(directory, tokenAuth(tokens));
  }

  /**
   * Starts a registry that serves HTTPS as {@link #startWithTls} does and trusts the tokens {@code
   * tokens} issues from its realm over plain HTTP.
   */
  public static RegistryFixture startWithTlsAndTokens(Path directory, TokenServer tokens)
      throws IOException, InterruptedException {
    return start(directory, tls(directory) + tokenAuth(tokens), "https");
  }

  private static String tokenAuth(TokenServer tokens) {
    return "auth:\n  token:\n"
        + "    realm: "
        + tokens.realm()
        + "\n    service: "
        + TokenServer.SERVICE
        + "\n    issuer: "
        + TokenServer.ISSUER
        + "\n    rootcertbundle: "
        + tokens.certificate()
        + "\n";
  }

  /** Starts a registry that serves HTTPS with a self-signed certificate made by openssl. */
  public static RegistryFixture startWithTls(Path directory)
      throws IOException, InterruptedException {
    return start(directory, tls(directory), "https");
  }

  /** Makes a key and certificate in {@code directory}; returns the configuration serving them. */
  private static String tls(Path directory) throws IOException, InterruptedException {
    requireTool("openssl", "openssl");
    Path key = directory.resolve("tls.key");
    Path certificate = tlsCertificate(directory);
    run(
        List.of(
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            key.toString(),
            "-out",
            certificate.toString()));
    return "  tls:\n    certificate: " + certificate + "\n    key: " + key + "\n";
  }

  /** Returns the certificate that {@link #startWithTls} makes in {@code directory}. */
  public static Path tlsCertificate(Path directory) {
    return directory.resolve("tls.crt");
  }

  private static RegistryFixture start(Path directory, String auth)
      throws IOException, InterruptedException {
    return start(directory, auth, "http");
  }

  private static RegistryFixture start(Path directory, String extra, String scheme)
      throws IOException, InterruptedException {
    requireTool("docker-registry", "docker-registry");
    int port = freePort();
    Path storage = Files.createDirectories(directory.resolve("storage"));
    Path config = directory.resolve("config.yml");
    Files.writeString(
        config,
        "version: 0.1\n"
            + "log:\n  level: info\n  accesslog:\n    disabled: false\n"
            + "storage:\n  filesystem:\n    rootdirectory: "
            + storage
            + "\n  delete:\n    enabled: true\n"
            + "http:\n  addr: 127.0.0.1:"
            + port
            + "\n  secret: bale-test-secret\n"
            + extra,
        StandardCharsets.UTF_8);
    Path log = directory.resolve("registry.log");
    Process process =
        new ProcessBuilder("docker-registry", "serve", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    RegistryFixture fixture = new RegistryFixture(process, port, log);
    fixture.awaitReady(scheme);
    return fixture;
  }

  private void awaitReady(String scheme) throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("docker-registry exited:\n" + log());
      }
      if (scheme.equals("https")) {
        // A TLS listener accepting connections is ready enough; the tests check the rest.
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
          return;
        } catch (IOException e) {
          Thread.sleep(50);
          continue;
        }
      }
      try {
        HttpURLConnection connection =
            (HttpURLConnection) URI.create("http://" + host() + "/v2/").toURL().openConnection();
        connection.setConnectTimeout(500);
        int status = connection.getResponseCode();
        connection.disconnect();
        if (status == 200 || status == 401) {
          return;
        }
      } catch (IOException e) {
        // Not listening yet.
      }
      Thread.sleep(50);
    }
    close();
    throw new IllegalStateException("docker-registry did not answer within 20 s:\n" + log());
  }

  /** Returns {@code 127.0.0.1:PORT}. */
  public String host() {
    return "127.0.0.1:" + port;
  }

  /** Returns the port. */
  public int port() {
    return port;
  }

  /** Returns what the registry logged so far, including one line per request. */
  public String log() throws IOException {
    return Files.readString(log, StandardCharsets.ISO_8859_1);
  }

  /** Counts the request lines in the log with {@code method} on a path containing {@code part}. */
  public long requests(String method, String part) throws IOException {
    return log()
        .lines()
        .filter(line -> line.contains("\"" + method + " ") && line.contains(part))
        .filter(line -> line.contains(" HTTP/1.1\""))
        .count();
  }

  /** Stops the registry and waits for it. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  /** Returns a port nobody listens on right now. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Fails, saying how to install it, if {@code tool} is not on the PATH. */
  public static void requireTool(String tool, String debianPackage) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return;
      }
    }
    throw new AssertionError(
        tool
            + " is missing: install "
            + debianPackage
            + " (apt-get install -y "
            + debianPackage
            + ")");
  }

  /** Runs {@code command}, fails unless it exits with 0, and returns its standard output. */
  public static String run(List<String> command) throws IOException, InterruptedException {
    requireTool(command.get(0), command.get(0));
    Path errors = Files.createTempFile("bale-test-", ".stderr");
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectError(errors.toFile())
              .start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int status = process.waitFor();
      if (status != 0) {
        throw new AssertionError(
            String.join(" ", command)
                + " exited with "
                + status
                + ":\n"
                + Files.readString(errors)
                + output);
      }
      return output;
    } finally {
      Files.deleteIfExists(errors);
    }
  }
}
