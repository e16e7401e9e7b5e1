package dev.bale.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds out whether a registry that may serve either scheme speaks TLS, the way docker and crane
 * try HTTPS first on a registry of this machine. Only a server that does not speak TLS at all gets
 * plain HTTP: one that does is spoken to over HTTPS, and a certificate that fails the check there
 * is an error, never a reason to send the same requests in the clear.
 *
 * <p>The probe sends a TLS client hello it builds itself over a plain socket and looks at the first
 * bytes of the answer: every TLS server answers a hello with a handshake record (its own hello) or
 * an alert record, and an HTTP server answers with an HTTP status line or closes. The JDK's TLS
 * stack is not loaded for this, so a plain HTTP registry never pays for it; the certificate is
 * checked by the handshake of the first HTTPS request.
 */
final class TlsProbe {
  // LIMITATION: a plain HTTP server that stays silent on a TLS hello, instead of answering it
  // with an HTTP error or closing as registries do, costs this long before bale uses HTTP.
  static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(3);

  private static final int HANDSHAKE_RECORD = 0x16;
  private static final int ALERT_RECORD = 0x15;
  private static final int TLS_MAJOR_VERSION = 3;

  private TlsProbe() {}

  /** What the probe showed. */
  enum Outcome {
    /** The server answered the hello in TLS. */
    TLS,
    /** The server answered something that is not TLS, or nothing, or closed the connection. */
    NOT_TLS,
    /** Nothing listens there; the request that follows reports it. */
    UNREACHABLE
  }

  /** Sends a client hello to the registry of {@code target} and tells how it answered. */
  static Outcome probe(ImageReference target) {
    URI uri = URI.create("https://" + target.apiHost());
    String host = uri.getHost().replaceAll("^\\[|\\]$", "");
    int port = uri.getPort() < 0 ? 443 : uri.getPort();
    int timeout = (int) HANDSHAKE_TIMEOUT.toMillis();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), timeout);
      socket.setSoTimeout(timeout);
      socket.getOutputStream().write(clientHello(host));
      socket.getOutputStream().flush();

      InputStream in = socket.getInputStream();
      int type = in.read();
      int major = in.read();
      boolean tls =
          (type == HANDSHAKE_RECORD || type == ALERT_RECORD) && major == TLS_MAJOR_VERSION;
      return tls ? Outcome.TLS : Outcome.NOT_TLS;
    } catch (ConnectException e) {
      return Outcome.UNREACHABLE;
    } catch (IOException e) {
      return Outcome.NOT_TLS;
    }
  }

  /**
   * Returns a TLS record holding a client hello (RFC 8446 section 4.1.2) that a TLS 1.2 or 1.3
   * server accepts: the common AEAD cipher suites of both, the usual groups and signature schemes,
   * and an X25519 key share of random bytes (the handshake never goes past the server's answer).
   * The server name is sent for a host name, not for an address, as RFC 6066 requires.
   */
  static byte[] clientHello(String host) {
    ByteArrayOutputStream extensions = new ByteArrayOutputStream();
    if (!host.matches("[0-9.]+") && !host.contains(":")) {
      byte[] name = host.getBytes(StandardCharsets.US_ASCII);
      ByteArrayOutputStream entry = new ByteArrayOutputStream();
      entry.write(0); // host_name
      writeShort(entry, name.length);
      entry.writeBytes(name);
      extension(extensions, 0x0000, withShortLength(entry.toByteArray()));
    }
    // supported_groups: x25519, secp256r1, secp384r1.
    extension(extensions, 0x000a, withShortLength(shorts(0x001d, 0x0017, 0x0018)));
    // ec_point_formats: uncompressed.
    extension(extensions, 0x000b, new byte[] {1, 0});
    // signature_algorithms: ECDSA, RSA-PSS and RSA PKCS#1 with SHA-256, -384 and -512.
    extension(
        extensions,
        0x000d,
        withShortLength(
            shorts(0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0603)));
    // supported_versions: TLS 1.3, TLS 1.2.
    byte[] versions = shorts(0x0304, 0x0303);
    ByteArrayOutputStream versionList = new ByteArrayOutputStream();
    versionList.write(versions.length);
    versionList.writeBytes(versions);
    extension(extensions, 0x002b, versionList.toByteArray());
    // key_share: one X25519 share.
    byte[] key = new byte[32];
    ThreadLocalRandom.current().nextBytes(key);
    ByteArrayOutputStream share = new ByteArrayOutputStream();
    writeShort(share, 0x001d);
    writeShort(share, key.length);
    share.writeBytes(key);
    extension(extensions, 0x0033, withShortLength(share.toByteArray()));

    ByteArrayOutputStream hello = new ByteArrayOutputStream();
    writeShort(hello, 0x0303); // legacy_version: TLS 1.2
    byte[] random = new byte[32];
    ThreadLocalRandom.current().nextBytes(random);
    hello.writeBytes(random);
    hello.write(0); // no session ID
    // TLS 1.3 suites, then ECDHE with AES-GCM and ChaCha20-Poly1305 for TLS 1.2.
    hello.writeBytes(
        withShortLength(
            shorts(0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8)));
    hello.writeBytes(new byte[] {1, 0}); // compression: null only
    hello.writeBytes(withShortLength(extensions.toByteArray()));
    byte[] body = hello.toByteArray();

    ByteArrayOutputStream record = new ByteArrayOutputStream();
    record.write(HANDSHAKE_RECORD);
    writeShort(record, 0x0301); // the record version hellos carry
    writeShort(record, body.length + 4);
    record.write(1); // client_hello
    record.write(body.length >>> 16);
    writeShort(record, body.length & 0xffff);
    record.writeBytes(body);
    return record.toByteArray();
  }

  private static void extension(ByteArrayOutputStream out, int type, byte[] data) {
    writeShort(out, type);
    writeShort(out, data.length);
    out.writeBytes(data);
  }

  private static byte[] withShortLength(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeShort(out, data.length);
    out.writeBytes(data);
    return out.toByteArray();
  }

  private static byte[] shorts(int... values) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int value : values) {
      writeShort(out, value);
    }
    return out.toByteArray();
  }

  private static void writeShort(ByteArrayOutputStream out, int value) {
    out.write(value >>> 8);
    out.write(value & 0xff);
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
