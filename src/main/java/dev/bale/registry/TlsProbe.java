package dev.bale.registry;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.cert.CertificateException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Finds out, with one TLS handshake, whether a registry that may serve either scheme speaks TLS,
 * the way docker and crane try HTTPS first on a registry of this machine. Only a server that does
 * not speak TLS at all gets plain HTTP: one whose certificate fails the check is an error, never a
 * reason to send the same requests in the clear.
 */
final class TlsProbe {
  // LIMITATION: a plain HTTP server that stays silent on a TLS hello, instead of answering it
  // with an HTTP error or closing as registries do, costs this long before bale uses HTTP.
  static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(3);

  private TlsProbe() {}

  /** What the handshake showed. */
  enum Outcome {
    /** The server completed a TLS handshake, with its certificate accepted. */
    TLS,
    /** The server answered something that is not TLS, or nothing, or closed the connection. */
    NOT_TLS,
    /** Nothing listens there; the request that follows reports it. */
    UNREACHABLE
  }

  /**
   * Shakes hands with the registry of {@code target} under {@code context}, checking its
   * certificate and host name as the HTTP client will.
   *
   * @throws RegistryException if the server speaks TLS but its certificate is not accepted
   */
  static Outcome probe(SSLContext context, ImageReference target) throws RegistryException {
    URI uri = URI.create("https://" + target.apiHost());
    String host = uri.getHost().replaceAll("^\\[|\\]$", "");
    int port = uri.getPort() < 0 ? 443 : uri.getPort();
    int timeout = (int) HANDSHAKE_TIMEOUT.toMillis();
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
      socket.connect(new InetSocketAddress(host, port), timeout);
      socket.setSoTimeout(timeout);
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      return Outcome.TLS;
    } catch (ConnectException e) {
      return Outcome.UNREACHABLE;
    } catch (IOException e) {
      if (certificateProblem(e) != null) {
        throw untrusted(target.registry(), "reach the API", e);
      }
      return Outcome.NOT_TLS;
    }
  }

  /**
   * Returns the innermost message of a certificate check that failed somewhere in the causes of
   * {@code e}, or null when the failure was not about a certificate.
   */
  static String certificateProblem(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof CertificateException) {
        Throwable innermost = cause;
        while (innermost.getCause() != null && innermost.getCause().getMessage() != null) {
          innermost = innermost.getCause();
        }
        String message = innermost.getMessage();
        return message == null || message.isBlank() ? cause.toString() : message;
      }
    }
    return null;
  }

  /** Returns the one-line error for a registry whose certificate failed the check. */
  static RegistryException untrusted(String registry, String what, Throwable e) {
    return new RegistryException(
        "cannot "
            + what
            + " on registry '"
            + registry
            + "': its TLS certificate is not trusted ("
            + certificateProblem(e)
            + "); add it to the Java trust store bale runs with"
            + " (BALE_JAVA_OPTS=-Djavax.net.ssl.trustStore=FILE), or give --insecure for a"
            + " registry you trust anyway");
  }
}
