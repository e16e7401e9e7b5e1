package dev.bale.registry;

import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The HTTP clients a {@link RegistryClient} sends its requests through: one for plain HTTP and one
 * for HTTPS, each built when a request first needs it.
 *
 * <p>Two clients because the JDK's client sets up TLS when it is built, whatever it is used for:
 * the default trust store is read and the cipher suites are worked out, a tenth of a second that a
 * push to a plain HTTP registry on this machine would otherwise spend on nothing. The plain client
 * gets a TLS context that refuses to be used, so an HTTPS request can never go through it.
 */
final class HttpTransport implements AutoCloseable {
  /** The client ID at the end of a JDK 17 HTTP client's {@code toString}, as in "...(3)". */
  private static final Pattern CLIENT_ID = Pattern.compile("\\((\\d+)\\)$");

  /**
   * The JDK client's buffer size, read once when its first client is built: the size of the pieces
   * a request body is read in and of the buffers the socket is read into.
   */
  private static final String BUFFER_SIZE_PROPERTY = "jdk.httpclient.bufsize";

  /**
   * 256 KiB rather than the JDK's 16 KiB: a layer then goes to the socket in a sixteenth of the
   * writes, which halved the CPU time of a push to a registry on this machine (BENCHMARKS.md).
   */
  private static final String BUFFER_SIZE = Integer.toString(256 * 1024);

  static {
    // An application that chose a size keeps it.
    if (System.getProperty(BUFFER_SIZE_PROPERTY) == null) {
      System.setProperty(BUFFER_SIZE_PROPERTY, BUFFER_SIZE);
    }
  }

  private final boolean insecure;
  private HttpClient plain;
  private HttpClient tls;

  /** With {@code insecure}, HTTPS accepts any certificate. */
  HttpTransport(boolean insecure) {
    this.insecure = insecure;
  }

  /** Sends {@code request} through the client for its scheme. */
  <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> handler)
      throws IOException, InterruptedException {
    boolean secure = request.uri().getScheme().equalsIgnoreCase("https");
    return client(secure).send(request, handler);
  }

  private synchronized HttpClient client(boolean secure) {
    if (secure) {
      if (tls == null) {
        tls = build(insecure ? trustingEveryone() : null);
      }
      return tls;
    }
    if (plain == null) {
      plain = build(new SSLContext(new NoTls(), null, "none") {});
    }
    return plain;
  }

  private static HttpClient build(SSLContext context) {
    // HTTP/1.1: uploads are long sequential streams, and h2c upgrades confuse some registries.
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(15))
            .followRedirects(HttpClient.Redirect.NEVER);
    if (context != null) {
      builder.sslContext(context);
    }
    return builder.build();
  }

  /**
   * Ends the threads of the clients. Without this the JVM's exit waits about 300 ms for a client's
   * selector thread, which sits in native code between requests.
   */
  @Override
  public synchronized void close() {
    for (HttpClient client : new HttpClient[] {plain, tls}) {
      if (client instanceof AutoCloseable closeable) {
        // Java 21 and later: the client shuts itself down.
        try {
          closeable.close();
        } catch (Exception e) {
          // Nothing is left to send; at worst the exit waits as it would have.
        }
      } else if (client != null) {
        endSelectorThread(client);
      }
    }
  }

  /**
   * Ends the selector thread of a Java 17 HTTP client, which has no shutdown of its own: the thread
   * returns when interrupted. It is found by the name the JDK gives it, {@code
   * HttpClient-ID-SelectorManager}, with the ID the client's {@code toString} ends with; when the
   * JDK names things otherwise, nothing is interrupted and only the wait at exit remains.
   */
  private static void endSelectorThread(HttpClient client) {
    Matcher id = CLIENT_ID.matcher(client.toString());
    if (!id.find()) {
      return;
    }
    String name = "HttpClient-" + id.group(1) + "-SelectorManager";

    ThreadGroup root = Thread.currentThread().getThreadGroup();
    while (root.getParent() != null) {
      root = root.getParent();
    }
    Thread[] threads = new Thread[root.activeCount() + 16];
    int count = root.enumerate(threads, true);
    for (int i = 0; i < count; i++) {
      if (threads[i].getName().equals(name)) {
        threads[i].interrupt();
        try {
          threads[i].join(1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
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

  /** The TLS of the plain HTTP client: default parameters, and a refusal for anything else. */
  private static final class NoTls extends SSLContextSpi {
    @Override
    protected void engineInit(KeyManager[] keys, TrustManager[] trust, SecureRandom random) {}

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      throw refusal();
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      throw refusal();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      throw refusal();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      throw refusal();
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      throw refusal();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      throw refusal();
    }

    @Override
    protected SSLParameters engineGetDefaultSSLParameters() {
      return new SSLParameters();
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
      return new SSLParameters();
    }

    private static UnsupportedOperationException refusal() {
      return new UnsupportedOperationException("the plain HTTP client does not speak TLS");
    }
  }
}
